package org.bookcreator.core.cost;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskState;

/**
 * Where a project stands against its budget: spent so far (all runs, exact), projected cost at
 * completion, and what remains. The projection prices the work left of the latest unfinished run at
 * the average cost of the model tasks it completed: a book of N chapters needs about 8 + 3.6N model
 * tasks (plan, outline, critique rounds, research, a draft, a critique and sometimes a revision per
 * chapter, an edit per chapter, the fact check).
 */
public record BudgetStatus(
    Optional<BigDecimal> budgetUsd,
    BigDecimal spentUsd,
    BigDecimal projectedUsd,
    Optional<BigDecimal> remainingUsd) {

  public static double expectedModelTasks(int chapters) {
    return 8 + 3.6 * chapters;
  }

  /**
   * @param latest the project's latest run and its tasks (outcomes are enough), if any
   * @param latestRunSpend what the latest run has cost so far
   */
  public static BudgetStatus of(
      Project project,
      BigDecimal spent,
      Optional<Run> latest,
      List<Task> latestTasks,
      BigDecimal latestRunSpend) {
    BigDecimal projected = spent;
    if (latest.isPresent() && latest.get().state().isActive()
        || latest.map(r -> r.state() == org.bookcreator.core.run.RunState.PAUSED).orElse(false)) {
      long done =
          latestTasks.stream()
              .filter(t -> t.state() == TaskState.COMPLETED && t.role().usesLlm())
              .count();
      double left = Math.max(0, expectedModelTasks(project.chapters()) - done);
      if (done > 0 && left > 0) {
        BigDecimal perTask =
            latestRunSpend.divide(
                BigDecimal.valueOf(done), PriceTable.COST_SCALE, RoundingMode.HALF_EVEN);
        projected =
            spent.add(
                perTask
                    .multiply(BigDecimal.valueOf(left))
                    .setScale(PriceTable.COST_SCALE, RoundingMode.HALF_EVEN));
      }
    }
    Optional<BigDecimal> remaining = project.budgetUsd().map(b -> b.subtract(spent));
    return new BudgetStatus(project.budgetUsd(), spent, projected, remaining);
  }

  /** Share of the budget spent, 0..; empty without a budget. */
  public Optional<Double> spentShare() {
    return budgetUsd
        .filter(b -> b.signum() > 0)
        .map(b -> spentUsd.divide(b, 6, RoundingMode.HALF_EVEN).doubleValue());
  }
}
