package org.bookcreator.core.cost;

import java.math.BigDecimal;
import java.util.List;

/**
 * One group of a cost report: its key values (in the order of the query's dimensions) and sums over
 * its ledger rows. {@code costUsd} sums the priced rows exactly; unpriced rows are counted in
 * {@code unpricedCalls}, never added as zero cost silently.
 *
 * <p>{@code wastedCalls} were answered after their worker had lost the task: their cost is in
 * {@code costUsd} (they were paid for) and {@code wastedCostUsd} says how much of it. {@code
 * interruptedCalls} were sent but never answered (the process was killed, the lease lost): what
 * they cost is unknown, so it is not in {@code costUsd}; {@code interruptedEstimatedCostUsd} prices
 * their estimated input tokens, a lower bound of what the provider may bill.
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
    BigDecimal costUsd,
    long wastedCalls,
    BigDecimal wastedCostUsd,
    long interruptedCalls,
    BigDecimal interruptedEstimatedCostUsd) {
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
        costUsd.add(o.costUsd),
        wastedCalls + o.wastedCalls,
        wastedCostUsd.add(o.wastedCostUsd),
        interruptedCalls + o.interruptedCalls,
        interruptedEstimatedCostUsd.add(o.interruptedEstimatedCostUsd));
  }

  public static CostLine zero() {
    return new CostLine(
        List.of(), 0, 0, 0, 0, 0, 0, 0, 0, BigDecimal.ZERO, 0, BigDecimal.ZERO, 0, BigDecimal.ZERO);
  }
}
