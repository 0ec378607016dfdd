package org.bookcreator.core.cost;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.telemetry.ModelLabels;

/**
 * Prices per provider and model with effective dates. Costs are exact decimals: never floating
 * point. A model without a price is unpriced, never free; a model declared free costs exactly $0.
 *
 * <p>A call is priced by the first of these that has a price in force on its day: the model the
 * provider answered with, then the model that was asked for, each by its exact name, then as a
 * declared alias, then as the dated snapshot of a catalogued name; then the wildcard entries
 * ({@code llama3*}), for the answered name and then the requested one. Immutable and thread-safe.
 */
public final class PriceTable {
  /** A model name ending in a snapshot date: -2024-07-18 (OpenAI) or -20250929 (Anthropic). */
  private static final Pattern DATED_SNAPSHOT =
      Pattern.compile("(.+?)-(?:\\d{4}-\\d{2}-\\d{2}|\\d{8})");

  /** The shipped catalogue, a resource beside this class; its sources are in docs/costs.md. */
  private static final String SHIPPED = "prices.yaml";

  /** Ledger costs keep 12 decimal places (picodollars), enough for any per-token price. */
  public static final int COST_SCALE = 12;

  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
  private final List<Price> prices;

  /** The wildcard entries' models ({@code llama3*}) as patterns. */
  private final Map<String, Pattern> wildcards;

  /**
   * @throws IllegalArgumentException when two models of one provider declare the same alias
   */
  public PriceTable(List<Price> prices) {
    this.prices = List.copyOf(prices);
    Map<String, Pattern> patterns = new HashMap<>();
    Map<String, String> aliasOwners = new HashMap<>();
    for (Price p : this.prices) {
      if (p.model().contains("*")) patterns.computeIfAbsent(p.model(), PriceTable::wildcard);
      for (String alias : p.aliases()) {
        String owner = aliasOwners.putIfAbsent(p.provider() + "/" + alias, p.model());
        if (owner != null && !owner.equals(p.model())) {
          throw new IllegalArgumentException(
              "alias '"
                  + alias
                  + "' of "
                  + p.provider()
                  + " is declared by both '"
                  + owner
                  + "' and '"
                  + p.model()
                  + "'");
        }
      }
    }
    this.wildcards = Map.copyOf(patterns);
  }

  private static Pattern wildcard(String model) {
    StringBuilder regex = new StringBuilder();
    for (String part : model.split("\\*", -1)) {
      if (!regex.isEmpty()) regex.append(".*");
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString());
  }

  /** Prices shipped with the product; see docs/costs.md for their sources and dates. */
  public static PriceTable defaults() {
    return Shipped.TABLE;
  }

  /** Read once, on first use: the catalogue is part of the build and never changes at run time. */
  private static final class Shipped {
    static final PriceTable TABLE = new PriceTable(read());

    private static List<Price> read() {
      try (InputStream in = PriceTable.class.getResourceAsStream(SHIPPED)) {
        if (in == null) throw new IllegalStateException("shipped price catalogue missing");
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return PriceFile.parse(text, "shipped price catalogue", Optional.empty());
      } catch (IOException e) {
        throw new UncheckedIOException("shipped price catalogue unreadable", e);
      }
    }
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

  /** Every price, ordered by provider, model and date: the catalogue. */
  public List<Price> prices() {
    return prices.stream()
        .sorted(
            Comparator.comparing(Price::provider)
                .thenComparing(Price::model)
                .thenComparing(Price::effectiveFrom))
        .toList();
  }

  /**
   * The catalogue name of a model as metrics label it: the entry that prices it on any day ({@code
   * gpt-4o-mini} for {@code gpt-4o-mini-2024-07-18}, the pattern for a wildcard entry), else {@link
   * ModelLabels#OTHER}. Bounded by the catalogue, whatever names providers answer with.
   */
  public ModelLabels modelLabels() {
    return (provider, model) ->
        model == null
            ? ModelLabels.OTHER
            : find(provider, model, LocalDate.MAX).map(Price::model).orElse(ModelLabels.OTHER);
  }

  /** The price in force on {@code day} for the model, if any. */
  public Optional<Price> find(String provider, String model, LocalDate day) {
    return find(provider, model, model, day);
  }

  /**
   * The price in force on {@code day} for a call that asked for {@code requestedModel} and was
   * answered by {@code answeredModel}: the answered name is priced first, the requested one second
   * (see the class comment for the whole order).
   */
  public Optional<Price> find(
      String provider, String answeredModel, String requestedModel, LocalDate day) {
    Optional<Price> price = named(provider, answeredModel, day);
    if (price.isEmpty()) price = named(provider, requestedModel, day);
    if (price.isEmpty()) price = wildcard(provider, answeredModel, day);
    if (price.isEmpty()) price = wildcard(provider, requestedModel, day);
    return price;
  }

  private Optional<Price> named(String provider, String model, LocalDate day) {
    Optional<Price> price = exactOrAlias(provider, model, day);
    if (price.isPresent()) return price;
    // Providers answer with the dated snapshot behind an alias (gpt-4o-mini-2024-07-18,
    // claude-sonnet-4-5-20250929): a snapshot without a price of its own costs what its alias does.
    var dated = DATED_SNAPSHOT.matcher(model);
    return dated.matches() ? exactOrAlias(provider, dated.group(1), day) : Optional.empty();
  }

  private Optional<Price> exactOrAlias(String provider, String model, LocalDate day) {
    Optional<Price> exact = inForce(provider, p -> p.model().equals(model), day);
    return exact.isPresent() ? exact : inForce(provider, p -> p.aliases().contains(model), day);
  }

  private Optional<Price> wildcard(String provider, String model, LocalDate day) {
    // The most specific pattern wins: the one with the most literal characters.
    return prices.stream()
        .filter(p -> p.provider().equals(provider) && wildcards.containsKey(p.model()))
        .map(Price::model)
        .distinct()
        .filter(pattern -> wildcards.get(pattern).matcher(model).matches())
        .sorted(Comparator.comparingInt((String m) -> m.replace("*", "").length()).reversed())
        .map(pattern -> inForce(provider, p -> p.model().equals(pattern), day))
        .flatMap(Optional::stream)
        .findFirst();
  }

  private Optional<Price> inForce(String provider, Predicate<Price> matches, LocalDate day) {
    return prices.stream()
        .filter(p -> p.provider().equals(provider) && matches.test(p))
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
