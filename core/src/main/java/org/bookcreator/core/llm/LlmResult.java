package org.bookcreator.core.llm;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** How a model call ended. Expected failures are values; handle them with an exhaustive switch. */
public sealed interface LlmResult {
  Duration latency();

  String model();

  /** The tokens the call used: none for a failure ({@link Completed} reports its own). */
  default Usage usage() {
    return Usage.NONE;
  }

  /** Why the call failed; empty when the model answered. */
  default Optional<ErrorType> errorType() {
    return switch (this) {
      case Completed c -> Optional.empty();
      case Retryable r -> Optional.of(r.type());
      case Fatal f -> Optional.of(f.type());
    };
  }

  /** The failure's message; empty when the model answered. */
  default String errorMessage() {
    return switch (this) {
      case Completed c -> "";
      case Retryable r -> r.message();
      case Fatal f -> f.message();
    };
  }

  /** The model answered. The text may still be malformed or violate the schema. */
  record Completed(String text, String model, Usage usage, Duration latency) implements LlmResult {
    public Completed {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(usage, "usage");
    }
  }

  /**
   * A transient failure: try again, no sooner than {@code retryAfter} when the provider said so.
   */
  record Retryable(
      ErrorType type, String message, String model, Optional<Duration> retryAfter, Duration latency)
      implements LlmResult {}

  /** A failure that retrying cannot fix (bad credentials, unknown model, invalid request). */
  record Fatal(ErrorType type, String message, String model, Duration latency)
      implements LlmResult {}
}
