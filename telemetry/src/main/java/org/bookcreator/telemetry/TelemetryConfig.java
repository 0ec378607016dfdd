package org.bookcreator.telemetry;

import java.util.Objects;
import java.util.Set;

/**
 * Switches for the telemetry of one process. Defaults suit a laptop: metrics and tracing on, every
 * trace sampled, prompt and completion text never captured.
 *
 * @param service service name on logs, spans and metrics ({@code book-creator})
 * @param metrics whether instruments record (off: every instrument is a no-op)
 * @param tracing whether spans are recorded (off: no-op tracer)
 * @param samplingRatio share of runs whose traces are kept, 0..1
 * @param captureContent whether prompts and completions go into spans (off by default)
 * @param models how metrics label a model: by its catalogue name, others folded into {@code other}
 */
public record TelemetryConfig(
    String service,
    boolean metrics,
    boolean tracing,
    double samplingRatio,
    boolean captureContent,
    ModelLabels models) {
  public TelemetryConfig {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(models, "models");
    if (!(samplingRatio >= 0 && samplingRatio <= 1)) {
      throw new IllegalArgumentException("sampling ratio must be 0..1, was " + samplingRatio);
    }
  }

  /** A config whose metrics keep {@code models} as labels and fold every other model. */
  public TelemetryConfig(
      String service,
      boolean metrics,
      boolean tracing,
      double samplingRatio,
      boolean captureContent,
      Set<String> models) {
    this(service, metrics, tracing, samplingRatio, captureContent, ModelLabels.allowing(models));
  }

  public static TelemetryConfig defaults() {
    return new TelemetryConfig("book-creator", true, true, 1.0, false, Set.of());
  }
}
