package org.bookcreator.app;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.telemetry.LogConfig;
import org.bookcreator.telemetry.Redactor;
import org.bookcreator.telemetry.SpanRecord;
import org.bookcreator.telemetry.SpanSink;
import org.bookcreator.telemetry.TelemetryConfig;
import org.bookcreator.telemetry.sdk.LogSetup;
import org.bookcreator.telemetry.sdk.TelemetrySdk;

/** Sets up logs, metrics and traces for one command, from the settings. */
final class Observability {
  static final String SERVICE = "book-creator";

  /** How a command uses the console. */
  enum Mode {
    /** run, demo, resume, bench: a progress display owns the terminal; logs go to the file. */
    FOREGROUND,
    /** serve: JSON log lines on stdout as well as the file. */
    SERVER,
    /** projects, runs: no file, warnings on stderr, no metrics. */
    READER
  }

  private Observability() {}

  /** Spans wait here until the store is open; before that they are dropped (and counted). */
  static final class DeferredSpanSink implements SpanSink {
    private volatile Store store;
    private final long max;
    private Runnable onDrop = () -> {};

    DeferredSpanSink(long max) {
      this.max = max;
    }

    void attach(Store store) {
      this.store = store;
    }

    @Override
    public void accept(List<SpanRecord> spans) {
      Store s = store;
      if (s == null) {
        spans.forEach(x -> onDrop.run());
        return;
      }
      s.recordSpans(spans, max);
    }
  }

  /**
   * Log records wait here until the store is open (before that they are dropped and counted);
   * retention runs on the same thread, at most once a minute.
   */
  static final class DeferredLogSink implements org.bookcreator.telemetry.LogSink {
    private volatile Store store;
    private final Duration maxAge;
    private final long maxRecords;
    private Runnable onDrop = () -> {};
    private long lastPrune;

    DeferredLogSink(Duration maxAge, long maxRecords) {
      this.maxAge = maxAge;
      this.maxRecords = maxRecords;
    }

    void attach(Store store) {
      this.store = store;
    }

    @Override
    public void accept(List<org.bookcreator.telemetry.LogLine> lines) {
      Store s = store;
      if (s == null) {
        lines.forEach(x -> onDrop.run());
        return;
      }
      s.recordLogs(lines);
      long now = System.nanoTime();
      if (lastPrune == 0 || now - lastPrune > 60_000_000_000L) {
        lastPrune = now;
        s.pruneLogs(java.time.Instant.now().minus(maxAge), maxRecords);
      }
    }
  }

  /** The telemetry of a command and the sinks that wait for its store (null: that store is off). */
  record Observed(TelemetrySdk telemetry, DeferredSpanSink spans, DeferredLogSink logs) {
    Observed(TelemetrySdk telemetry, DeferredSpanSink spans) {
      this(telemetry, spans, null);
    }

    /** Hands the opened store to the span and log sinks. */
    void attach(Store store) {
      if (spans != null) spans.attach(store);
      if (logs != null) logs.attach(store);
    }

    /**
     * Before the store closes: writes the queued log records, then lets later ones drop (counted).
     */
    void detach() {
      if (logs != null) {
        LogSetup.flushStore();
        logs.attach(null);
      }
    }
  }

