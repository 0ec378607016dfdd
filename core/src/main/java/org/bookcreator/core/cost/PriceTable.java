package org.bookcreator.core.cost;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bookcreator.core.llm.Usage;

/**
 * Prices per provider and model with effective dates. Costs are exact decimals: never floating
 * point. A model without a price is unpriced, never free.
 */
public final class PriceTable {
  /** A model name ending in a snapshot date: -2024-07-18 (OpenAI) or -20250929 (Anthropic). */
  private static final Pattern DATED_SNAPSHOT =
      Pattern.compile("(.+?)-(?:\\d{4}-\\d{2}-\\d{2}|\\d{8})");

  /** Ledger costs keep 12 decimal places (picodollars), enough for any per-token price. */
  public static final int COST_SCALE = 12;

  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
  private final List<Price> prices;

  public PriceTable(List<Price> prices) {
    this.prices = List.copyOf(prices);
  }

  /** Prices shipped with the product; see docs/costs.md for their sources and dates. */
  public static PriceTable defaults() {
    List<Price> p = new ArrayList<>();
    LocalDate d = LocalDate.parse("2025-01-01");
    p.add(price("simulated", "sim-standard", "1.00", "4.00", "0.10", "1.25", d));
    p.add(price("simulated", "sim-large", "3.00", "15.00", "0.30", "3.75", d));
    p.add(price("openai", "gpt-4o", "2.50", "10.00", "1.25", "0", d));
    p.add(price("openai", "gpt-4o-mini", "0.15", "0.60", "0.075", "0", d));
    p.add(price("anthropic", "claude-sonnet-4-5", "3.00", "15.00", "0.30", "3.75", d));
    p.add(price("anthropic", "claude-haiku-4-5", "1.00", "5.00", "0.10", "1.25", d));
    return new PriceTable(p);
  }

  private static Price price(
      String provider, String model, String in, String out, String cr, String cw, LocalDate from) {
    return new Price(
        provider,
        model,
        new BigDecimal(in),
        new BigDecimal(out),
        new BigDecimal(cr),
        new BigDecimal(cw),
        from);
  }

  /** This table with {@code overrides} layered on top (same provider, model and date replaces). */
  public PriceTable with(List<Price> overrides) {
    List<Price> all = new ArrayList<>(prices);
    for (Price o : overrides) {
      all.removeIf(
          p ->
              p.provider().equals(o.provider())
                  && p.model().equals(o.model())
                  && p.effectiveFrom().equals(o.effectiveFrom()));
      all.add(o);
    }
    return new PriceTable(all);
  }

  /** Every price, for reports and diagnostics. */
  public List<Price> prices() {
    return prices;
  }

  /** Every model with a price: the bounded set of model names metrics may use as labels. */
  public java.util.Set<String> models() {
    return prices.stream()
        .map(Price::model)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  /** The price in force on {@code day} for the model, if any. */
  public Optional<Price> find(String provider, String model, LocalDate day) {
    Optional<Price> exact = exact(provider, model, day);
    if (exact.isPresent()) return exact;
    // Providers answer with the dated snapshot behind an alias (gpt-4o-mini-2024-07-18,
    // claude-sonnet-4-5-20250929): a snapshot without a price of its own costs what its alias does.
    var dated = DATED_SNAPSHOT.matcher(model);
    return dated.matches() ? exact(provider, dated.group(1), day) : Optional.empty();
  }

  private Optional<Price> exact(String provider, String model, LocalDate day) {
    return prices.stream()
        .filter(p -> p.provider().equals(provider) && p.model().equals(model))
        .filter(p -> !p.effectiveFrom().isAfter(day))
        .max(Comparator.comparing(Price::effectiveFrom));
  }

  /** Exact cost of {@code usage} at {@code price}, scaled to {@link #COST_SCALE} places. */
  public static BigDecimal cost(Price price, Usage usage) {
    BigDecimal total =
        price
            .inputPerMillion()
            .multiply(BigDecimal.valueOf(usage.inputTokens()))
            .add(price.outputPerMillion().multiply(BigDecimal.valueOf(usage.outputTokens())))
            .add(price.cacheReadPerMillion().multiply(BigDecimal.valueOf(usage.cacheReadTokens())))
            .add(
                price
                    .cacheWritePerMillion()
                    .multiply(BigDecimal.valueOf(usage.cacheWriteTokens())));
    return total.divide(MILLION, COST_SCALE, RoundingMode.UNNECESSARY);
  }
}
