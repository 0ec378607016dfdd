package org.bookcreator.core.cost;

import java.time.Instant;
import java.util.Objects;

/**
 * A model the ledger holds calls of without a price (cost absent, never $0): how many, and when the
 * first and the last were made. Free models cost $0 and are never unpriced.
 */
public record UnpricedModel(
    String provider, String model, long calls, Instant firstSeen, Instant lastSeen) {
  public UnpricedModel {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(firstSeen, "firstSeen");
    Objects.requireNonNull(lastSeen, "lastSeen");
  }
}
