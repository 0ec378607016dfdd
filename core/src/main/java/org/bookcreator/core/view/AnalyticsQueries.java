package org.bookcreator.core.view;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.store.Store;

/**
 * The dashboard's analytics beyond a cost report: budgets and their share used. Read by the API
 * ({@code /api/budgets}) and so by the dashboard's Costs page.
 */
public final class AnalyticsQueries {
  private final Store store;

  public AnalyticsQueries(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** A project with a budget: what it has spent over all its runs, and the share used. */
  public record BudgetShare(
      String projectId,
      String title,
      String category,
      BigDecimal budgetUsd,
      BigDecimal spentUsd,
      Optional<BigDecimal> shareUsed) {}

  /**
   * Every project with a budget, most used first: spent is the exact sum of its ledger rows, the
   * share is spent / budget to four decimals (absent for a zero budget).
   */
  public List<BudgetShare> budgets() {
    return store.projects().stream()
        .filter(p -> p.budgetUsd().isPresent())
        .map(this::budget)
        .sorted(
            (a, b) ->
                b.shareUsed()
                    .orElse(BigDecimal.ZERO)
                    .compareTo(a.shareUsed().orElse(BigDecimal.ZERO)))
        .toList();
  }

  private BudgetShare budget(Project p) {
    BigDecimal budget = p.budgetUsd().orElseThrow();
    BigDecimal spent = store.projectSpend(p.id());
    Optional<BigDecimal> share =
        budget.signum() == 0
            ? Optional.empty()
            : Optional.of(spent.divide(budget, 4, RoundingMode.HALF_UP));
    return new BudgetShare(p.id(), p.title(), p.category(), budget, spent, share);
  }
}
