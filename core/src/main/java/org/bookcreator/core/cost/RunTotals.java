package org.bookcreator.core.cost;

import java.math.BigDecimal;

/** Sums over a run's ledger rows: calls, tokens and exact cost of the priced ones. */
public record RunTotals(
    long calls,
    long failedCalls,
    long unpricedCalls,
    long inputTokens,
    long outputTokens,
    BigDecimal costUsd) {
  public static final RunTotals ZERO = new RunTotals(0, 0, 0, 0, 0, BigDecimal.ZERO);

  public long tokens() {
    return inputTokens + outputTokens;
  }
}
