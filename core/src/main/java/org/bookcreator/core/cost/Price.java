package org.bookcreator.core.cost;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * US dollars per million tokens of each type, valid from a date, for one model of one provider.
 *
 * @param model the catalogue name; may hold {@code *} wildcards ({@code llama3*}), matched after
 *     every exact name, alias and dated snapshot
 * @param aliases other names the provider answers or is asked with that cost the same (exact names,
 *     no wildcards); a model's dated snapshots ({@code -2024-07-18}, {@code -20250929}) match
 *     without being listed
 * @param free declared free (a model served by a local server): every price is zero, and its calls
 *     cost exactly $0 rather than being unpriced
 * @param source where the figures come from (the vendor's pricing page, or the price file)
 */
public record Price(
    String provider,
    String model,
    List<String> aliases,
    BigDecimal inputPerMillion,
    BigDecimal outputPerMillion,
    BigDecimal cacheReadPerMillion,
    BigDecimal cacheWritePerMillion,
    LocalDate effectiveFrom,
    boolean free,
    Optional<String> source) {
  public Price {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    aliases = List.copyOf(aliases);
    Objects.requireNonNull(inputPerMillion, "inputPerMillion");
    Objects.requireNonNull(outputPerMillion, "outputPerMillion");
    Objects.requireNonNull(cacheReadPerMillion, "cacheReadPerMillion");
    Objects.requireNonNull(cacheWritePerMillion, "cacheWritePerMillion");
    Objects.requireNonNull(effectiveFrom, "effectiveFrom");
    source = Objects.requireNonNullElse(source, Optional.empty());
    if (free
        && (inputPerMillion.signum() != 0
            || outputPerMillion.signum() != 0
            || cacheReadPerMillion.signum() != 0
            || cacheWritePerMillion.signum() != 0)) {
      throw new IllegalArgumentException(
          provider + "/" + model + " is declared free but has a non-zero price");
    }
  }

  /** A price with no aliases and no source, not declared free. */
  public Price(
      String provider,
      String model,
      BigDecimal inputPerMillion,
      BigDecimal outputPerMillion,
      BigDecimal cacheReadPerMillion,
      BigDecimal cacheWritePerMillion,
      LocalDate effectiveFrom) {
    this(
        provider,
        model,
        List.of(),
        inputPerMillion,
        outputPerMillion,
        cacheReadPerMillion,
        cacheWritePerMillion,
        effectiveFrom,
        false,
        Optional.empty());
  }

  /** The version recorded beside every priced ledger row: provider/model@date. */
  public String version() {
    return provider + "/" + model + "@" + effectiveFrom;
  }

  /**
   * The model a price version names ({@code gpt-4o-mini} of {@code openai/gpt-4o-mini@2024-07-18}),
   * if it is a version of {@code provider}'s.
   */
  public static Optional<String> modelOf(String provider, String version) {
    String prefix = provider + "/";
    int at = version.lastIndexOf('@');
    return version.startsWith(prefix) && at > prefix.length()
        ? Optional.of(version.substring(prefix.length(), at))
        : Optional.empty();
  }
}
