package org.bookcreator.core.alert;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.store.Store;

/**
 * The rules Book Creator evaluates by itself, with their default thresholds (docs/alerts.md). Each
 * is a small class: its name, severity, {@code for} and runbook are fixed, its fields are its
 * thresholds.
 */
public final class BuiltInRules {
  private BuiltInRules() {}

  /** The workers' default heartbeat interval ({@code pipeline.heartbeat}). */
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(5);

  /** Every built-in rule with its default thresholds, for workers at the default heartbeat. */
  public static List<AlertRule> defaults() {
    return defaults(DEFAULT_HEARTBEAT);
  }

  /** Every built-in rule with its default thresholds. */
  public static List<AlertRule> defaults(Duration heartbeat) {
    return configured(heartbeat, RuleThresholds.none()).rules();
  }

  /**
   * The built-in rules with their thresholds in force: each rule's own, and a {@code for} for every
   * rule.
   *
   * @param rules the rules, in the order they are evaluated
   * @param thresholds per rule, each threshold's name and value as {@code alerts.thresholds} writes
   *     it, in the rule's order
   */
  public record Configured(List<AlertRule> rules, Map<String, Map<String, String>> thresholds) {
    public Configured {
      rules = List.copyOf(rules);
      thresholds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(thresholds));
    }
  }

  /**
   * Every built-in rule, its defaults overridden by {@code overrides}.
   *
   * @param heartbeat how often workers record a heartbeat ({@code pipeline.heartbeat}): a worker is
   *     missing after {@code WorkerHeartbeatMissing.missed} of them
   * @throws IllegalArgumentException naming each bad value, unknown rule and unknown threshold
   */
  public static Configured configured(Duration heartbeat, RuleThresholds overrides) {
    RuleThresholds.Reading t = overrides.read();
    List<AlertRule> rules =
        List.of(
            new WorkflowStalled(t.duration("WorkflowStalled", "for", Duration.ZERO)),
            new TaskLeaseExpired(t.duration("TaskLeaseExpired", "for", Duration.ZERO)),
            new WorkerHeartbeatMissing(
                heartbeat,
                (int) t.count("WorkerHeartbeatMissing", "missed", 3),
                t.duration("WorkerHeartbeatMissing", "recent", Duration.ofHours(1)),
                t.duration("WorkerHeartbeatMissing", "for", Duration.ofMinutes(1))),
            new RunFailed(
                t.duration("RunFailed", "within", Duration.ofDays(7)),
                t.duration("RunFailed", "for", Duration.ZERO)),
            new ProviderDown(
                t.duration("ProviderDown", "window", Duration.ofMinutes(2)),
                t.count("ProviderDown", "min_calls", 5),
                t.duration("ProviderDown", "for", Duration.ZERO)),
            new ProviderErrorRateHigh(
                t.duration("ProviderErrorRateHigh", "window", Duration.ofMinutes(5)),
                t.count("ProviderErrorRateHigh", "min_calls", 10),
                t.share("ProviderErrorRateHigh", "max_share", 0.20),
                t.duration("ProviderErrorRateHigh", "for", Duration.ofMinutes(2))),
            new ProviderRateLimited(
                t.duration("ProviderRateLimited", "window", Duration.ofMinutes(5)),
                t.count("ProviderRateLimited", "min_answers", 10),
                t.duration("ProviderRateLimited", "for", Duration.ZERO)),
            new ProviderLatencyHigh(
                t.duration("ProviderLatencyHigh", "window", Duration.ofMinutes(10)),
                t.count("ProviderLatencyHigh", "min_calls", 10),
                t.share("ProviderLatencyHigh", "quantile", 0.95),
                t.duration("ProviderLatencyHigh", "max", Duration.ofSeconds(60)),
                t.duration("ProviderLatencyHigh", "for", Duration.ofMinutes(10))),
            new SchemaViolationsHigh(
                t.duration("SchemaViolationsHigh", "window", Duration.ofMinutes(15)),
                t.count("SchemaViolationsHigh", "min_calls", 10),
                t.share("SchemaViolationsHigh", "max_share", 0.10),
                t.duration("SchemaViolationsHigh", "for", Duration.ZERO)),
            new BudgetNearlySpent(
                BigDecimal.valueOf(t.share("BudgetNearlySpent", "share", 0.80)),
                t.duration("BudgetNearlySpent", "for", Duration.ZERO)),
            new BudgetExceeded(t.duration("BudgetExceeded", "for", Duration.ZERO)),
            new UnpricedModelUsed(
                t.duration("UnpricedModelUsed", "window", Duration.ofHours(1)),
                t.duration("UnpricedModelUsed", "for", Duration.ZERO)),
            new TelemetryDropping(
                t.duration("TelemetryDropping", "window", Duration.ofMinutes(5)),
                t.duration("TelemetryDropping", "for", Duration.ZERO)),
            new StoreDiskLow(
                t.share("StoreDiskLow", "min_free_share", 0.05),
                t.bytes("StoreDiskLow", "min_free", 1L << 30),
                t.duration("StoreDiskLow", "for", Duration.ofMinutes(5))));
    t.requireAllUsed();
    Map<String, Map<String, String>> shown = new LinkedHashMap<>();
    for (AlertRule r : rules) shown.put(r.name(), t.of(r.name()));
    return new Configured(rules, shown);
  }

  /** A run made no progress past its stage's stall threshold, or its critique loop hit its cap. */
  public static final class WorkflowStalled extends Rule {
    public WorkflowStalled(Duration holdFor) {
      super("WorkflowStalled", Severity.CRITICAL, holdFor, "stalled-workflow");
    }

    @Override
    public String condition() {
      return "a run has made no progress past its stage's stall threshold (stalls.threshold,"
          + " stalls.thresholds), or its critique loop hit its cap without passing";
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      return stalls(in, false, this::describe);
    }

    private Signal describe(StallDetector.Stall s, String title) {
      return new Signal(
          runLabels(s.run()),
          "Run " + s.run().id() + " of \"" + title + "\" is stalled in " + stage(s.run()),
          s.reason() + ". Look: bin/book-creator diagnose " + s.run().id());
    }
  }

  /** A task's lease expired without a heartbeat: its worker died or froze. */
  public static final class TaskLeaseExpired extends Rule {
    public TaskLeaseExpired(Duration holdFor) {
      super("TaskLeaseExpired", Severity.CRITICAL, holdFor, "worker-down");
    }

    @Override
    public String condition() {
      return "a task's lease expired without a heartbeat (its worker died or froze)";
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      return stalls(in, true, this::describe);
    }

    private Signal describe(StallDetector.Stall s, String title) {
      return new Signal(
          runLabels(s.run()),
          "A worker of run " + s.run().id() + " of \"" + title + "\" stopped heartbeating",
          s.reason()
              + ". Another worker takes the task over; look: bin/book-creator diagnose "
              + s.run().id());
    }
  }

  /**
   * A worker that should be alive stopped recording heartbeats: its thread died or froze, or the
   * heartbeat thread of its process is stuck. Workers of a pool that shut down cleanly are
   * forgotten by the store ({@link Store#forgetWorkers}), and so are those of an earlier process
   * when the next one takes the embedded store over (their leases are released at the same time); a
   * worker silent for longer than {@code recent} is no longer looked at either, so one left by a
   * process that vanished resolves by itself.
   */
  public static final class WorkerHeartbeatMissing extends Rule {
    private final Duration heartbeat;
    private final int missed;
    private final Duration recent;

    public WorkerHeartbeatMissing(
        Duration heartbeat, int missed, Duration recent, Duration holdFor) {
      super("WorkerHeartbeatMissing", Severity.CRITICAL, holdFor, "worker-down");
      if (heartbeat.isZero() || heartbeat.isNegative() || missed < 1)
        throw new IllegalArgumentException(
            "heartbeat must be positive and missed at least 1: " + heartbeat + ", " + missed);
      this.heartbeat = heartbeat;
      this.missed = missed;
      this.recent = recent;
    }

    @Override
    public String condition() {
      return "a worker that heartbeated in the last "
          + human(recent)
          + " has been silent for "
          + missed
          + " heartbeat intervals (pipeline.heartbeat), for "
          + human(holdFor());
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      Duration silentAfter = heartbeat.multipliedBy(missed);
      List<Signal> out = new ArrayList<>();
      for (Map.Entry<String, java.time.Instant> w :
          new java.util.TreeMap<>(in.store().workerHeartbeats()).entrySet()) {
        Duration silent = Duration.between(w.getValue(), in.now());
        if (silent.compareTo(silentAfter) <= 0 || silent.compareTo(recent) > 0) continue;
        out.add(
            new Signal(
                Map.of("worker", w.getKey()),
                "Worker " + w.getKey() + " stopped heartbeating",
                "Its last heartbeat was at "
                    + w.getValue()
                    + ", "
                    + human(silent.withNanos(0))
                    + " ago; it records one every "
                    + human(heartbeat)
                    + ". A task it holds is taken over when its lease expires. Look:"
                    + " bin/book-creator runs --stalled; bin/book-creator logs --level WARN"
                    + " --since 1h"));
      }
      return out;
    }
  }

  /** A run failed; resolved when it is restarted or cancelled. */
  public static final class RunFailed extends Rule {
    private final Duration within;

    public RunFailed(Duration within, Duration holdFor) {
      super("RunFailed", Severity.WARNING, holdFor, "run-failed");
      this.within = within;
    }

    @Override
    public String condition() {
      return "a run failed in the last " + human(within) + " and was not restarted or cancelled";
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      List<Signal> out = new ArrayList<>();
      for (Run r : in.store().runsIn(Set.of(RunState.FAILED))) {
        if (r.updatedAt().isBefore(in.now().minus(within))) continue;
        out.add(
            new Signal(
                runLabels(r),
                "Run " + r.id() + " of \"" + title(in.store(), r) + "\" failed in " + stage(r),
                r.reason().orElse("no reason recorded")
                    + ". Look: bin/book-creator diagnose "
                    + r.id()
                    + "; restart: bin/book-creator runs restart "
                    + r.id()));
      }
      return out;
    }
  }

  /** Every call to a provider failed over a short window. */
  public static final class ProviderDown extends Rule {
    private final Duration window;
    private final long minCalls;

    public ProviderDown(Duration window, long minCalls, Duration holdFor) {
      super("ProviderDown", Severity.CRITICAL, holdFor, "provider-errors");
      this.window = window;
      this.minCalls = minCalls;
    }

    @Override
    public String condition() {
      return "every call to a provider failed over "
          + human(window)
          + " (at least "
          + minCalls
          + " calls)";
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      return perProvider(
          in,
          window,
          p -> p.calls() >= minCalls && p.failed() == p.calls(),
          p -> "Provider " + p.provider() + " is down: every call failed",
          p ->
              p.calls()
                  + " of "
                  + p.calls()
                  + " calls failed in the last "
                  + human(window)
                  + ". Runs retry with backoff, then fail.");
    }
  }

  /** A provider's share of failed calls is high. */
  public static final class ProviderErrorRateHigh extends Rule {
    private final Duration window;
    private final long minCalls;
    private final double maxShare;

    public ProviderErrorRateHigh(
        Duration window, long minCalls, double maxShare, Duration holdFor) {
      super("ProviderErrorRateHigh", Severity.WARNING, holdFor, "provider-errors");
      this.window = window;
      this.minCalls = minCalls;
      this.maxShare = maxShare;
    }

    @Override
    public String condition() {
      return "a provider's failed calls exceed "
          + Math.round(maxShare * 100)
          + "% of at least "
          + minCalls
          + " calls over "
          + human(window)
          + ", for "
          + human(holdFor());
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      return perProvider(
          in,
          window,
          p -> p.calls() >= minCalls && p.failed() > maxShare * p.calls(),
          p ->
              "Provider " + p.provider() + " fails " + percent(p.failed(), p.calls()) + " of calls",
          p ->
              p.failed()
                  + " of "
                  + p.calls()
                  + " calls failed in the last "
                  + human(window)
                  + " ("
                  + p.rateLimited()
                  + " rate-limited).");
    }
  }

  /** A provider keeps answering with rate limits. */
  public static final class ProviderRateLimited extends Rule {
    private final Duration window;
    private final long minAnswers;

    public ProviderRateLimited(Duration window, long minAnswers, Duration holdFor) {
      super("ProviderRateLimited", Severity.WARNING, holdFor, "provider-errors");
      this.window = window;
      this.minAnswers = minAnswers;
    }

    @Override
    public String condition() {
      return "at least " + minAnswers + " rate-limit answers from a provider in " + human(window);
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      return perProvider(
          in,
          window,
          p -> p.rateLimited() >= minAnswers,
          p -> "Provider " + p.provider() + " is rate-limiting Book Creator",
          p ->
              p.rateLimited()
                  + " rate-limit answers in the last "
                  + human(window)
                  + ": lower "
                  + p.provider()
                  + ".max_concurrency or pipeline.workers, or raise the account's limits.");
    }
  }

  /** A provider answers slowly: a high quantile of its call latency is above a mark. */
  public static final class ProviderLatencyHigh extends Rule {
    private final Duration window;
    private final long minCalls;
    private final double quantile;
    private final Duration max;

    public ProviderLatencyHigh(
        Duration window, long minCalls, double quantile, Duration max, Duration holdFor) {
      super("ProviderLatencyHigh", Severity.WARNING, holdFor, "provider-errors");
      this.window = window;
      this.minCalls = minCalls;
      this.quantile = quantile;
      this.max = max;
    }

    @Override
    public String condition() {
      return "a provider's p"
          + quantileName()
          + " call latency over "
          + human(window)
          + " exceeds "
          + human(max)
          + " (at least "
          + minCalls
          + " calls), for "
          + human(holdFor());
    }

    private String quantileName() {
      return BigDecimal.valueOf(quantile * 100).stripTrailingZeros().toPlainString();
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      List<Signal> out = new ArrayList<>();
      for (Store.CallLatency p : in.store().callLatency(in.now().minus(window), quantile)) {
        if (p.calls() < minCalls || p.quantileMs() <= max.toMillis()) continue;
        out.add(
            new Signal(
                Map.of("provider", p.provider()),
                "Provider "
                    + p.provider()
                    + " is slow: p"
                    + quantileName()
                    + " latency "
                    + human(Duration.ofSeconds(p.quantileMs() / 1000)),
                quantileName()
                    + "% of its "
                    + p.calls()
                    + " calls in the last "
                    + human(window)
                    + " took up to "
                    + p.quantileMs()
                    + " ms (the mark is "
                    + human(max)
                    + "). Runs go on, slowly; look at the provider's status, or move stages to"
                    + " another provider (routing.rules, routing.fallback)."));
      }
      return out;
    }
  }

  /** A structured role's answers often fail their JSON Schema. */
  public static final class SchemaViolationsHigh extends Rule {
    private final Duration window;
    private final long minCalls;
    private final double maxShare;

    public SchemaViolationsHigh(Duration window, long minCalls, double maxShare, Duration holdFor) {
      super("SchemaViolationsHigh", Severity.WARNING, holdFor, "schema-violations");
      this.window = window;
      this.minCalls = minCalls;
      this.maxShare = maxShare;
    }

    @Override
    public String condition() {
      return "a role's schema violations exceed "
          + Math.round(maxShare * 100)
          + "% of its structured calls over "
          + human(window)
          + " (at least "
          + minCalls
          + " calls)";
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      List<Signal> out = new ArrayList<>();
      for (Store.RoleChecks r : in.store().roleChecks(in.now().minus(window))) {
        // Writers and editors answer in prose: their checks are of length, not of a schema.
        if (!STRUCTURED_ROLES.contains(r.role())) continue;
        if (r.answered() < minCalls || r.violations() <= maxShare * r.answered()) continue;
        out.add(
            new Signal(
                Map.of("agent_role", r.role().id()),
                "Answers of the "
                    + r.role().id()
                    + " break their schema: "
                    + percent(r.violations(), r.answered()),
                r.violations()
                    + " schema violations for "
                    + r.answered()
                    + " structured calls in the last "
                    + human(window)
                    + "; each costs a repair call. Look: bin/book-creator logs --grep \"schema"
                    + " violation\" --since "
                    + human(window).replace(" ", "")));
      }
      return out;
    }
  }

  /** Roles whose task kinds return JSON checked against a schema. */
  private static final Set<AgentRole> STRUCTURED_ROLES = structuredRoles();

  private static Set<AgentRole> structuredRoles() {
    Set<AgentRole> out = java.util.EnumSet.noneOf(AgentRole.class);
    for (TaskKind k : TaskKind.values()) if (k.schema().isPresent()) out.add(k.role());
    return out;
  }

  /**
   * Log lines or spans were dropped because a bounded queue was full. The probe's count is
   * cumulative since the process started; the rule keeps its own readings of the last window (in
   * memory: they are of this process, and so is the count) and compares the latest with the newest
   * one taken at least a window ago, or with zero while the process is younger than the window.
   */
  public static final class TelemetryDropping extends Rule {
    private final Duration window;
    private final java.util.concurrent.locks.ReentrantLock lock =
        new java.util.concurrent.locks.ReentrantLock();
    private final List<Reading> readings = new ArrayList<>();

    private record Reading(java.time.Instant at, long dropped) {}

    public TelemetryDropping(Duration window, Duration holdFor) {
      super("TelemetryDropping", Severity.WARNING, holdFor, "observability");
      this.window = window;
    }

    @Override
    public String condition() {
      return "log lines or spans were dropped in the last " + human(window);
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      long dropped = droppedWithin(in.now(), in.probe().telemetryDropped());
      if (dropped <= 0) return List.of();
      return List.of(
          new Signal(
              Map.of(),
              "Telemetry is dropping log lines or spans",
              dropped
                  + " log line(s) or span(s) dropped in the last "
                  + human(window)
                  + ": a bounded queue was full (a slow disk, a slow OTLP collector, a flood of"
                  + " logs). Which: book_creator_telemetry_dropped_total{signal} on /metrics."));
    }

    private long droppedWithin(java.time.Instant now, long total) {
      lock.lock();
      try {
        java.time.Instant start = now.minus(window);
        readings.add(new Reading(now, total));
        while (readings.size() > 1 && !readings.get(1).at().isAfter(start)) readings.removeFirst();
        Reading oldest = readings.getFirst();
        long baseline = oldest.at().isAfter(start) ? 0 : oldest.dropped();
        return total - baseline;
      } finally {
        lock.unlock();
      }
    }
  }

  /** An open run's project has spent most of its budget. */
  public static final class BudgetNearlySpent extends Rule {
    private final BigDecimal share;

    public BudgetNearlySpent(BigDecimal share, Duration holdFor) {
      super("BudgetNearlySpent", Severity.WARNING, holdFor, "cost-overrun");
      this.share = share;
    }

    @Override
    public String condition() {
      return "an open run's project spent at least "
          + share.movePointRight(2).stripTrailingZeros().toPlainString()
          + "% of its budget, and not all of it";
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      return budgets(
          in,
          share,
          (spent, budget) ->
              spent.compareTo(budget.multiply(share)) >= 0 && spent.compareTo(budget) < 0);
    }
  }

  /** An open run's project has spent its whole budget (the run pauses unless told not to). */
  public static final class BudgetExceeded extends Rule {
    public BudgetExceeded(Duration holdFor) {
      super("BudgetExceeded", Severity.CRITICAL, holdFor, "cost-overrun");
    }

    @Override
    public String condition() {
      return "an open run's project spent its whole budget";
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      return budgets(in, BigDecimal.ONE, (spent, budget) -> spent.compareTo(budget) >= 0);
    }
  }

  /** The data directory's disk is nearly full. */
  public static final class StoreDiskLow extends Rule {
    private final double minShare;
    private final long minBytes;

    public StoreDiskLow(double minShare, long minBytes, Duration holdFor) {
      super("StoreDiskLow", Severity.CRITICAL, holdFor, "store-full-or-locked");
      this.minShare = minShare;
      this.minBytes = minBytes;
    }

    @Override
    public String condition() {
      return "the data directory's disk has less than "
          + Math.round(minShare * 100)
          + "% or "
          + (minBytes >> 20)
          + " MiB free, for "
          + human(holdFor());
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      ProcessProbe.DiskSpace disk = in.probe().disk();
      if (disk.freeBytes().isEmpty() || disk.totalBytes().isEmpty()) return List.of();
      long free = disk.freeBytes().getAsLong();
      long total = disk.totalBytes().getAsLong();
      if (free >= minBytes && free >= minShare * total) return List.of();
      return List.of(
          new Signal(
              Map.of(),
              "The data directory's disk is nearly full",
              (free >> 20)
                  + " MiB free of "
                  + (total >> 20)
                  + " MiB. When it is full every run stops; free space or move the data"
                  + " directory."));
    }
  }

  /** A model was called without a price: its spend is missing from every report. */
  public static final class UnpricedModelUsed extends Rule {
    private final Duration window;

    public UnpricedModelUsed(Duration window, Duration holdFor) {
      super("UnpricedModelUsed", Severity.WARNING, holdFor, "cost-overrun");
      this.window = window;
    }

    @Override
    public String condition() {
      return "a model call had no price in the last " + human(window);
    }

    @Override
    public List<Signal> check(AlertInputs in) {
      List<Signal> out = new ArrayList<>();
      for (Store.ModelCalls m : in.store().modelCalls(in.now().minus(window))) {
        if (m.unpriced() == 0) continue;
        out.add(
            new Signal(
                Map.of("provider", m.provider(), "model", m.model()),
                "Calls to " + m.provider() + "/" + m.model() + " have no price",
                m.unpriced()
                    + " call(s) in the last "
                    + human(window)
                    + " are missing from every cost total. Add the model to a price file"
                    + " (prices.file), then: bin/book-creator cost prices"));
      }
      return out;
    }
  }

  /**
   * What every built-in rule has: its name, severity, {@code for} and runbook; a subclass adds its
   * thresholds and what it checks.
   */
  abstract static class Rule implements AlertRule {
    private final String name;
    private final Severity severity;
    private final Duration holdFor;
    private final String runbook;

    Rule(String name, Severity severity, Duration holdFor, String runbook) {
      this.name = name;
      this.severity = severity;
      this.holdFor = holdFor;
      this.runbook = runbook;
    }

    @Override
    public final String name() {
      return name;
    }

    @Override
    public final Severity severity() {
      return severity;
    }

    @Override
    public final Duration holdFor() {
      return holdFor;
    }

    @Override
    public final String runbook() {
      return runbook;
    }
  }

  // ---- shared by the rules above

  /**
   * A signal labelled by provider for each provider whose calls over the window {@code fire}: the
   * shape of every provider rule.
   */
  private static List<Signal> perProvider(
      AlertInputs in,
      Duration window,
      java.util.function.Predicate<ProviderCalls> fire,
      java.util.function.Function<ProviderCalls, String> summary,
      java.util.function.Function<ProviderCalls, String> description) {
    List<Signal> out = new ArrayList<>();
    for (ProviderCalls p : providers(in.store().modelCalls(in.now().minus(window)))) {
      if (fire.test(p))
        out.add(
            new Signal(Map.of("provider", p.provider()), summary.apply(p), description.apply(p)));
    }
    return out;
  }

  /** Calls of one provider over a window, all its models together. */
  private record ProviderCalls(String provider, long calls, long failed, long rateLimited) {}

  private static List<ProviderCalls> providers(List<Store.ModelCalls> byModel) {
    Map<String, long[]> sums = new java.util.TreeMap<>();
    for (Store.ModelCalls m : byModel) {
      long[] s = sums.computeIfAbsent(m.provider(), k -> new long[3]);
      s[0] += m.calls();
      s[1] += m.failed();
      s[2] += m.rateLimited();
    }
    List<ProviderCalls> out = new ArrayList<>();
    sums.forEach((p, s) -> out.add(new ProviderCalls(p, s[0], s[1], s[2])));
    return out;
  }

  private static List<Signal> stalls(
      AlertInputs in,
      boolean leaseExpired,
      java.util.function.BiFunction<StallDetector.Stall, String, Signal> describe) {
    List<Signal> out = new ArrayList<>();
    for (StallDetector.Stall s : in.stalls().stalls()) {
      if ((s.kind() == StallDetector.Kind.LEASE_EXPIRED) != leaseExpired) continue;
      out.add(describe.apply(s, title(in.store(), s.run())));
    }
    return out;
  }

  /** The open runs' projects that spent at least {@code share} of their budget and cross it. */
  private static List<Signal> budgets(
      AlertInputs in,
      BigDecimal share,
      java.util.function.BiPredicate<BigDecimal, BigDecimal> crossed) {
    List<Signal> out = new ArrayList<>();
    for (Store.OpenBudget b : in.openBudgets(share)) {
      BigDecimal budget = b.budgetUsd();
      BigDecimal spent = b.spentUsd();
      if (budget.signum() <= 0 || !crossed.test(spent, budget)) continue;
      out.add(
          new Signal(
              Map.of("project_id", b.projectId(), "run_id", b.runId()),
              "\""
                  + b.title()
                  + "\" spent "
                  + percent(spent, budget)
                  + " of its $"
                  + budget.toPlainString()
                  + " budget",
              "spent $"
                  + spent.setScale(4, RoundingMode.HALF_EVEN).toPlainString()
                  + " of $"
                  + budget.toPlainString()
                  + (b.runState() == RunState.PAUSED ? "; run " + b.runId() + " is paused" : "")
                  + ". Raise it: bin/book-creator resume --run "
                  + b.runId()
                  + " --budget-usd N --reason TEXT"));
    }
    return out;
  }

  private static Map<String, String> runLabels(Run r) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("run_id", r.id());
    labels.put("project_id", r.projectId());
    labels.put("stage", r.stage().map(Stage::id).orElse("none"));
    return labels;
  }

  private static String title(Store store, Run r) {
    return store.project(r.projectId()).map(Project::title).orElse(r.projectId());
  }

  private static String stage(Run r) {
    return r.stage().map(s -> "stage " + s.id()).orElse("no stage");
  }

  private static String percent(long part, long whole) {
    return Math.round(100.0 * part / whole) + "%";
  }

  private static String percent(BigDecimal part, BigDecimal whole) {
    return part.multiply(BigDecimal.valueOf(100)).divide(whole, 0, RoundingMode.DOWN) + "%";
  }

  static String human(Duration d) {
    if (d.toDaysPart() > 0 && d.toHoursPart() == 0 && d.toMinutesPart() == 0)
      return d.toDays() + " d";
    if (d.toHours() > 0 && d.toMinutesPart() == 0 && d.toSecondsPart() == 0)
      return d.toHours() + " h";
    if (d.toMinutes() > 0 && d.toSecondsPart() == 0) return d.toMinutes() + " m";
    return d.toSeconds() + " s";
  }
}
