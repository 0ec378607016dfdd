package org.bookcreator.core.pipeline;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.InstantSource;
import java.util.Optional;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.IllegalTransitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a project's spend after every priced model call. Crossing 80% and 100% of the budget
 * records a {@code budget_80} / {@code budget_100} event on the run (once per run and budget
 * amount); at 100%, unless the project says otherwise, the run is paused with the reason recorded.
 * A paused run resumes with {@code bin/book-creator resume --run RUN} (optionally raising the
 * budget).
 */
final class BudgetGuard {
  private static final Logger log = LoggerFactory.getLogger(BudgetGuard.class);
  private static final BigDecimal WARN_AT = new BigDecimal("0.8");

  private final Store store;
  private final InstantSource clock;

  BudgetGuard(Store store, InstantSource clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * Reads the project afresh: a budget raised or lowered by an operator (over the API, by another
   * process) holds from the next call on.
   */
  void afterCall(Task task) {
    Optional<Project> found = store.project(task.projectId());
    if (found.isEmpty() || found.get().budgetUsd().isEmpty()) return;
    Project project = found.get();
    BigDecimal budget = project.budgetUsd().get();
    BigDecimal spent = store.projectSpend(project.id());
    String amounts =
        "spent $"
            + spent.setScale(6, RoundingMode.HALF_EVEN).toPlainString()
            + " of budget $"
            + budget.toPlainString();
    if (spent.compareTo(budget.multiply(WARN_AT)) >= 0)
      once(task, RunEvent.BUDGET_80, budget, "80% of budget reached: " + amounts);
    if (spent.compareTo(budget) >= 0) {
      boolean first = once(task, RunEvent.BUDGET_100, budget, "budget reached: " + amounts);
      if (first && project.pauseAtBudget()) {
        try {
          store.transitionRun(
              task.runId(),
              RunState.RUNNING,
              RunState.PAUSED,
              "paused: budget $"
                  + budget.toPlainString()
                  + " reached ("
                  + amounts
                  + "); resume with: bin/book-creator resume --run "
                  + task.runId()
                  + " --budget-usd N",
              clock.instant());
          log.warn("run {} paused: {}", task.runId(), amounts);
        } catch (IllegalTransitionException e) {
          log.debug("run {} was no longer running when its budget was reached", task.runId());
        }
      }
    }
  }

  /**
   * Records the event unless this run already has it for this budget amount; true if recorded now.
   */
  private boolean once(Task task, String kind, BigDecimal budget, String detail) {
    String tag = "[budget $" + budget.toPlainString() + "]";
    boolean recorded =
        store.recordEventOnce(
            new RunEvent(
                task.runId(), Optional.of(task.id()), kind, detail + " " + tag, clock.instant()),
            tag);
    if (recorded) log.warn("{} {}", kind, detail);
    return recorded;
  }
}
