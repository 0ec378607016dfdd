package org.bookcreator.core.view;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.cost.BudgetStatus;
import org.bookcreator.core.cost.CategoryStats;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostLine;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.store.Store;

/**
 * A cost report: the query, one line per group with exact sums, the total (the exact sum of the
 * lines), library analytics per category, books per stage now, and with a project its budget.
 */
public record CostReportView(
    Optional<Budget> budget,
    Query query,
    List<Line> lines,
    Line total,
    List<Category> categories,
    List<StageBooks> booksPerStage) {

  public record Budget(
      Optional<BigDecimal> budgetUsd,
      BigDecimal spentUsd,
      BigDecimal projectedUsd,
      Optional<BigDecimal> remainingUsd) {}

  public record Query(
      Optional<String> project,
      Optional<String> run,
      Optional<String> category,
      Optional<Instant> since,
      Optional<Instant> until,
      List<String> by) {}

  /**
   * Sums of one group; {@code group} maps each dimension of the query to this line's value. Wasted
   * calls (answered after their worker lost the task) are in {@code costUsd}; interrupted ones
   * (never answered) are not, and {@code interruptedEstimatedCostUsd} prices what they sent.
   */
  public record Line(
      long calls,
      long failedCalls,
      long unpricedCalls,
      long inputTokens,
      long outputTokens,
      long cacheReadTokens,
      long cacheWriteTokens,
      long reasoningTokens,
      BigDecimal costUsd,
      long wastedCalls,
      BigDecimal wastedCostUsd,
      long interruptedCalls,
      BigDecimal interruptedEstimatedCostUsd,
      Optional<Map<String, String>> group) {}

  public record Category(
      String category,
      long projects,
      long activeRuns,
      long completedRuns,
      long failedRuns,
      double averageCompletionSeconds,
      BigDecimal completedCostUsd,
      BigDecimal averageCostUsd,
      long completedWords,
      @JsonProperty("cost_per_1000_words_usd") BigDecimal costPerThousandWordsUsd) {}

  public record StageBooks(String category, String stage, long books) {}

  static CostReportView of(
      CostQuery q,
      List<CostLine> lines,
      List<CategoryStats> categories,
      List<Store.StageCount> stages,
      Optional<BudgetStatus> budget) {
    CostLine total = lines.stream().reduce(CostLine.zero(), CostLine::plus);
    return new CostReportView(
        budget.map(
            b -> new Budget(b.budgetUsd(), b.spentUsd(), b.projectedUsd(), b.remainingUsd())),
        new Query(
            q.projectId(),
            q.runId(),
            q.category(),
            q.since(),
            q.until(),
            q.by().stream().map(CostDimension::id).toList()),
        lines.stream().map(l -> line(l, Optional.of(group(q.by(), l)))).toList(),
        line(total, Optional.empty()),
        categories.stream()
            .map(
                c ->
                    new Category(
                        c.category(),
                        c.projects(),
                        c.activeRuns(),
                        c.completedRuns(),
                        c.failedRuns(),
                        c.averageCompletionSeconds(),
                        c.completedCostUsd(),
                        c.averageCostUsd(),
                        c.completedWords(),
                        c.costPerThousandWords()))
            .toList(),
        stages.stream().map(s -> new StageBooks(s.category(), s.stage(), s.runs())).toList());
  }

  private static Map<String, String> group(List<CostDimension> by, CostLine l) {
    Map<String, String> keys = new LinkedHashMap<>();
    for (int i = 0; i < by.size(); i++) keys.put(by.get(i).id(), l.keys().get(i));
    return keys;
  }

  private static Line line(CostLine l, Optional<Map<String, String>> group) {
    return new Line(
        l.calls(),
        l.failedCalls(),
        l.unpricedCalls(),
        l.inputTokens(),
        l.outputTokens(),
        l.cacheReadTokens(),
        l.cacheWriteTokens(),
        l.reasoningTokens(),
        l.costUsd(),
        l.wastedCalls(),
        l.wastedCostUsd(),
        l.interruptedCalls(),
        l.interruptedEstimatedCostUsd(),
        group);
  }
}
