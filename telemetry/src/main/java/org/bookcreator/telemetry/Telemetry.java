package org.bookcreator.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The telemetry of one process: an OpenTelemetry SDK whose metrics are read by Prometheus (with
 * JVM metrics beside them) and whose spans go to the processors given. Built once by the
 * composition root and passed to whatever records; {@link #noop()} when telemetry is off costs
 * nothing. Thread-safe.
 */
public final class Telemetry implements AutoCloseable {
  private final TelemetryConfig config;
  private final OpenTelemetry openTelemetry;
  private final SdkMeterProvider meterProvider;
  private final SdkTracerProvider tracerProvider;
  private final PrometheusRegistry registry;
  private final BookMetrics metrics;
  private final Redactor redactor;

  private Telemetry(TelemetryConfig config, OpenTelemetry openTelemetry, SdkMeterProvider meterProvider,
      SdkTracerProvider tracerProvider, PrometheusRegistry registry, Redactor redactor) {
    this.config = config;
    this.openTelemetry = openTelemetry;
    this.meterProvider = meterProvider;
    this.tracerProvider = tracerProvider;
    this.registry = registry;
    this.redactor = redactor;
    this.metrics = new BookMetrics(openTelemetry.getMeter("org.bookcreator"), config.models());
  }

  /** Telemetry that records nothing. */
  public static Telemetry noop() {
    return new Telemetry(new TelemetryConfig("book-creator", false, false, 0, false, java.util.Set.of()),
        OpenTelemetry.noop(), null, null, new PrometheusRegistry(), Redactor.none());
  }

  /**
   * Builds the SDK.
   *
   * @param spanProcessors where sampled spans go (the local span store, OTLP); ignored when tracing
   *     is off
   */
  public static Telemetry create(TelemetryConfig config, Redactor redactor, List<SpanProcessor> spanProcessors) {
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), config.service())));
    PrometheusRegistry registry = new PrometheusRegistry();
    SdkMeterProvider meters = null;
    if (config.metrics()) {
      PrometheusMetricReader reader = PrometheusMetricReader.builder()
          .setOtelScopeLabelsEnabled(false)
          .setTargetInfoMetricEnabled(false)
          .build();
      registry.register(reader);
      JvmMetrics.builder().register(registry);
      meters = SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader).build();
    }
    SdkTracerProvider tracers = null;
    if (config.tracing()) {
      var b = SdkTracerProvider.builder().setResource(resource)
          .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.samplingRatio())));
      spanProcessors.forEach(b::addSpanProcessor);
      tracers = b.build();
    }
    var sdk = OpenTelemetrySdk.builder();
    if (meters != null) sdk.setMeterProvider(meters);
    if (tracers != null) sdk.setTracerProvider(tracers);
    return new Telemetry(config, sdk.build(), meters, tracers, registry, redactor);
  }

  public TelemetryConfig config() {
    return config;
  }

  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  public Tracer tracer() {
    return openTelemetry.getTracer("org.bookcreator");
  }

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
      PrometheusTextFormatWriter.create().write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
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
