package org.bookcreator.telemetry.sdk;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.telemetry.Redactor;
import org.bookcreator.telemetry.SemConv;
import org.bookcreator.telemetry.SpanRecord;
import org.bookcreator.telemetry.SpanSink;

/**
 * Keeps sampled spans in the local store: a bounded queue filled on the recording thread (never
 * blocking it; a full queue drops the span and counts it in {@code
 * book_creator_telemetry_dropped_total{signal="spans"}}) and drained in batches by one daemon
 * thread. Attribute values are redacted before they are kept.
 */
public final class StoringSpanProcessor implements SpanProcessor {
  static final int BATCH = 512;
  static final long LINGER_MILLIS = 500;

  private final BatchingQueue<SpanData> queue;
  private final Redactor redactor;

  public StoringSpanProcessor(SpanSink sink, Redactor redactor, int capacity, Runnable onDrop) {
    this.redactor = redactor;
    this.queue =
        new BatchingQueue<>(
            "span-store",
            capacity,
            BATCH,
            LINGER_MILLIS,
            batch -> sink.accept(batch.stream().map(this::record).toList()),
            onDrop);
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
    queue.offer(span.toSpanData());
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  SpanRecord record(SpanData s) {
    Map<String, String> attrs = new LinkedHashMap<>();
    // Only text can carry a secret; numbers and booleans skip the redactor.
    s.getAttributes()
        .forEach(
            (k, v) ->
                attrs.put(
                    k.getKey(),
                    v instanceof Number || v instanceof Boolean
                        ? String.valueOf(v)
                        : redactor.redact(String.valueOf(v))));
    String parent = s.getParentSpanContext().isValid() ? s.getParentSpanId() : null;
    String error = s.getAttributes().get(AttributeKey.stringKey(SemConv.ERROR_TYPE.getKey()));
    return new SpanRecord(
        s.getTraceId(),
        s.getSpanId(),
        Optional.ofNullable(parent),
        Optional.ofNullable(s.getAttributes().get(SemConv.RUN_ID)),
        redactor.redact(s.getName()),
        s.getKind().name().toLowerCase(java.util.Locale.ROOT),
        s.getStartEpochNanos(),
        s.getEndEpochNanos(),
        s.getStatus().getStatusCode() == StatusCode.ERROR ? "error" : "ok",
        Optional.ofNullable(error),
        attrs);
  }

  @Override
  public CompletableResultCode forceFlush() {
    queue.flush();
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    queue.close();
    return CompletableResultCode.ofSuccess();
  }
}
