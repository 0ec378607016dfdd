package org.bookcreator.telemetry.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchingQueueTest {
  @Test
  void aFullQueue_dropsAndCounts_withoutBlocking() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger dropped = new AtomicInteger();
    List<Integer> written = java.util.Collections.synchronizedList(new ArrayList<>());
    try (BatchingQueue<Integer> q =
        new BatchingQueue<>(
            "test-queue",
            10,
            5,
            1,
            batch -> {
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              written.addAll(batch);
            },
            dropped::incrementAndGet)) {
      // The writer is stuck on the first batch: offers beyond the capacity must drop, not wait.
      int accepted = 0;
      for (int i = 0; i < 100; i++) if (q.offer(i)) accepted++;

      assertThat(dropped.get()).isEqualTo(100 - accepted);
      assertThat(accepted).isBetween(10, 15);
      release.countDown();
    }
    assertThat(written).hasSize(100 - dropped.get());
  }

  @Test
  void aFailingWriter_countsItsBatchAsDropped_andTheQueueGoesOn() {
    AtomicInteger dropped = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    List<Integer> written = new ArrayList<>();
    try (BatchingQueue<Integer> q =
        new BatchingQueue<>(
            "test-queue",
            100,
            3,
            10_000,
            batch -> {
              if (calls.incrementAndGet() == 1) throw new IllegalStateException("disk full");
              written.addAll(batch);
            },
            dropped::incrementAndGet)) {
      for (int i = 0; i < 6; i++) q.offer(i);

      q.flush();

      assertThat(dropped.get()).isEqualTo(3);
      assertThat(written).containsExactly(3, 4, 5);
    }
  }
}
