package org.bookcreator.core.view;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.bookcreator.core.cost.Price;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.cost.UnpricedModel;

/**
 * The price catalogue in force (shipped prices and the price file) and the models the ledger holds
 * calls of without a price, with the command that prices those calls once their prices are added.
 *
 * @param repriceCommand present when there are unpriced calls: reprices from the day of the first
 */
public record PriceCatalogueView(
    List<Entry> catalogue, List<Unpriced> unpriced, Optional<String> repriceCommand) {

  /** One price: per million tokens, from its date; {@code version} is what ledger rows record. */
  public record Entry(
      String provider,
      String model,
      List<String> aliases,
      BigDecimal inputPerMillion,
      BigDecimal outputPerMillion,
      BigDecimal cacheReadPerMillion,
      BigDecimal cacheWritePerMillion,
      LocalDate effectiveFrom,
      boolean free,
      String version,
      Optional<String> source) {}

  /**
   * A model seen in the ledger without a price; {@code pricedNowAs} is the price version the
   * current table would give its latest call (its past calls stay unpriced until repriced).
   */
  public record Unpriced(
      String provider,
      String model,
      long calls,
      Instant firstSeen,
      Instant lastSeen,
      Optional<String> pricedNowAs) {}

  /**
   * @param repriceCommand the command that reprices every call from a day on
   */
  public static PriceCatalogueView of(
      PriceTable prices, List<UnpricedModel> unpriced, Function<LocalDate, String> repriceCommand) {
    List<Entry> catalogue =
        prices.prices().stream()
            .map(
                p ->
                    new Entry(
                        p.provider(),
                        p.model(),
                        p.aliases(),
                        p.inputPerMillion(),
                        p.outputPerMillion(),
                        p.cacheReadPerMillion(),
                        p.cacheWritePerMillion(),
                        p.effectiveFrom(),
                        p.free(),
                        p.version(),
                        p.source()))
            .toList();
    List<Unpriced> seen =
        unpriced.stream()
            .map(
                u ->
                    new Unpriced(
                        u.provider(),
                        u.model(),
                        u.calls(),
                        u.firstSeen(),
                        u.lastSeen(),
                        prices
                            .find(u.provider(), u.model(), day(u.lastSeen()))
                            .map(Price::version)))
            .toList();
    Optional<String> command =
        unpriced.stream()
            .map(UnpricedModel::firstSeen)
            .min(Comparator.naturalOrder())
            .map(first -> repriceCommand.apply(day(first)));
    return new PriceCatalogueView(catalogue, seen, command);
  }

  private static LocalDate day(Instant at) {
    return at.atZone(ZoneOffset.UTC).toLocalDate();
  }
}
