package org.bookcreator.core.ops;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.store.LogQuery;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoreDamagedException;
import org.bookcreator.core.store.StoredLog;

/**
 * Where a run's time and money went, and why it failed or stalled: the stage history, the ledger,
 * the events, the stall detector and the logs' copy read together, ending in a probable cause and
 * the runbook section to follow. Pure reads of the store.
 */
public record Diagnosis(
    Run run,
    Project project,
    RunTotals totals,
    Duration elapsed,
    List<StageTime> stages,
    List<Spend> spendByStage,
    List<Spend> spendByModel,
    List<RoleTrouble> roles,
    List<ProviderErrors> providerErrors,
    List<StallDetector.Stall> stalls,
    List<String> recentErrors,
    String cause,
    String runbook) {

  /** A stage's wall time and share of the run's, with its outcome. */
  public record StageTime(
      String stage, String state, Duration time, double share, int iterations, String note) {}

  /** Calls, money and model latency of one stage or model. */
  public record Spend(String name, long calls, BigDecimal costUsd, long latencyMs) {}

  /** Per agent role: retries (failed calls), schema violations. */
  public record RoleTrouble(String role, long calls, long failedCalls, long schemaViolations) {}

  /** Failed calls of a provider by error type, and the worst minute. */
  public record ProviderErrors(
      String provider, String errorType, long count, long worstMinute, Instant worstMinuteAt) {}

  private static final String RUNBOOKS = "docs/runbooks/";

  public static Diagnosis of(
      Store store, Run run, StallDetector.Thresholds thresholds, Instant now) {
    Project project = store.project(run.projectId()).orElseThrow();
    Instant end = run.state().isActive() || run.state() == RunState.PAUSED ? now : run.updatedAt();
    Duration elapsed = Duration.between(run.createdAt(), end);
    RunTotals totals = store.totals(run.id());
    List<LedgerEntry> calls = store.calls(run.id());
    List<RunEvent> events = store.events(run.id());

    List<StageTime> stages = new ArrayList<>();
    for (StageRecord s : store.stages(run.id())) {
      if (s.startedAt().isEmpty()) continue;
      Duration t = Duration.between(s.startedAt().get(), s.finishedAt().orElse(end));
      stages.add(
          new StageTime(
              s.stage().id(),
              s.state().name().toLowerCase(),
              t,
              elapsed.isZero() ? 0 : (double) t.toMillis() / Math.max(1, elapsed.toMillis()),
              s.iterations(),
              s.reason().orElse("")));
    }
    stages.sort(Comparator.comparing(StageTime::time).reversed());

    List<Spend> byStage = spend(calls, c -> c.stage().id());
    List<Spend> byModel = spend(calls, c -> c.provider() + "/" + c.model());

    Map<String, long[]> roleCounts = new TreeMap<>();
    for (LedgerEntry c : calls) {
      long[] v = roleCounts.computeIfAbsent(c.role().id(), k -> new long[3]);
      v[0]++;
      if (!c.outcome().equals(LedgerEntry.OK)) v[1]++;
    }
    for (RunEvent e : events) {
      if (!e.kind().equals(RunEvent.SCHEMA_VIOLATION)) continue;
      String role = e.detail().split(" ", 2)[0];
      roleCounts.computeIfAbsent(role, k -> new long[3])[2]++;
    }
    List<RoleTrouble> roles = new ArrayList<>();
    roleCounts.forEach((r, v) -> roles.add(new RoleTrouble(r, v[0], v[1], v[2])));
    roles.sort(
        Comparator.comparingLong((RoleTrouble r) -> r.failedCalls() + r.schemaViolations())
            .reversed());

    Map<String, List<LedgerEntry>> errorsBy = new LinkedHashMap<>();
    for (LedgerEntry c : calls) {
      if (c.outcome().equals(LedgerEntry.OK)) continue;
      errorsBy
          .computeIfAbsent(
              c.provider() + "\u0000" + c.errorType().orElse("unknown"), k -> new ArrayList<>())
          .add(c);
    }
    List<ProviderErrors> providerErrors = new ArrayList<>();
    errorsBy.forEach(
        (k, list) -> {
          Map<Instant, Long> perMinute = new TreeMap<>();
          for (LedgerEntry c : list)
            perMinute.merge(
                c.at().truncatedTo(java.time.temporal.ChronoUnit.MINUTES), 1L, Long::sum);
          var worst = perMinute.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
          String[] parts = k.split("\u0000");
          providerErrors.add(
              new ProviderErrors(
                  parts[0], parts[1], list.size(), worst.getValue(), worst.getKey()));
        });
    providerErrors.sort(Comparator.comparingLong(ProviderErrors::count).reversed());

    List<StallDetector.Stall> stalls = StallDetector.find(store, List.of(run), thresholds, now);
    List<String> recentErrors = new ArrayList<>();
    try {
      for (StoredLog l : store.logs(LogQuery.newest(5).withRun(run.id()).withMinLevel("WARN"))) {
        recentErrors.add(l.line().level() + " " + message(l.line().json()));
      }
    } catch (StoreDamagedException e) {
      // The run's own records are intact: diagnose on, and say where to turn for the logs.
      recentErrors.add(
          "(the logs' copy is damaged, see "
              + RUNBOOKS
              + "damaged-store.md: "
              + e.getMessage()
              + ")");
    } catch (RuntimeException e) {
      recentErrors.add("(the logs' copy could not be read: " + e.getMessage() + ")");
    }

    long violations = roles.stream().mapToLong(RoleTrouble::schemaViolations).sum();
    long failed = calls.stream().filter(c -> !c.outcome().equals(LedgerEntry.OK)).count();
    String[] verdict =
        cause(run, events, stalls, providerErrors, failed, calls.size(), violations, recentErrors);
    return new Diagnosis(
        run,
        project,
        totals,
        elapsed,
        stages,
        byStage,
        byModel,
        roles,
        providerErrors,
        stalls,
        recentErrors,
        verdict[0],
        verdict[1]);
  }

  private static String message(String json) {
    int i = json.indexOf("\"message\":\"");
    if (i < 0) return json;
    int start = i + 11;
    int endQuote = start;
    while (endQuote < json.length()
        && !(json.charAt(endQuote) == '"' && json.charAt(endQuote - 1) != '\\')) endQuote++;
    return json.substring(start, Math.min(endQuote, json.length())).replace("\\\"", "\"");
  }

  private static List<Spend> spend(
      List<LedgerEntry> calls, java.util.function.Function<LedgerEntry, String> key) {
    Map<String, Object[]> acc = new LinkedHashMap<>();
    for (LedgerEntry c : calls) {
      Object[] v = acc.computeIfAbsent(key.apply(c), k -> new Object[] {0L, BigDecimal.ZERO, 0L});
      v[0] = (Long) v[0] + 1;
      v[1] = ((BigDecimal) v[1]).add(c.costUsd().orElse(BigDecimal.ZERO));
      v[2] = (Long) v[2] + c.latencyMs();
    }
    List<Spend> out = new ArrayList<>();
    acc.forEach((k, v) -> out.add(new Spend(k, (Long) v[0], (BigDecimal) v[1], (Long) v[2])));
    out.sort(Comparator.comparing(Spend::costUsd).reversed());
    return out;
  }

  /** The probable cause and the runbook section, most specific evidence first. */
  private static String[] cause(
      Run run,
      List<RunEvent> events,
      List<StallDetector.Stall> stalls,
      List<ProviderErrors> providerErrors,
      long failed,
      long calls,
      long violations,
      List<String> recentErrors) {
    String reason = run.reason().orElse("");
    String lower = reason.toLowerCase();
    if (recentErrors.stream()
        .anyMatch(
            e ->
                e.contains("database is locked")
                    || e.contains("SQLITE_FULL")
                    || e.contains("No space left"))) {
      return new String[] {
        "the store is locked or full: " + recentErrors.get(0), RUNBOOKS + "store-full-or-locked.md"
      };
    }
    if (run.state() == RunState.PAUSED
        || events.stream().anyMatch(e -> e.kind().equals(RunEvent.BUDGET_100))) {
      return new String[] {
        "the project's budget is spent; the run paused at 100% (" + reason + ")",
        RUNBOOKS + "cost-overrun.md"
      };
    }
    if (run.state() == RunState.FAILED) {
      if (lower.contains("schema") || lower.contains("still invalid")) {
        return new String[] {
          "the run failed on output that stayed invalid after repairs: " + reason,
          RUNBOOKS + "schema-violations.md"
        };
      }
      if (lower.contains("authentication")
          || lower.contains("unknown_model")
          || lower.contains("invalid_request")
          || lower.contains("gave up")
          || lower.contains("rate_limited")
          || lower.contains("server_error")
          || lower.contains("timeout")
          || lower.contains("connection")) {
        return new String[] {
          "the run failed on provider errors: " + reason, RUNBOOKS + "provider-errors.md"
        };
      }
      return new String[] {
        "the run failed: " + reason, RUNBOOKS + "stalled-workflow.md#a-failed-run"
      };
    }
    for (StallDetector.Stall s : stalls) {
      return switch (s.kind()) {
        case LEASE_EXPIRED ->
            new String[] {
              "a worker stopped heartbeating mid-task: " + s.reason(), RUNBOOKS + "worker-down.md"
            };
        case NO_PROGRESS ->
            new String[] {"the run is stalled: " + s.reason(), RUNBOOKS + "stalled-workflow.md"};
        case CRITIQUE_CAP ->
            new String[] {
              "a critique loop ended at its cap without passing: " + s.reason(),
              RUNBOOKS + "stalled-workflow.md#critique-loop-at-its-cap"
            };
      };
    }
    if (calls > 0 && failed * 5 >= calls) {
      ProviderErrors top = providerErrors.get(0);
      return new String[] {
        failed
            + " of "
            + calls
            + " model calls failed, mostly "
            + top.provider()
            + " "
            + top.errorType()
            + " ("
            + top.count()
            + ", worst minute "
            + top.worstMinute()
            + ")",
        RUNBOOKS + "provider-errors.md"
      };
    }
    if (calls > 0 && violations * 10 >= calls) {
      return new String[] {
        violations + " schema violations in " + calls + " calls", RUNBOOKS + "schema-violations.md"
      };
    }
    if (run.state() == RunState.COMPLETED)
      return new String[] {"no problem found: the run completed", RUNBOOKS + "observability.md"};
    if (run.state() == RunState.CANCELLED)
      return new String[] {"the run was cancelled: " + reason, RUNBOOKS + "observability.md"};
    return new String[] {
      "no problem found so far: the run is " + run.state().name().toLowerCase(),
      RUNBOOKS + "observability.md"
    };
  }

  /** The run's project's latest run, for a diagnosis asked by project id. */
  public static Optional<Run> latestRun(Store store, String projectId) {
    return store.runs(Optional.of(projectId)).stream().max(Comparator.comparingInt(Run::number));
  }
}
