package org.bookcreator.core.pipeline;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes idle workers when work is enqueued. A ReentrantLock, not synchronized: virtual threads.
 *
 * <p>New work wakes one idle worker ({@link #signalOne}); a worker that claims a task wakes the
 * next ({@link WorkerPool}), so a burst of tasks is picked up one claim after another and only the
 * last claim of the burst comes back empty, where waking every idle worker for every queued task
 * sent all of them to the store, most for nothing.
 */
final class WorkSignal {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private long generation;

  /** Wakes one waiting worker, and lets any worker about to wait look once more instead. */
  void signalOne() {
    lock.lock();
    try {
      generation++;
      changed.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every waiting worker: the pool stops. */
  void signalAll() {
    lock.lock();
    try {
      generation++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  long generation() {
    lock.lock();
    try {
      return generation;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until signalled after {@code seen} or until the timeout passes. */
  void awaitChange(long seen, Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (generation == seen && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  static void sleep(Duration d) throws InterruptedException {
    if (!d.isZero() && !d.isNegative()) TimeUnit.NANOSECONDS.sleep(d.toNanos());
  }
}
