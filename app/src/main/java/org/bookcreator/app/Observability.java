package org.bookcreator.app;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.telemetry.LogConfig;
import org.bookcreator.telemetry.LogSetup;
import org.bookcreator.telemetry.Redactor;
import org.bookcreator.telemetry.Telemetry;
import org.bookcreator.telemetry.TelemetryConfig;

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

  static Telemetry start(Settings settings, Mode mode) {
    Redactor redactor = redactor(settings, System.getenv());
    Telemetry telemetry = mode == Mode.READER
        ? Telemetry.noop()
        : Telemetry.create(telemetryConfig(settings), redactor, List.of());
    LogConfig.Console console = switch (settings.get(Setting.LOG_CONSOLE)) {
      case "json" -> LogConfig.Console.JSON;
      case "text" -> LogConfig.Console.TEXT;
      case "off" -> LogConfig.Console.OFF;
      default -> switch (mode) {
        case SERVER -> LogConfig.Console.JSON;
        case READER -> LogConfig.Console.TEXT;
        case FOREGROUND -> LogConfig.Console.OFF;
      };
    };
    LogConfig config = new LogConfig(
        SERVICE,
        mode == Mode.READER ? Optional.empty() : Optional.of(settings.dataDir().resolve("logs")),
        console,
        mode == Mode.SERVER,
        mode == Mode.READER ? "WARN" : settings.get(Setting.LOG_LEVEL),
        settings.get(Setting.LOG_LEVEL),
        settings.logLevels(),
        settings.logFileBytes(),
        settings.integerValue(Setting.LOG_KEEP_FILES),
        8192);
    LogSetup.install(config, redactor, () -> telemetry.metrics().dropped("logs"));
    return telemetry;
  }

  static TelemetryConfig telemetryConfig(Settings settings) {
    return new TelemetryConfig(
        SERVICE,
        settings.flag(Setting.METRICS_ENABLED),
        settings.flag(Setting.TRACING_ENABLED),
        Double.parseDouble(settings.get(Setting.SAMPLING_RATIO)),
        settings.flag(Setting.CAPTURE_CONTENT),
        PriceTable.defaults().models());
  }

  /**
   * Masks API keys and tokens taken from the environment (any variable whose name ends in KEY,
   * TOKEN, SECRET or PASSWORD) and the values listed in {@code logging.redact}.
   */
  static Redactor redactor(Settings settings, Map<String, String> env) {
    List<String> secrets = new ArrayList<>();
    env.forEach((k, v) -> {
      String name = k.toUpperCase(java.util.Locale.ROOT);
      if (name.endsWith("KEY") || name.endsWith("TOKEN") || name.endsWith("SECRET") || name.endsWith("PASSWORD")) secrets.add(v);
    });
    String extra = settings.get(Setting.LOG_REDACT);
    if (!extra.isEmpty()) secrets.addAll(Arrays.stream(extra.split(",")).map(String::strip).toList());
    return new Redactor(secrets);
  }
}
