package org.bookcreator.core.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.support.Numbers;

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
    return new Builder().limit(limit).build();
  }

  public LogQuery withRun(String run) {
    return toBuilder().runId(run).build();
  }

  public LogQuery withMinLevel(String level) {
    return toBuilder().minLevel(level).build();
  }

  public LogQuery withText(String t) {
    return toBuilder().text(t).build();
  }

  public LogQuery withStage(String s) {
    return toBuilder().stage(s).build();
  }

  public LogQuery withBefore(long id) {
    return toBuilder().beforeId(id).build();
  }

  public LogQuery withAfter(long id) {
    return toBuilder().afterId(id).build();
  }

  public LogQuery withSince(Instant t) {
    return toBuilder().since(t).build();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.projectId = projectId;
    b.runId = runId;
    b.stage = stage;
    b.agentRole = agentRole;
    b.provider = provider;
    b.minLevel = minLevel;
    b.since = since;
    b.until = until;
    b.traceId = traceId;
    b.requestId = requestId;
    b.text = text;
    b.beforeId = beforeId;
    b.afterId = afterId;
    b.limit = limit;
    return b;
  }

  /** Builds a query filter by filter; unset filters match everything. Not thread-safe. */
  public static final class Builder {
    private Optional<String> projectId = Optional.empty();
    private Optional<String> runId = Optional.empty();
    private Optional<String> stage = Optional.empty();
    private Optional<String> agentRole = Optional.empty();
    private Optional<String> provider = Optional.empty();
    private Optional<String> minLevel = Optional.empty();
    private Optional<Instant> since = Optional.empty();
    private Optional<Instant> until = Optional.empty();
    private Optional<String> traceId = Optional.empty();
    private Optional<String> requestId = Optional.empty();
    private Optional<String> text = Optional.empty();
    private Optional<Long> beforeId = Optional.empty();
    private Optional<Long> afterId = Optional.empty();
    private int limit = 50;

    public Builder runId(String v) {
      runId = Optional.of(v);
      return this;
    }

    public Builder stage(String v) {
      stage = Optional.of(v);
      return this;
    }

    public Builder minLevel(String v) {
      minLevel = Optional.of(v);
      return this;
    }

    public Builder since(Instant v) {
      since = Optional.of(v);
      return this;
    }

    public Builder text(String v) {
      text = Optional.of(v);
      return this;
    }

    public Builder beforeId(long v) {
      beforeId = Optional.of(v);
      return this;
    }

    public Builder afterId(long v) {
      afterId = Optional.of(v);
      return this;
    }

    public Builder limit(int v) {
      limit = v;
      return this;
    }

    public LogQuery build() {
      return new LogQuery(
          projectId, runId, stage, agentRole, provider, minLevel, since, until, traceId, requestId,
          text, beforeId, afterId, limit);
    }
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
      java.time.Duration back =
          switch (m.group(2)) {
            case "s" -> java.time.Duration.ofSeconds(n);
            case "m" -> java.time.Duration.ofMinutes(n);
            case "h" -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofDays(n);
          };
      if (back.compareTo(Numbers.MAX_DURATION) > 0) {
        throw new IllegalArgumentException(
            "a span back of at most " + Numbers.MAX_DURATION.toDays() + "d, got '" + t + "'");
      }
      return now.minus(back);
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
