package org.bookcreator.telemetry.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded queue drained in batches by one daemon thread: {@link #offer} never blocks (a full
 * queue drops the item and calls {@code onDrop}); the thread lingers up to {@code lingerMillis} to
 * fill a batch, then hands it to the writer. A failing writer drops (and counts) its batch and is
 * logged, never thrown. {@link #flush} writes everything queued before it returns.
 */
final class BatchingQueue<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BatchingQueue.class);
  private static final long POLL_MILLIS = 20;

  private final BlockingQueue<T> queue;
  private final int batch;
  private final long lingerMillis;
  private final Consumer<List<T>> writer;
  private final Runnable onDrop;
  private final String what;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ReentrantLock flushLock = new ReentrantLock();
  private final Thread thread;

  BatchingQueue(
      String name,
      int capacity,
      int batch,
      long lingerMillis,
      Consumer<List<T>> writer,
      Runnable onDrop) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.batch = batch;
    this.lingerMillis = lingerMillis;
    this.writer = writer;
    this.onDrop = onDrop;
    this.what = name;
    this.thread = Thread.ofPlatform().daemon(true).name(name).start(this::drainLoop);
  }

  /** Queues an item; false (and counted) when the queue is full. Never blocks. */
  boolean offer(T item) {
    if (queue.offer(item)) return true;
    onDrop.run();
    return false;
  }

  private void drainLoop() {
    try {
      while (running.get()) {
        // Items stay in the queue while the batch fills, so a flush (which drains under the same
        // lock) never misses any.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lingerMillis);
        while (queue.size() < batch && running.get() && System.nanoTime() < deadline) {
          Thread.sleep(POLL_MILLIS);
        }
        flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes everything queued, in batches, before returning. */
  void flush() {
    flushLock.lock();
    try {
      List<T> items = new ArrayList<>(batch);
      while (queue.drainTo(items, batch) > 0) {
        try {
          writer.accept(items);
        } catch (RuntimeException e) {
          for (int i = 0; i < items.size(); i++) onDrop.run();
          log.warn("could not store {} {}; they are dropped and counted", items.size(), what, e);
        }
        items = new ArrayList<>(batch);
      }
    } finally {
      flushLock.unlock();
    }
  }

  /** Stops the thread and writes what is left. */
  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flush();
  }
}
