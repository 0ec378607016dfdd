package org.bookcreator.core.alert;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.store.Store;

/**
 * What the rules of one evaluation read: the store, the time of the evaluation, the stall
 * detector's look at the runs that may be stalled (shared, so it is taken once per evaluation), the
 * measurements of the process the evaluator runs in, and reads two rules share. Used by one
 * evaluation, on one thread.
 */
public final class AlertInputs {
  private final Store store;
  private final Instant now;
  private final StallDetector.Look stalls;
  private final ProcessProbe probe;

  /** The open budgets at the smallest share asked for so far, and that share. */
  private List<Store.OpenBudget> budgets;

  private BigDecimal budgetsFrom;

  public AlertInputs(Store store, Instant now, StallDetector.Look stalls, ProcessProbe probe) {
    this.store = Objects.requireNonNull(store, "store");
    this.now = Objects.requireNonNull(now, "now");
    this.stalls = Objects.requireNonNull(stalls, "stalls");
    this.probe = Objects.requireNonNull(probe, "probe");
  }

  public Store store() {
    return store;
  }

  public Instant now() {
    return now;
  }

  public StallDetector.Look stalls() {
    return stalls;
  }

  public ProcessProbe probe() {
    return probe;
  }

  /**
   * {@link Store#openBudgets} at {@code minShare}: read once for the budget rules together (the one
   * asking for the smaller share reads, the other filters what it read) rather than once each.
   */
  public List<Store.OpenBudget> openBudgets(BigDecimal minShare) {
    if (budgets == null || budgetsFrom.compareTo(minShare) > 0) {
      budgets = store.openBudgets(minShare);
      budgetsFrom = minShare;
      return budgets;
    }
    return budgets.stream()
        .filter(b -> b.spentUsd().compareTo(b.budgetUsd().multiply(minShare)) >= 0)
        .toList();
  }
}
