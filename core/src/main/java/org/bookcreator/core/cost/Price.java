package org.bookcreator.core.cost;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Objects;

/** US dollars per million tokens of each type, valid from a date. */
public record Price(
    String provider,
    String model,
    BigDecimal inputPerMillion,
    BigDecimal outputPerMillion,
    BigDecimal cacheReadPerMillion,
    BigDecimal cacheWritePerMillion,
    LocalDate effectiveFrom) {
  public Price {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(inputPerMillion, "inputPerMillion");
    Objects.requireNonNull(outputPerMillion, "outputPerMillion");
    Objects.requireNonNull(cacheReadPerMillion, "cacheReadPerMillion");
    Objects.requireNonNull(cacheWritePerMillion, "cacheWritePerMillion");
    Objects.requireNonNull(effectiveFrom, "effectiveFrom");
  }

  /** The version recorded beside every priced ledger row: provider/model@date. */
  public String version() {
    return provider + "/" + model + "@" + effectiveFrom;
  }
}
