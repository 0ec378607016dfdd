package org.bookcreator.core.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A query of the store's indexed copy of the logs: every filter given must hold. Results come
 * newest first; {@code beforeId} pages back (the id of the last record of the previous page),
 * {@code afterId} reads forward from a record (oldest first, for following a live log).
 *
 * @param minLevel the least severe level returned (e.g. WARN returns WARN and ERROR)
 * @param text a substring of the message, case-insensitive for ASCII
 * @param limit 1..1000
 */
public record LogQuery(
    Optional<String> projectId,
    Optional<String> runId,
    Optional<String> stage,
    Optional<String> agentRole,
    Optional<String> provider,
    Optional<String> minLevel,
    Optional<Instant> since,
    Optional<Instant> until,
    Optional<String> traceId,
    Optional<String> requestId,
    Optional<String> text,
    Optional<Long> beforeId,
    Optional<Long> afterId,
    int limit) {
  public LogQuery {
    Objects.requireNonNull(projectId, "projectId");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(agentRole, "agentRole");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(minLevel, "minLevel");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(beforeId, "beforeId");
    Objects.requireNonNull(afterId, "afterId");
    if (limit < 1 || limit > 1000)
      throw new IllegalArgumentException("limit must be 1..1000, was " + limit);
    minLevel.ifPresent(org.bookcreator.telemetry.LogLine::severity);
  }

  /** No filter: the newest {@code limit} records. */
  public static LogQuery newest(int limit) {
    return new LogQuery(
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        limit);
  }

  public LogQuery withRun(String run) {
    return new LogQuery(
        projectId,
        Optional.of(run),
        stage,
        agentRole,
        provider,
        minLevel,
        since,
        until,
        traceId,
        requestId,
        text,
        beforeId,
        afterId,
        limit);
  }

  public LogQuery withMinLevel(String level) {
    return new LogQuery(
        projectId,
        runId,
        stage,
        agentRole,
        provider,
        Optional.of(level),
        since,
        until,
        traceId,
        requestId,
        text,
        beforeId,
        afterId,
        limit);
  }

  public LogQuery withText(String t) {
    return new LogQuery(
        projectId,
        runId,
        stage,
        agentRole,
        provider,
        minLevel,
        since,
        until,
        traceId,
        requestId,
        Optional.of(t),
        beforeId,
        afterId,
        limit);
  }

  public LogQuery withStage(String s) {
    return new LogQuery(
        projectId,
        runId,
        Optional.of(s),
        agentRole,
        provider,
        minLevel,
        since,
        until,
        traceId,
        requestId,
        text,
        beforeId,
        afterId,
        limit);
  }

  public LogQuery withBefore(long id) {
    return new LogQuery(
        projectId,
        runId,
        stage,
        agentRole,
        provider,
        minLevel,
        since,
        until,
        traceId,
        requestId,
        text,
        Optional.of(id),
        afterId,
        limit);
  }

  public LogQuery withAfter(long id) {
    return new LogQuery(
        projectId,
        runId,
        stage,
        agentRole,
        provider,
        minLevel,
        since,
        until,
        traceId,
        requestId,
        text,
        beforeId,
        Optional.of(id),
        limit);
  }

  public LogQuery withSince(Instant t) {
    return new LogQuery(
        projectId,
        runId,
        stage,
        agentRole,
        provider,
        minLevel,
        Optional.of(t),
        until,
        traceId,
        requestId,
        text,
        beforeId,
        afterId,
        limit);
  }

  /**
   * A time given on a command line or in a query: an ISO-8601 instant ({@code
   * 2026-11-28T05:00:00Z}), a UTC date ({@code 2026-11-28}), or a span back from {@code now}
   * ({@code 30s}, {@code 15m}, {@code 2h}, {@code 7d}).
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Instant time(String text, Instant now) {
    String t = text.strip();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(s|m|h|d)").matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return now.minus(
          switch (m.group(2)) {
            case "s" -> java.time.Duration.ofSeconds(n);
            case "m" -> java.time.Duration.ofMinutes(n);
            case "h" -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofDays(n);
          });
    }
    try {
      return Instant.parse(t);
    } catch (java.time.format.DateTimeParseException e) {
      try {
        return java.time.LocalDate.parse(t).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
      } catch (java.time.format.DateTimeParseException e2) {
        throw new IllegalArgumentException(
            "expected a time such as 2026-11-28T05:00:00Z, 2026-11-28, or a span back such as 30m,"
                + " 2h, 7d; got '"
                + t.replaceAll("\\p{Cntrl}", " ")
                + "'");
      }
    }
  }
}
