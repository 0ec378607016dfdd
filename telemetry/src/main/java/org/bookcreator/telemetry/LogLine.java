package org.bookcreator.telemetry;

import java.util.Objects;

/**
 * One log record as kept in the store's indexed copy: the JSON line exactly as written to the log
 * file (already redacted), plus the fields queries filter on. Absent context fields are null.
 *
 * @param tsMillis Unix epoch milliseconds
 * @param level TRACE, DEBUG, INFO, WARN or ERROR
 * @param json the whole record, one JSON object, no line break
 */
public record LogLine(
    long tsMillis,
    String level,
    String projectId,
    String runId,
    String stage,
    String agentRole,
    String provider,
    String traceId,
    String requestId,
    String json) {
  public LogLine {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(json, "json");
  }

  /**
   * The level as a number that orders by severity: TRACE 0, DEBUG 10, INFO 20, WARN 30, ERROR 40.
   */
  public static int severity(String level) {
    return switch (level.toUpperCase(java.util.Locale.ROOT)) {
      case "TRACE" -> 0;
      case "DEBUG" -> 10;
      case "INFO" -> 20;
      case "WARN", "WARNING" -> 30;
      case "ERROR" -> 40;
      default ->
          throw new IllegalArgumentException(
              "unknown level '" + level + "' (one of: TRACE, DEBUG, INFO, WARN, ERROR)");
    };
  }
}
