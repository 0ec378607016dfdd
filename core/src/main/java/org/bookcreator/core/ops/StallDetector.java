package org.bookcreator.core.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.store.Store;

/**
 * Finds stalled runs: active runs that made no progress for longer than their stage's threshold,
 * runs with a task whose lease expired without a heartbeat (also when its worker never sent one),
 * and runs whose critique loop hit its cap without passing. Pure reads; {@link #record} writes one
 * {@code stalled} event per stall (not per look).
 */
public final class StallDetector {
  /** Why a run counts as stalled. */
  public enum Kind {
    NO_PROGRESS,
    LEASE_EXPIRED,
    CRITIQUE_CAP;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A stalled run: why, and its last progress. */
  public record Stall(Run run, Kind kind, String reason, Instant lastProgress) {}

  /**
   * Per-stage figures for alert rules: stalled runs, and the oldest last progress of the stage's
   * active runs.
   */
  public record StageFigures(
      Stage stage, long activeRuns, long stalledRuns, Instant oldestProgress) {}

  /** How long without progress counts as stalled: per stage, else {@code fallback}. */
  public record Thresholds(Duration fallback, Map<Stage, Duration> byStage) {
    public Thresholds {
      Objects.requireNonNull(fallback, "fallback");
      byStage = Map.copyOf(byStage);
      if (fallback.isNegative() || fallback.isZero())
        throw new IllegalArgumentException("the stall threshold must be positive");
    }

    public static Thresholds of(Duration fallback) {
      return new Thresholds(fallback, Map.of());
    }

    public Duration of(Optional<Stage> stage) {
      return stage.map(byStage::get).orElse(fallback);
    }

    /** The shortest threshold of any stage: a run quiet for less is stalled in none. */
    public Duration shortest() {
      return byStage.values().stream().reduce(fallback, (a, b) -> a.compareTo(b) <= 0 ? a : b);
    }
  }

  private StallDetector() {}

  /** The stalled runs among {@code runs} (only active ones can be), at {@code now}. */
  public static List<Stall> find(Store store, List<Run> runs, Thresholds thresholds, Instant now) {
    return look(store, runs, thresholds, now).stalls();
  }

  /** One look: the stalls, and the per-stage figures from the same reads. */
  public record Look(List<Stall> stalls, List<StageFigures> figures) {}

  /**
   * Finds the stalls and the per-stage figures in a fixed number of queries, however many runs
   * (each run's latest task change, the expired leases, the critique caps), not one per run.
   */
  public static Look look(Store store, List<Run> runs, Thresholds thresholds, Instant now) {
    List<Run> active = runs.stream().filter(r -> r.state().isActive()).toList();
    List<String> ids = active.stream().map(Run::id).toList();
    Map<String, Instant> taskChanges = active.isEmpty() ? Map.of() : store.lastTaskChanges(ids);
    Map<String, Task> expiredLeases = new java.util.HashMap<>();
    for (Task t : active.isEmpty() ? List.<Task>of() : store.expiredLeases(now))
      expiredLeases.put(t.runId(), t); // the last by queue order, as the look per run had it
    Map<String, RunEvent> caps =
        active.isEmpty() ? Map.of() : store.latestEvents(RunEvent.CRITIQUE_CAP, ids);
    Map<String, Instant> heartbeats = expiredLeases.isEmpty() ? Map.of() : store.workerHeartbeats();
    List<Stall> out = new ArrayList<>();
    Map<String, Instant> progress = new java.util.HashMap<>();
    for (Run r : active) {
      Instant tasksChanged = taskChanges.get(r.id());
      Instant last =
          tasksChanged != null && tasksChanged.isAfter(r.updatedAt())
              ? tasksChanged
              : r.updatedAt();
      progress.put(r.id(), last);
      String expired = null;
      Task t = expiredLeases.get(r.id());
      if (t != null) {
        String owner = t.leaseOwner().orElse("?");
        expired =
            "lease of task "
                + t.key()
                + " held by "
                + owner
                + " expired at "
                + t.leaseExpiresAt().orElseThrow()
                + " without a heartbeat"
                + (heartbeats.containsKey(owner)
                    ? " (worker last seen " + heartbeats.get(owner) + ")"
                    : " (the worker never sent a heartbeat)");
      }
      Duration threshold = thresholds.of(r.stage());
      if (expired != null) {
        out.add(new Stall(r, Kind.LEASE_EXPIRED, expired, last));
      } else if (Duration.between(last, now).compareTo(threshold) > 0) {
        out.add(
            new Stall(
                r,
                Kind.NO_PROGRESS,
                "no progress in stage "
                    + r.stage().map(Stage::id).orElse("-")
                    + " for "
                    + human(Duration.between(last, now))
                    + " (threshold "
                    + human(threshold)
                    + ")",
                last));
      } else if (caps.containsKey(r.id())) {
        out.add(
            new Stall(
                r,
                Kind.CRITIQUE_CAP,
                "critique loop hit its cap without passing: " + caps.get(r.id()).detail(),
                last));
      }
    }
    return new Look(out, figures(runs, progress, out));
  }

