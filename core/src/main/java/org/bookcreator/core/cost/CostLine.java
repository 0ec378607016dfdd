package org.bookcreator.core.cost;

import java.math.BigDecimal;
import java.util.List;

/**
 * One group of a cost report: its key values (in the order of the query's dimensions) and sums over
 * its ledger rows. {@code costUsd} sums the priced rows exactly; unpriced rows are counted in
 * {@code unpricedCalls}, never added as zero cost silently.
 */
public record CostLine(
    List<String> keys,
    long calls,
    long failedCalls,
    long unpricedCalls,
    long inputTokens,
    long outputTokens,
    long cacheReadTokens,
    long cacheWriteTokens,
    long reasoningTokens,
    BigDecimal costUsd) {
  public CostLine {
    keys = List.copyOf(keys);
  }

  public CostLine plus(CostLine o) {
    return new CostLine(
        List.of(),
        calls + o.calls,
        failedCalls + o.failedCalls,
        unpricedCalls + o.unpricedCalls,
        inputTokens + o.inputTokens,
        outputTokens + o.outputTokens,
        cacheReadTokens + o.cacheReadTokens,
        cacheWriteTokens + o.cacheWriteTokens,
        reasoningTokens + o.reasoningTokens,
        costUsd.add(o.costUsd));
  }

  public static CostLine zero() {
    return new CostLine(List.of(), 0, 0, 0, 0, 0, 0, 0, 0, BigDecimal.ZERO);
  }
}
