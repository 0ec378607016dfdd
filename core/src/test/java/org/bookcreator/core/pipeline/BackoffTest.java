package org.bookcreator.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new Random(1));

  @Test
  void delay_doublesPerAttempt_withJitterInTheUpperHalf() {
    for (int i = 0; i < 200; i++) {
      assertThat(backoff.delay(1, Optional.empty()).toMillis()).isBetween(50L, 100L);
      assertThat(backoff.delay(2, Optional.empty()).toMillis()).isBetween(100L, 200L);
      assertThat(backoff.delay(3, Optional.empty()).toMillis()).isBetween(200L, 400L);
    }
  }

  @Test
  void delay_isCappedAtTheMaximum() {
    for (int i = 0; i < 100; i++) {
      assertThat(backoff.delay(30, Optional.empty()).toMillis()).isBetween(1000L, 2000L);
    }
  }

  @Test
  void retryAfter_isAFloor() {
    assertThat(backoff.delay(1, Optional.of(Duration.ofSeconds(5))))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.delay(5, Optional.of(Duration.ofMillis(1))).toMillis())
        .isGreaterThanOrEqualTo(800L);
  }

  @Test
  void jitter_spreadsDelays() {
    long distinct =
        java.util.stream.IntStream.range(0, 50)
            .mapToObj(i -> backoff.delay(4, Optional.empty()))
            .distinct()
            .count();

    assertThat(distinct).isGreaterThan(10);
  }
}
