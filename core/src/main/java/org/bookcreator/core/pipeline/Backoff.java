package org.bookcreator.core.pipeline;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal jitter": the delay before attempt {@code n+1} is half of {@code
 * base * 2^n} (capped at {@code max}) plus a random share of the other half. A provider's
 * Retry-After, when given, is a floor.
 */
final class Backoff {
  private final Duration base;
  private final Duration max;
  private final RandomGenerator random;

  Backoff(Duration base, Duration max, RandomGenerator random) {
    this.base = base;
    this.max = max;
    this.random = random;
  }

  /** Delay after the {@code failedAttempts}-th failure (1 for the first). */
  Duration delay(int failedAttempts, Optional<Duration> retryAfter) {
    long capped = base.toMillis();
    for (int i = 1; i < failedAttempts && capped < max.toMillis(); i++) capped *= 2;
    capped = Math.min(capped, max.toMillis());
    long half = capped / 2;
    double r;
    synchronized (random) {
      r = random.nextDouble();
    }
    long millis = half + (long) (r * (capped - half));
    Duration d = Duration.ofMillis(millis);
    if (retryAfter.isPresent() && retryAfter.get().compareTo(d) > 0) d = retryAfter.get();
    return d;
  }
}
