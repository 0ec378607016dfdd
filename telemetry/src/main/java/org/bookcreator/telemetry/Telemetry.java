package org.bookcreator.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * What the code that records telemetry sees of it: the tracer, the metric catalogue, the redactor,
 * the configuration flags and the keyed ids of runs and stages. Only OpenTelemetry API types cross
 * this boundary; the SDK, the exporters and Logback are wired by the composition root through
 * {@code org.bookcreator.telemetry.sdk.TelemetrySdk}, the one subclass. {@link #noop()} records
 * nothing and costs nothing. Thread-safe; no method throws into the caller.
 */
public class Telemetry {
  private static final String SCOPE = "org.bookcreator";
  private static final KeyedIds KEYED_IDS = new KeyedIds(8192);

  private final TelemetryConfig config;
  private final OpenTelemetry openTelemetry;
  private final BookMetrics metrics;
  private final Redactor redactor;
  private final Tracer tracer;

  /**
   * For the SDK wiring: the API view of an {@link OpenTelemetry} and the metrics recorded on it.
   */
  protected Telemetry(
      TelemetryConfig config, OpenTelemetry openTelemetry, BookMetrics metrics, Redactor redactor) {
    this.config = config;
    this.openTelemetry = openTelemetry;
    this.metrics = metrics;
    this.redactor = redactor;
    this.tracer = openTelemetry.getTracer(SCOPE);
  }

  /** Telemetry that records nothing. */
  public static Telemetry noop() {
    return new Telemetry(
        new TelemetryConfig("book-creator", false, false, 0, false, Set.of()),
        OpenTelemetry.noop(),
        new BookMetrics(OpenTelemetry.noop().getMeter(SCOPE), ModelLabels.allowing(Set.of())),
        Redactor.none());
  }

  /** A stable 32-hex-digit trace id for a key (a run id): the same in every process. */
  public static String traceIdFor(String key) {
    return KEYED_IDS.get(key, 16);
  }

  /** A stable 16-hex-digit span id for a key such as {@code run_x/outline}. */
  public static String spanIdFor(String key) {
    return KEYED_IDS.get("span:" + key, 8);
  }

  /**
   * Whether the trace with this key is kept (the same decision in every process). Always false
   * here; the SDK decides by its sampling ratio.
   */
  public boolean sampled(String traceKey) {
    return false;
  }

  /**
   * Starts {@code builder}'s span with these ids instead of random ones. Without an SDK there are
   * no ids to choose, so this only starts the span.
   */
  protected Span startWithIds(SpanBuilder builder, String traceId, String spanId) {
    return builder.startSpan();
  }

  /**
   * The context of a span recorded later (or in another process) under keyed ids, to parent spans
   * on: {@code spanKey} null means the trace's root span.
   */
  public SpanContext contextOf(String traceKey, String spanKey) {
    return SpanContext.createFromRemoteParent(
        traceIdFor(traceKey),
        spanIdFor(spanKey),
        sampled(traceKey) ? TraceFlags.getSampled() : TraceFlags.getDefault(),
        TraceState.getDefault());
  }

  /**
   * Records a finished span with keyed ids and explicit times: how long-lived spans (a run, a
   * stage) that may outlive the process are written once they end. Never throws.
   */
  public void recordSpan(
      String name,
      String traceKey,
      String spanKey,
      String parentSpanKey,
      Instant start,
      Instant end,
      Attributes attributes,
      String errorType) {
    if (!config.tracing()) return;
    try {
      SpanBuilder builder =
          tracer
              .spanBuilder(name)
              .setSpanKind(SpanKind.INTERNAL)
              .setAllAttributes(attributes)
              .setStartTimestamp(start);
      builder.setParent(
          parentSpanKey == null
              ? Context.root()
              : Context.root().with(Span.wrap(contextOf(traceKey, parentSpanKey))));
      Span span = startWithIds(builder, traceIdFor(traceKey), spanIdFor(spanKey));
      if (errorType != null) {
        span.setAttribute(SemConv.ERROR_TYPE, errorType);
        span.setStatus(StatusCode.ERROR);
      }
      span.end(end);
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(Telemetry.class).debug("span {} not recorded", name, e);
    }
  }

  /**
   * Starts a span under a (possibly remote) parent; the caller ends it. No-op when tracing is off.
   */
  public Span startSpan(String name, SpanKind kind, SpanContext parent, Attributes attributes) {
    return tracer
        .spanBuilder(name)
        .setSpanKind(kind)
        .setAllAttributes(attributes)
        .setParent(Context.root().with(Span.wrap(parent)))
        .startSpan();
  }

  public TelemetryConfig config() {
    return config;
  }

  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** The tracer of our instrumentation, looked up once: every task asks for it. */
  public Tracer tracer() {
    return tracer;
  }

  public Meter meter() {
    return openTelemetry.getMeter(SCOPE);
  }

  public BookMetrics metrics() {
    return metrics;
  }

  public Redactor redactor() {
    return redactor;
  }
}