  /** Per stage: how many active runs, how many stalled, and the oldest last progress. */
  private static List<StageFigures> figures(
      List<Run> runs, Map<String, Instant> progress, List<Stall> stalls) {
    Map<Stage, long[]> counts = new EnumMap<>(Stage.class);
    Map<Stage, Instant> oldest = new EnumMap<>(Stage.class);
    for (Run r : runs) {
      if (!r.state().isActive() || r.stage().isEmpty()) continue;
      Stage s = r.stage().get();
      counts.computeIfAbsent(s, k -> new long[2])[0]++;
      oldest.merge(s, progress.get(r.id()), (a, b) -> a.isBefore(b) ? a : b);
    }
    for (Stall st : stalls)
      st.run().stage().ifPresent(s -> counts.computeIfAbsent(s, k -> new long[2])[1]++);
    List<StageFigures> out = new ArrayList<>();
    for (var e : new TreeMap<>(counts).entrySet()) {
      out.add(
          new StageFigures(
              e.getKey(),
              e.getValue()[0],
              e.getValue()[1],
              oldest.getOrDefault(e.getKey(), Instant.EPOCH)));
    }
    return out;
  }

  /**
   * Records a {@code stalled} event for each stall, once per stall: the key is the kind and the
   * last progress, so the same stall seen again is not recorded twice, and a new one after progress
   * is. Returns how many were recorded now.
   */
  public static int record(Store store, List<Stall> stalls, Instant now) {
    int recorded = 0;
    for (Stall s : stalls) {
      String key = "[" + s.kind().id() + " since " + s.lastProgress() + "]";
      if (store.recordEventOnce(
          new RunEvent(
              s.run().id(), Optional.empty(), RunEvent.STALLED, s.reason() + " " + key, now),
          key)) recorded++;
    }
    return recorded;
  }

  /**
   * Parses per-stage thresholds written {@code STAGE=DURATION, ...} (durations such as 30s, 10m,
   * 2h); every malformed entry is reported at once.
   */
  public static Map<Stage, Duration> parseThresholds(
      String text, java.util.function.Function<String, Duration> duration) {
    Map<Stage, Duration> out = new EnumMap<>(Stage.class);
    List<String> problems = new ArrayList<>();
    if (text == null || text.isBlank()) return out;
    for (String raw : text.split("[,;]")) {
      String entry = raw.strip();
      if (entry.isEmpty()) continue;
      int eq = entry.indexOf('=');
      if (eq < 0) {
        problems.add("'" + entry + "': expected STAGE=DURATION, e.g. chapter_writing=30m");
        continue;
      }
      try {
        Duration d = duration.apply(entry.substring(eq + 1).strip());
        if (d.isZero() || d.isNegative()) throw new IllegalArgumentException("must be positive");
        out.put(Stage.fromId(entry.substring(0, eq).strip().toLowerCase(Locale.ROOT)), d);
      } catch (IllegalArgumentException e) {
        problems.add("'" + entry + "': " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
    return out;
  }

  /** A duration as people read it: {@code 850ms}, {@code 45s}, {@code 12m}, {@code 3h 5m}. */
  public static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 1) return d.toMillis() + "ms";
    if (s < 120) return s + "s";
    if (s < 7200) return (s / 60) + "m";
    return (s / 3600) + "h" + ((s % 3600) / 60 > 0 ? " " + (s % 3600) / 60 + "m" : "");
  }
}
