package org.bookcreator.core.view;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostLine;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.store.Page;
import org.bookcreator.core.store.Store;

/**
 * The dashboard's analytics beyond a cost report: budgets and their share used, runs per category
 * and stage over time, iteration counts. Read by the API ({@code /api/budgets}, {@code
 * /api/library}) and so by the dashboard's Costs and Library pages.
 */
public final class AnalyticsQueries {
  private final Store store;

  public AnalyticsQueries(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * A project with a budget: what it has spent over all its runs, the share used, and the
   * projection: what it will have spent when its open run completes ({@code projected_usd}: spent +
   * the run's forecast cost to complete; spent alone without an open run; absent when the open run
   * has no history to forecast from), with its share of the budget.
   */
  public record BudgetShare(
      String projectId,
      String title,
      String category,
      BigDecimal budgetUsd,
      BigDecimal spentUsd,
      Optional<BigDecimal> shareUsed,
      Optional<String> openRunId,
      Optional<BigDecimal> projectedUsd,
      Optional<BigDecimal> projectedShare) {}

  /**
   * A page of the projects with a budget, most used first (then by project id): spent is the exact
   * sum of its ledger rows, the share is spent / budget to four decimals (absent for a zero
   * budget); the projection is that of {@link OverviewQueries#activeRuns} at {@code now}. Every
   * budgeted project's spend is read (one query) to order them; only the page's open runs are
   * forecast.
   */
  public Page<BudgetShare> budgets(Instant now, int limit, int offset) {
    // Every budget and spend in one read (10,000 at the bench), ordered here; only the page's
    // projects are read whole.
    List<Store.BudgetSpend> all = store.budgetSpends();
    Comparator<Store.BudgetSpend> mostUsed =
        Comparator.comparing(
                (Store.BudgetSpend b) -> share(b.spentUsd(), b.budgetUsd()).orElse(BigDecimal.ZERO))
            .reversed()
            .thenComparing(Store.BudgetSpend::projectId);
    List<Store.BudgetSpend> page = all.stream().sorted(mostUsed).skip(offset).limit(limit).toList();
    List<String> ids = page.stream().map(Store.BudgetSpend::projectId).toList();
    Map<String, OverviewQueries.ActiveRun> open = new java.util.HashMap<>();
    List<org.bookcreator.core.run.Run> openRuns =
        store.latestRuns(ids).values().stream().filter(r -> r.state().isOpen()).toList();
    for (OverviewQueries.ActiveRun a : new OverviewQueries(store).forecast(openRuns, now))
      open.put(a.projectId(), a);
    List<BudgetShare> items = new ArrayList<>();
    for (Store.BudgetSpend b : page) {
      // A project deleted between the two reads is left out of the page.
      store
          .project(b.projectId())
          .ifPresent(
              p ->
                  items.add(
                      budget(
                          p, b.budgetUsd(), b.spentUsd(), Optional.ofNullable(open.get(p.id())))));
    }
    return new Page<>(items, all.size(), limit, offset);
  }

  private static BudgetShare budget(
      Project p, BigDecimal budget, BigDecimal spent, Optional<OverviewQueries.ActiveRun> open) {
    Optional<BigDecimal> projected =
        open.isEmpty() ? Optional.of(spent) : open.get().costToCompleteUsd().map(spent::add);
    return new BudgetShare(
        p.id(),
        p.title(),
        p.category(),
        budget,
        spent,
        share(spent, budget),
        open.map(OverviewQueries.ActiveRun::runId),
        projected,
        projected.flatMap(x -> share(x, budget)));
  }

  private static Optional<BigDecimal> share(BigDecimal amount, BigDecimal budget) {
    return budget.signum() == 0
        ? Optional.empty()
        : Optional.of(amount.divide(budget, 4, RoundingMode.HALF_UP));
  }

  /**
   * Runs per category and stage over time: at the end of each bucket (an hour for ranges up to 7
   * days, else a UTC day) how many runs each stage held (queued or running, as {@code
   * books_per_stage} counts them). {@code times} are the buckets' starts; a series has one value
   * per bucket. Series that stay at zero are left out.
   */
  public record LibraryHistory(String bucket, List<Instant> times, List<Series> series) {
    public LibraryHistory {
      times = List.copyOf(times);
      series = List.copyOf(series);
    }

    public record Series(String category, String stage, List<Long> runs) {
      public Series {
        runs = List.copyOf(runs);
      }
    }
  }

  /** Average iterations of a stage over a category's completed runs. */
  public record Iterations(String category, String stage, long runs, double averageIterations) {}

  /**
   * The library's history from {@code since} (from the first recorded move without) to {@code now}.
   */
  public LibraryHistory history(Optional<Instant> since, Instant now) {
    Instant first =
        since.orElseGet(() -> store.firstStageMove().orElse(now.minus(Duration.ofDays(30))));
    boolean hourly = Duration.between(first, now).compareTo(Duration.ofDays(7)) <= 0;
    // Daily buckets are summed by the store: a month of history is ~1,800 lines, not ~25,000.
    List<Store.StageMoves> moves = store.stageMoves(since, !hourly);
    ChronoUnit unit = hourly ? ChronoUnit.HOURS : ChronoUnit.DAYS;
    Instant start = first.truncatedTo(unit);
    long buckets = unit.between(start, now.truncatedTo(unit)) + 1;
    Map<Key, long[]> changes = new LinkedHashMap<>();
    Map<Key, Long> before = new LinkedHashMap<>();
    for (Store.StageMoves m : moves) {
      Key key = new Key(m.category(), m.stage());
      long delta = m.entered() - m.left();
      if (m.hour().isEmpty()) {
        before.merge(key, delta, Long::sum);
        continue;
      }
      long i = unit.between(start, m.hour().get().truncatedTo(unit));
      if (i < 0) {
        before.merge(key, delta, Long::sum);
      } else if (i < buckets) {
        changes.computeIfAbsent(key, k -> new long[(int) buckets])[(int) i] += delta;
      }
    }
    for (Key key : before.keySet()) changes.computeIfAbsent(key, k -> new long[(int) buckets]);
    List<LibraryHistory.Series> series = new ArrayList<>();
    for (Map.Entry<Key, long[]> e : changes.entrySet()) {
      long level = before.getOrDefault(e.getKey(), 0L);
      List<Long> runs = new ArrayList<>((int) buckets);
      boolean any = false;
      for (long d : e.getValue()) {
        level += d;
        runs.add(level);
        any |= level != 0;
      }
      if (!any) continue;
      series.add(new LibraryHistory.Series(e.getKey().category(), e.getKey().stage(), runs));
    }
    List<Instant> times = new ArrayList<>();
    for (long i = 0; i < buckets; i++) times.add(start.plus(i, unit));
    return new LibraryHistory(hourly ? "hour" : "day", times, series);
  }

  private record Key(String category, String stage) {}

  /** Average iteration counts per category and stage over completed runs (stages with rounds). */
  public List<Iterations> iterations() {
    return store.completedIterations().stream()
        .map(i -> new Iterations(i.category(), i.stage(), i.stages(), i.averageIterations()))
        .toList();
  }

  /**
   * One agent role's calls since a time: answered calls, failed ones (an error answer), the success
   * rate (answered without an error / answered), retries and schema violations recorded by its
   * tasks, errors by type, latency p50, p95 (nearest rank) and mean in milliseconds.
   */
  public record AgentStats(
      String role,
      long calls,
      long failedCalls,
      Optional<Double> successRate,
      long retries,
      long schemaViolations,
      Map<String, Long> errorsByType,
      long latencyP50Ms,
      long latencyP95Ms,
      double latencyMeanMs) {}

  /**
   * One provider and model's calls since a time; rate limits are errors of type rate_limited; the
   * error rate is failed / calls; the cache hit ratio is the share of prompt tokens read from the
   * cache: cache-read / (input + cache-read + cache-write) tokens of the same calls, as the cost
   * report counts them (the ledger's input tokens exclude cached ones for every provider); absent
   * without prompt tokens.
   */
  public record ProviderStats(
      String provider,
      String model,
      long calls,
      long failedCalls,
      Optional<Double> errorRate,
      long rateLimited,
      Map<String, Long> errorsByType,
      long latencyP50Ms,
      long latencyP95Ms,
      double latencyMeanMs,
      long inputTokens,
      long cacheReadTokens,
      long cacheWriteTokens,
      Optional<Double> cacheHitRatio) {}

  /** Per agent role (every role with calls, retries or violations), from the ledger's window. */
  public List<AgentStats> agents(Instant since) {
    Map<AgentRole, Store.CallProfile> profiles = new EnumMap<>(AgentRole.class);
    for (Store.CallProfile p : store.callProfiles(since, true))
      profiles.put(AgentRole.valueOf(p.keys().getFirst()), p);
    Map<AgentRole, Long> retries = store.roleEvents(since, RunEvent.RETRY);
    Map<AgentRole, Long> violations = store.roleEvents(since, RunEvent.SCHEMA_VIOLATION);
    List<AgentStats> out = new ArrayList<>();
    for (AgentRole role : AgentRole.values()) {
      Store.CallProfile p = profiles.get(role);
      long r = retries.getOrDefault(role, 0L);
      long v = violations.getOrDefault(role, 0L);
      if (p == null && r == 0 && v == 0) continue;
      long calls = p == null ? 0 : p.calls();
      long failed =
          p == null ? 0 : p.errorsByType().values().stream().mapToLong(Long::longValue).sum();
      out.add(
          new AgentStats(
              role.name().toLowerCase(java.util.Locale.ROOT),
              calls,
              failed,
              calls == 0 ? Optional.empty() : Optional.of((double) (calls - failed) / calls),
              r,
              v,
              p == null ? Map.of() : p.errorsByType(),
              p == null ? 0 : p.latencyP50Ms(),
              p == null ? 0 : p.latencyP95Ms(),
              p == null ? 0 : p.latencyMeanMs()));
    }
    return out;
  }

  /** Per provider and model with answered calls in the window. */
  public List<ProviderStats> providers(Instant since) {
    Map<List<String>, CostLine> tokens = new java.util.HashMap<>();
    for (CostLine l :
        store.costReport(
            new CostQuery(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(since),
                Optional.empty(),
                List.of(CostDimension.PROVIDER, CostDimension.MODEL)))) {
      tokens.put(l.keys(), l);
    }
    return store.callProfiles(since, false).stream()
        .map(
            p -> {
              long failed = p.errorsByType().values().stream().mapToLong(Long::longValue).sum();
              CostLine t = tokens.get(p.keys());
              long input = t == null ? 0 : t.inputTokens();
              long cacheRead = t == null ? 0 : t.cacheReadTokens();
              long cacheWrite = t == null ? 0 : t.cacheWriteTokens();
              long prompt = input + cacheRead + cacheWrite;
              return new ProviderStats(
                  p.keys().get(0),
                  p.keys().get(1),
                  p.calls(),
                  failed,
                  p.calls() == 0 ? Optional.empty() : Optional.of((double) failed / p.calls()),
                  p.errorsByType().getOrDefault("rate_limited", 0L),
                  p.errorsByType(),
                  p.latencyP50Ms(),
                  p.latencyP95Ms(),
                  p.latencyMeanMs(),
                  input,
                  cacheRead,
                  cacheWrite,
                  prompt == 0 ? Optional.empty() : Optional.of((double) cacheRead / prompt));
            })
        .toList();
  }
}
