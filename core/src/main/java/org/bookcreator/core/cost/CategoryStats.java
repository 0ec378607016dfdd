package org.bookcreator.core.cost;

import java.math.BigDecimal;

/**
 * Library analytics for one category: projects, runs by outcome, completed books' average
 * completion time, their total and average cost, and the words they contain.
 */
public record CategoryStats(
    String category,
    long projects,
    long activeRuns,
    long completedRuns,
    long failedRuns,
    double averageCompletionSeconds,
    BigDecimal completedCostUsd,
    long completedWords) {

  /** Average cost of a completed book, exact to 12 places; zero when none completed. */
  public BigDecimal averageCostUsd() {
    return completedRuns == 0
        ? BigDecimal.ZERO
        : completedCostUsd.divide(
            BigDecimal.valueOf(completedRuns),
            PriceTable.COST_SCALE,
            java.math.RoundingMode.HALF_EVEN);
  }

  /** Cost per 1,000 words written in completed books; zero when none. */
  public BigDecimal costPerThousandWords() {
    return completedWords == 0
        ? BigDecimal.ZERO
        : completedCostUsd
            .multiply(BigDecimal.valueOf(1000))
            .divide(
                BigDecimal.valueOf(completedWords),
                PriceTable.COST_SCALE,
                java.math.RoundingMode.HALF_EVEN);
  }
}
