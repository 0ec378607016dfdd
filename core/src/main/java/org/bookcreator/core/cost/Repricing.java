package org.bookcreator.core.cost;

import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Recomputes the cost of recorded calls from a (corrected) price table. Each row is priced at the
 * price in force on the day of the call; rows whose cost or price version would change are the
 * changes. Nothing here writes: the store applies the changes, keeping the previous values.
 *
 * <p>A row is priced as a new call would be: its answered model first, then the model its current
 * price version names (a call priced by its requested model keeps that price).
 */
public final class Repricing {
  /** One row's old and new cost; an empty cost means unpriced. */
  public record Change(
      String callId,
      Optional<BigDecimal> oldCost,
      Optional<String> oldVersion,
      Optional<BigDecimal> newCost,
      Optional<String> newVersion) {
    public BigDecimal delta() {
      return newCost.orElse(BigDecimal.ZERO).subtract(oldCost.orElse(BigDecimal.ZERO));
    }
  }

  /** What a repricing would do: the changes and the totals before and after over all rows seen. */
  public record Plan(
      int rowsSeen, List<Change> changes, BigDecimal totalBefore, BigDecimal totalAfter) {
    public BigDecimal difference() {
      return totalAfter.subtract(totalBefore);
    }
  }

  private Repricing() {}

  public static Plan plan(List<LedgerEntry> rows, PriceTable prices) {
    List<Change> changes = new ArrayList<>();
    BigDecimal before = BigDecimal.ZERO;
    BigDecimal after = BigDecimal.ZERO;
    for (LedgerEntry e : rows) {
      // The ledger keeps the answered model; the requested one is known only through the price
      // version of a row it priced, so that name stands in for it.
      String requested =
          e.priceVersion().flatMap(v -> Price.modelOf(e.provider(), v)).orElse(e.model());
      Optional<Price> price =
          prices.find(
              e.provider(), e.model(), requested, e.at().atZone(ZoneOffset.UTC).toLocalDate());
      Optional<BigDecimal> cost = price.map(p -> PriceTable.cost(p, e.usage()));
      Optional<String> version = price.map(Price::version);
      before = before.add(e.costUsd().orElse(BigDecimal.ZERO));
      after = after.add(cost.orElse(BigDecimal.ZERO));
      boolean same =
          Objects.equals(version, e.priceVersion())
              && cost.map(c -> e.costUsd().isPresent() && c.compareTo(e.costUsd().get()) == 0)
                  .orElse(e.costUsd().isEmpty());
      if (!same) changes.add(new Change(e.callId(), e.costUsd(), e.priceVersion(), cost, version));
    }
    return new Plan(rows.size(), changes, before, after);
  }
}
