package org.bookcreator.telemetry;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A finished span as kept in the local span store: enough to draw a run's trace with no external
 * system. Times are Unix epoch nanoseconds; attribute values are already redacted.
 */
public record SpanRecord(
    String traceId,
    String spanId,
    Optional<String> parentSpanId,
    Optional<String> runId,
    String name,
    String kind,
    long startNanos,
    long endNanos,
    String status,
    Optional<String> errorType,
    Map<String, String> attributes) {
  public SpanRecord {
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(spanId, "spanId");
    Objects.requireNonNull(name, "name");
    parentSpanId = Objects.requireNonNullElse(parentSpanId, Optional.empty());
    runId = Objects.requireNonNullElse(runId, Optional.empty());
    errorType = Objects.requireNonNullElse(errorType, Optional.empty());
    attributes = Map.copyOf(attributes);
  }

  public long durationNanos() {
    return endNanos - startNanos;
  }
}
