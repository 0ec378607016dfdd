package org.bookcreator.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The telemetry of one process: an OpenTelemetry SDK whose metrics are read by Prometheus (with JVM
 * metrics beside them) and whose spans go to the processors given. Built once by the composition
 * root and passed to whatever records; {@link #noop()} when telemetry is off costs nothing.
 * Thread-safe.
 */
public final class Telemetry implements AutoCloseable {
  private final TelemetryConfig config;
  private final OpenTelemetry openTelemetry;
  private final SdkMeterProvider meterProvider;
  private final SdkTracerProvider tracerProvider;
  private final PrometheusRegistry registry;
  private final BookMetrics metrics;
  private final Redactor redactor;

  private final Sampler rootSampler;

  private Telemetry(
      TelemetryConfig config,
      OpenTelemetry openTelemetry,
      SdkMeterProvider meterProvider,
      SdkTracerProvider tracerProvider,
      PrometheusRegistry registry,
      Redactor redactor,
      BookMetrics metrics) {
    this.config = config;
    this.openTelemetry = openTelemetry;
    this.meterProvider = meterProvider;
    this.tracerProvider = tracerProvider;
    this.registry = registry;
    this.redactor = redactor;
    this.metrics = metrics;
    this.rootSampler = Sampler.traceIdRatioBased(config.samplingRatio());
  }

  /** Telemetry that records nothing. */
  public static Telemetry noop() {
    return new Telemetry(
        new TelemetryConfig("book-creator", false, false, 0, false, java.util.Set.of()),
        OpenTelemetry.noop(),
        null,
        null,
        new PrometheusRegistry(),
        Redactor.none(),
        new BookMetrics(OpenTelemetry.noop().getMeter("org.bookcreator"), java.util.Set.of()));
  }

  /**
   * Builds the SDK.
   *
   * @param spanProcessors where sampled spans go (the local span store, OTLP); ignored when tracing
   *     is off
   */
  public static Telemetry create(
      TelemetryConfig config, Redactor redactor, List<SpanProcessor> spanProcessors) {
    return create(config, redactor, null, 0, spanProcessors);
  }

  /**
   * Builds the SDK; with a {@code spanStore}, sampled spans are also kept locally through a bounded
   * queue of {@code spanQueue} spans (drops counted).
   */
  public static Telemetry create(
      TelemetryConfig config,
      Redactor redactor,
      SpanSink spanStore,
      int spanQueue,
      List<SpanProcessor> spanProcessors) {
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.of(
                        io.opentelemetry.api.common.AttributeKey.stringKey("service.name"),
                        config.service())));
    PrometheusRegistry registry = new PrometheusRegistry();
    SdkMeterProvider meters = null;
    if (config.metrics()) {
      PrometheusMetricReader reader =
          PrometheusMetricReader.builder()
              .setOtelScopeLabelsEnabled(false)
              .setTargetInfoMetricEnabled(false)
              .build();
      registry.register(reader);
      JvmMetrics.builder().register(registry);
      meters =
          SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader).build();
    }
    BookMetrics metrics =
        new BookMetrics(
            meters == null
                ? OpenTelemetry.noop().getMeter("org.bookcreator")
                : meters.get("org.bookcreator"),
            config.models());
    SdkTracerProvider tracers = null;
    if (config.tracing()) {
      var b =
          SdkTracerProvider.builder()
              .setResource(resource)
              .setIdGenerator(new KeyedIdGenerator())
              .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.samplingRatio())));
      if (spanStore != null)
        b.addSpanProcessor(
            new StoringSpanProcessor(
                spanStore, redactor, spanQueue, () -> metrics.dropped("spans")));
      spanProcessors.forEach(b::addSpanProcessor);
      tracers = b.build();
    }
    var sdk = OpenTelemetrySdk.builder();
    if (meters != null) sdk.setMeterProvider(meters);
    if (tracers != null) sdk.setTracerProvider(tracers);
    return new Telemetry(config, sdk.build(), meters, tracers, registry, redactor, metrics);
  }

  /** A stable 32-hex-digit trace id for a key (a run id): the same in every process. */
  public static String traceIdFor(String key) {
    return KEYED_IDS.get(key, 16);
  }

  /** A stable 16-hex-digit span id for a key such as {@code run_x/outline}. */
  public static String spanIdFor(String key) {
    return KEYED_IDS.get("span:" + key, 8);
  }

  private static final KeyedIds KEYED_IDS = new KeyedIds(8192);

  /** Whether the trace with this key is kept (the same decision in every process). */
  public boolean sampled(String traceKey) {
    if (tracerProvider == null) return false;
    return rootSampler
            .shouldSample(
                io.opentelemetry.context.Context.root(),
                traceIdFor(traceKey),
                "",
                SpanKind.INTERNAL,
                Attributes.empty(),
                List.of())
            .getDecision()
        == SamplingDecision.RECORD_AND_SAMPLE;
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
    if (tracerProvider == null) return;
    try {
      var builder =
          tracer()
              .spanBuilder(name)
              .setSpanKind(SpanKind.INTERNAL)
              .setAllAttributes(attributes)
              .setStartTimestamp(start);
      builder.setParent(
          parentSpanKey == null
              ? io.opentelemetry.context.Context.root()
              : io.opentelemetry.context.Context.root()
                  .with(Span.wrap(contextOf(traceKey, parentSpanKey))));
      KeyedIdGenerator.next(traceIdFor(traceKey), spanIdFor(spanKey));
      Span span;
      try {
        span = builder.startSpan();
      } finally {
        KeyedIdGenerator.clear();
      }
      if (errorType != null) {
        span.setAttribute(SemConv.ERROR_TYPE, errorType);
        span.setStatus(StatusCode.ERROR);
      }
      span.end(end);
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Telemetry.class).debug("span {} not recorded", name, e);
    }
  }

  /**
   * Starts a span under a (possibly remote) parent; the caller ends it. No-op when tracing is off.
   */
  public Span startSpan(String name, SpanKind kind, SpanContext parent, Attributes attributes) {
    return tracer()
        .spanBuilder(name)
        .setSpanKind(kind)
        .setAllAttributes(attributes)
        .setParent(io.opentelemetry.context.Context.root().with(Span.wrap(parent)))
        .startSpan();
  }

  /** Exports buffered spans now (for tests and before reading the local span store). */
  public void flush() {
    if (tracerProvider != null) tracerProvider.forceFlush().join(10, TimeUnit.SECONDS);
  }

  public TelemetryConfig config() {
    return config;
  }

  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** The tracer of our instrumentation, looked up once: every task asks for it. */
  public Tracer tracer() {
    Tracer t = tracer;
    if (t == null) {
      t = openTelemetry.getTracer("org.bookcreator");
      tracer = t;
    }
    return t;
  }

  private volatile Tracer tracer;

  public Meter meter() {
    return openTelemetry.getMeter("org.bookcreator");
  }

  public BookMetrics metrics() {
    return metrics;
  }

  public Redactor redactor() {
    return redactor;
  }

  /** The registry {@code /metrics} serves. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** The current metrics in the Prometheus text format (what {@code /metrics} returns). */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create()
          .write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Exports what is buffered (spans) and stops. */
  @Override
  public void close() {
    if (tracerProvider != null) tracerProvider.shutdown().join(10, TimeUnit.SECONDS);
    if (meterProvider != null) meterProvider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
