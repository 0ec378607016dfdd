package org.bookcreator.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps sampled spans in the local store: a bounded queue filled on the recording thread (never
 * blocking it; a full queue drops the span and counts it in {@code
 * book_creator_telemetry_dropped_total{signal="spans"}}) and drained in batches by one daemon
 * thread. Attribute values are redacted before they are kept.
 */
public final class StoringSpanProcessor implements SpanProcessor {
  private static final Logger log = LoggerFactory.getLogger(StoringSpanProcessor.class);
  static final int BATCH = 512;
  static final long LINGER_MILLIS = 500;
  private static final long POLL_MILLIS = 20;

  private final BlockingQueue<SpanData> queue;
  private final SpanSink sink;
  private final Redactor redactor;
  private final Runnable onDrop;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread worker;
  private final java.util.concurrent.locks.ReentrantLock flushLock = new java.util.concurrent.locks.ReentrantLock();

  public StoringSpanProcessor(SpanSink sink, Redactor redactor, int capacity, Runnable onDrop) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.sink = sink;
    this.redactor = redactor;
    this.onDrop = onDrop;
    this.worker = Thread.ofPlatform().daemon(true).name("span-store").start(this::drainLoop);
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    if (!span.getSpanContext().isSampled()) return;
    if (!queue.offer(span.toSpanData())) onDrop.run();
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  private void drainLoop() {
    try {
      while (running.get()) {
        // Linger to fill the batch: one transaction per few hundred spans. Spans stay in the queue
        // meanwhile, so a flush (which drains under the same lock) never misses any.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
        while (queue.size() < BATCH && running.get() && System.nanoTime() < deadline) {
          Thread.sleep(POLL_MILLIS);
        }
        drainAndWrite();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes everything queued, in batches; what a flush or shutdown waits for. */
  private void drainAndWrite() {
    flushLock.lock();
    try {
      List<SpanData> batch = new ArrayList<>(BATCH);
      while (queue.drainTo(batch, BATCH) > 0) {
        write(batch);
        batch.clear();
      }
    } finally {
      flushLock.unlock();
    }
  }

  private void write(List<SpanData> batch) {
    try {
      sink.accept(batch.stream().map(this::record).toList());
    } catch (RuntimeException e) {
      for (int i = 0; i < batch.size(); i++) onDrop.run();
      log.warn("could not store {} span(s); they are dropped and counted", batch.size(), e);
    }
  }

  SpanRecord record(SpanData s) {
    Map<String, String> attrs = new LinkedHashMap<>();
    // Only text can carry a secret; numbers and booleans skip the redactor.
    s.getAttributes().forEach((k, v) -> attrs.put(k.getKey(), v instanceof Number || v instanceof Boolean ? String.valueOf(v) : redactor.redact(String.valueOf(v))));
    String parent = s.getParentSpanContext().isValid() ? s.getParentSpanId() : null;
    String error = s.getAttributes().get(AttributeKey.stringKey(SemConv.ERROR_TYPE.getKey()));
    return new SpanRecord(
        s.getTraceId(), s.getSpanId(), Optional.ofNullable(parent),
        Optional.ofNullable(s.getAttributes().get(SemConv.RUN_ID)),
        redactor.redact(s.getName()), s.getKind().name().toLowerCase(java.util.Locale.ROOT),
        s.getStartEpochNanos(), s.getEndEpochNanos(),
        s.getStatus().getStatusCode() == StatusCode.ERROR ? "error" : "ok",
        Optional.ofNullable(error), attrs);
  }

  @Override
  public CompletableResultCode forceFlush() {
    drainAndWrite();
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    running.set(false);
    try {
      worker.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return forceFlush();
  }
}
