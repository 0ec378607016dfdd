package org.bookcreator.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IdleWaitTest {
  private static Duration ms(long n) {
    return Duration.ofMillis(n);
  }

  @Test
  void startsAtThePoll_andDoublesWithEachEmptyClaim_toOneSecond() {
    assertThat(WorkerPool.idleWait(ms(50), 1)).isEqualTo(ms(50));
    assertThat(WorkerPool.idleWait(ms(50), 2)).isEqualTo(ms(100));
    assertThat(WorkerPool.idleWait(ms(50), 5)).isEqualTo(ms(800));
    assertThat(WorkerPool.idleWait(ms(50), 6)).isEqualTo(ms(1000));
    assertThat(WorkerPool.idleWait(ms(50), Integer.MAX_VALUE)).isEqualTo(ms(1000));
  }

  @Test
  void aPollLongerThanTheCap_isKept() {
    assertThat(WorkerPool.idleWait(Duration.ofSeconds(5), 1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(WorkerPool.idleWait(Duration.ofSeconds(5), 9)).isEqualTo(Duration.ofSeconds(5));
  }
}
