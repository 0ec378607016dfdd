package org.bookcreator.core.support;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task every interval, first after one interval, on a daemon thread of its own, until
 * closed. A run that is still going when the next is due delays it (fixed delay): runs never
 * overlap. The task must catch what it throws; a throw stops the ticks.
 */
public final class Ticker implements AutoCloseable {
  private final ScheduledExecutorService executor;

  private Ticker(ScheduledExecutorService executor) {
    this.executor = executor;
  }

  /** Starts ticking: {@code task} on the thread {@code name}, every {@code every}. */
  public static Ticker every(String name, Duration every, Runnable task) {
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon(true).name(name).unstarted(r));
    executor.scheduleWithFixedDelay(
        task, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    return new Ticker(executor);
  }

  /** Stops the ticks; a run in progress is interrupted. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