  static Observed start(Settings settings, Mode mode) {
    org.bookcreator.telemetry.Instance.use(settings.get(Setting.INSTANCE_ID));
    Redactor redactor = redactor(settings, System.getenv());
    DeferredSpanSink sink =
        settings.get(Setting.SPAN_STORE)
            ? new DeferredSpanSink(settings.get(Setting.SPAN_STORE_MAX))
            : null;
    TelemetrySdk telemetry =
        mode == Mode.READER
            ? TelemetrySdk.noop()
            : TelemetrySdk.create(
                telemetryConfig(settings),
                redactor,
                sink,
                settings.get(Setting.SPAN_QUEUE),
                otlp(System.getenv()));
    if (sink != null) sink.onDrop = () -> telemetry.metrics().dropped("spans");

    LogConfig.Console console =
        switch (settings.get(Setting.LOG_CONSOLE)) {
          case "json" -> LogConfig.Console.JSON;
          case "text" -> LogConfig.Console.TEXT;
          case "off" -> LogConfig.Console.OFF;
          default ->
              switch (mode) {
                case SERVER -> LogConfig.Console.JSON;
                case READER -> LogConfig.Console.TEXT;
                case FOREGROUND -> LogConfig.Console.OFF;
              };
        };
    LogConfig config =
        new LogConfig(
            SERVICE,
            mode == Mode.READER
                ? Optional.empty()
                : Optional.of(settings.dataDir().resolve("logs")),
            console,
            mode == Mode.SERVER,
            mode == Mode.READER ? "WARN" : settings.get(Setting.LOG_LEVEL),
            settings.get(Setting.LOG_LEVEL),
            settings.get(Setting.LOG_LEVELS),
            settings.get(Setting.LOG_MAX_FILE_SIZE),
            settings.get(Setting.LOG_KEEP_FILES),
            8192);
    DeferredLogSink logs =
        mode != Mode.READER && settings.get(Setting.LOG_STORE)
            ? new DeferredLogSink(
                settings.get(Setting.LOG_STORE_MAX_AGE),
                settings.get(Setting.LOG_STORE_MAX_RECORDS))
            : null;
    if (logs != null) logs.onDrop = () -> telemetry.metrics().dropped("logs");
    LogSetup.install(config, redactor, () -> telemetry.metrics().dropped("logs"), logs);
    return new Observed(telemetry, sink, logs);
  }

  /**
   * An OTLP/HTTP span exporter when the standard variables ask for one ({@code
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, else {@code OTEL_EXPORTER_OTLP_ENDPOINT} plus {@code
   * /v1/traces}; headers from {@code OTEL_EXPORTER_OTLP_HEADERS}).
   */
  static List<SpanProcessor> otlp(Map<String, String> env) {
    String endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    if (endpoint == null || endpoint.isBlank()) {
      String base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
      if (base == null || base.isBlank()) return List.of();
      endpoint = base.replaceAll("/+$", "") + "/v1/traces";
    }
    var exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint);
    String headers = env.get("OTEL_EXPORTER_OTLP_HEADERS");
    if (headers != null) {
      for (String h : headers.split(",")) {
        int eq = h.indexOf('=');
        if (eq > 0)
          exporter.addHeader(
              h.substring(0, eq).strip(),
              java.net.URLDecoder.decode(
                  h.substring(eq + 1).strip(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return List.of(BatchSpanProcessor.builder(exporter.build()).setMaxQueueSize(8192).build());
  }

  static TelemetryConfig telemetryConfig(Settings settings) {
    return new TelemetryConfig(
        SERVICE,
        settings.get(Setting.METRICS_ENABLED),
        settings.get(Setting.TRACING_ENABLED),
        settings.get(Setting.SAMPLING_RATIO),
        settings.get(Setting.CAPTURE_CONTENT),
        settings.prices().modelLabels());
  }

  /**
   * Masks API keys and tokens taken from the environment (any variable whose name ends in KEY,
   * TOKEN, SECRET or PASSWORD), the providers' keys however they were given, the API token, the
   * webhook URLs and secret, the SMTP password and the values listed in {@code logging.redact}.
   */
  static Redactor redactor(Settings settings, Map<String, String> env) {
    List<String> secrets = new ArrayList<>();
    env.forEach(
        (k, v) -> {
          String name = k.toUpperCase(java.util.Locale.ROOT);
          if (name.endsWith("KEY")
              || name.endsWith("TOKEN")
              || name.endsWith("SECRET")
              || name.endsWith("PASSWORD")) secrets.add(v);
        });
    settings.providers().openai().apiKey().ifPresent(secrets::add);
    settings.providers().anthropic().apiKey().ifPresent(secrets::add);
    settings.get(Setting.HTTP_TOKEN).ifPresent(secrets::add);
    settings.get(Setting.NOTIFY_WEBHOOK_SECRET).ifPresent(secrets::add);
    settings.get(Setting.NOTIFY_EMAIL_PASSWORD).ifPresent(secrets::add);
    try {
      settings.storePassword().ifPresent(secrets::add);
    } catch (StoreException e) {
      // an unreadable password file is told when the store is opened; there is nothing to mask
    }
    secrets.addAll(settings.get(Setting.NOTIFY_WEBHOOKS));
    secrets.addAll(settings.get(Setting.LOG_REDACT));
    return new Redactor(secrets);
  }
}
