package org.bookcreator.telemetry.sdk;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
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
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bookcreator.telemetry.BookMetrics;
import org.bookcreator.telemetry.ModelLabels;
import org.bookcreator.telemetry.Redactor;
import org.bookcreator.telemetry.SpanSink;
import org.bookcreator.telemetry.Telemetry;
import org.bookcreator.telemetry.TelemetryConfig;

/**
 * The telemetry of one process wired to the OpenTelemetry SDK: metrics read by Prometheus (with JVM
 * metrics beside them), spans sent to the processors given. Built once by the composition root,
 * which hands it on as a {@link Telemetry}: nothing but the app sees this type. Thread-safe.
 */
public final class TelemetrySdk extends Telemetry implements AutoCloseable {
  private static final String SCOPE = "org.bookcreator";

  private final SdkMeterProvider meterProvider;
  private final SdkTracerProvider tracerProvider;
  private final PrometheusRegistry registry;
  private final Sampler rootSampler;

  private TelemetrySdk(
      TelemetryConfig config,
      OpenTelemetry openTelemetry,
      SdkMeterProvider meterProvider,
      SdkTracerProvider tracerProvider,
      PrometheusRegistry registry,
      Redactor redactor,
      BookMetrics metrics) {
    super(config, openTelemetry, metrics, redactor);
    this.meterProvider = meterProvider;
    this.tracerProvider = tracerProvider;
    this.registry = registry;
    this.rootSampler = Sampler.traceIdRatioBased(config.samplingRatio());
  }

  /** Telemetry that records nothing, with an empty registry behind {@code /metrics}. */
  public static TelemetrySdk noop() {
    return new TelemetrySdk(
        new TelemetryConfig("book-creator", false, false, 0, false, Set.of()),
        OpenTelemetry.noop(),
        null,
        null,
        new PrometheusRegistry(),
        Redactor.none(),
        new BookMetrics(OpenTelemetry.noop().getMeter(SCOPE), ModelLabels.allowing(Set.of())));
  }

  /**
   * Builds the SDK.
   *
   * @param spanProcessors where sampled spans go (the local span store, OTLP); ignored when tracing
   *     is off
   */
  public static TelemetrySdk create(
      TelemetryConfig config, Redactor redactor, List<SpanProcessor> spanProcessors) {
    return create(config, redactor, null, 0, spanProcessors);
  }

  /**
   * Builds the SDK; with a {@code spanStore}, sampled spans are also kept locally through a bounded
   * queue of {@code spanQueue} spans (drops counted).
   */
  public static TelemetrySdk create(
      TelemetryConfig config,
      Redactor redactor,
      SpanSink spanStore,
      int spanQueue,
      List<SpanProcessor> spanProcessors) {
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.of(AttributeKey.stringKey("service.name"), config.service())));
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
            meters == null ? OpenTelemetry.noop().getMeter(SCOPE) : meters.get(SCOPE),
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
    return new TelemetrySdk(config, sdk.build(), meters, tracers, registry, redactor, metrics);
  }

  @Override
  public boolean sampled(String traceKey) {
    if (tracerProvider == null) return false;
    return rootSampler
            .shouldSample(
                Context.root(),
                traceIdFor(traceKey),
                "",
                SpanKind.INTERNAL,
                Attributes.empty(),
                List.of())
            .getDecision()
        == SamplingDecision.RECORD_AND_SAMPLE;
  }

  @Override
  protected Span startWithIds(SpanBuilder builder, String traceId, String spanId) {
    KeyedIdGenerator.next(traceId, spanId);
    try {
      return builder.startSpan();
    } finally {
      KeyedIdGenerator.clear();
    }
  }

  /** Exports buffered spans now (for tests and before reading the local span store). */
  public void flush() {
    if (tracerProvider != null) tracerProvider.forceFlush().join(10, TimeUnit.SECONDS);
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
