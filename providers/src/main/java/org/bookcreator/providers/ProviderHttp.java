package org.bookcreator.providers;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** What the HTTP adapters share: reading a provider's retry hint. */
public final class ProviderHttp {
  private ProviderHttp() {}

  /** Retry-After in seconds or as an HTTP date, or OpenAI's retry-after-ms. */
  public static Optional<Duration> retryAfter(HttpResponse<?> response) {
    Optional<String> ms = response.headers().firstValue("retry-after-ms");
    if (ms.isPresent()) {
      try {
        return Optional.of(Duration.ofMillis((long) Double.parseDouble(ms.get().strip())));
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    Optional<String> ra = response.headers().firstValue("retry-after");
    if (ra.isEmpty()) return Optional.empty();
    String v = ra.get().strip();
    try {
      return Optional.of(Duration.ofMillis((long) (Double.parseDouble(v) * 1000)));
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(Instant.now(), at);
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException ignored) {
        return Optional.empty();
      }
    }
  }
}
