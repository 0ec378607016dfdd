package org.bookcreator.telemetry.sdk;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.instrumentation.runtimetelemetry.RuntimeTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
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
 * The telemetry of one process wired to the OpenTelemetry SDK: metrics read by Prometheus (JVM
 * metrics under OpenTelemetry's runtime conventions, the Prometheus client's {@code process_*}
 * beside them, and {@code target_info} naming the service), spans sent to the processors given.
 * Built once by the composition root, which hands it on as a {@link Telemetry}: nothing but the app
 * sees this type. Thread-safe.
 */
public final class TelemetrySdk extends Telemetry implements AutoCloseable {
  private static final String SCOPE = "org.bookcreator";

  private final SdkMeterProvider meterProvider;
  private final SdkTracerProvider tracerProvider;
  private final PrometheusRegistry registry;
  private final Sampler rootSampler;
  private final RuntimeTelemetry runtime;

  private TelemetrySdk(
      TelemetryConfig config,
      OpenTelemetry openTelemetry,
      SdkMeterProvider meterProvider,
      SdkTracerProvider tracerProvider,
      PrometheusRegistry registry,
      RuntimeTelemetry runtime,
      Redactor redactor,
      BookMetrics metrics) {
    super(config, openTelemetry, metrics, redactor);
    this.runtime = runtime;
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
        null,
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
    Resource resource = Resource.getDefault().merge(Resource.create(serviceAttributes(config)));
    PrometheusRegistry registry = new PrometheusRegistry();
    SdkMeterProvider meters = null;
    if (config.metrics()) {
      PrometheusMetricReader reader =
          PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build();
      registry.register(reader);
      ProcessMetrics.builder().register(registry);
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
    OpenTelemetrySdk otel = sdk.build();
    // JVM metrics from the JMX beans (memory, GC, threads, classes, CPU), no JFR recording.
    RuntimeTelemetry runtime = meters == null ? null : RuntimeTelemetry.create(otel);
    return new TelemetrySdk(config, otel, meters, tracers, registry, runtime, redactor, metrics);
  }

  /**
   * What names this process on every signal, and on {@code /metrics} as {@code target_info}: {@code
   * service.name} from the config, {@code service.version} from the jar's manifest ({@code dev}
   * when run from classes), and the process's {@code service.instance.id} ({@link
   * org.bookcreator.telemetry.Instance}, also on every log line), as the resource conventions ask.
   */
  static Attributes serviceAttributes(TelemetryConfig config) {
    String version = TelemetrySdk.class.getPackage().getImplementationVersion();
    return Attributes.of(
        AttributeKey.stringKey("service.name"),
        config.service(),
        AttributeKey.stringKey("service.version"),
        version == null ? "dev" : version,
        AttributeKey.stringKey("service.instance.id"),
        org.bookcreator.telemetry.Instance.id());
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
    if (runtime != null) runtime.close();
    if (tracerProvider != null) tracerProvider.shutdown().join(10, TimeUnit.SECONDS);
    if (meterProvider != null) meterProvider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
