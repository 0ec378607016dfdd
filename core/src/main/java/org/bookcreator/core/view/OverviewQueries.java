package org.bookcreator.core.view;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunForecast;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskState;
import org.bookcreator.core.store.Store;

/**
 * The Overview's figures beyond a cost report: books completed and failed over time with the cost
 * per book (from the V17 rollup of ended runs), and each open run's progress with its forecast
 * ({@link RunForecast} over the V17 stage history). Read by {@code GET /api/throughput}, {@code GET
 * /api/runs/active} and {@code runs --active}, so the page and the command line agree.
 */
public final class OverviewQueries {
  /** Averages such as cost per book are rounded half up to this many decimals. */
  public static final int AVERAGE_SCALE = 6;

  /** At most this many buckets in one answer (hours of 92 days fit; days of 27 years). */
  public static final int MAX_BUCKETS = 10_000;

  private final Store store;

  public OverviewQueries(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** A throughput bucket: an hour, a day or a week (from Monday) in the viewer's time zone. */
  public enum Bucket {
    HOUR,
    DAY,
    WEEK;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** {@code hour}, {@code day} or {@code week}; anything else names the choices. */
    public static Bucket parse(String id) {
      for (Bucket b : values()) if (b.id().equals(id)) return b;
      throw new IllegalArgumentException("must be one of hour, day, week, got '" + id + "'");
    }

    ZonedDateTime start(ZonedDateTime t) {
      return switch (this) {
        case HOUR -> t.truncatedTo(ChronoUnit.HOURS);
        case DAY -> t.truncatedTo(ChronoUnit.DAYS);
        case WEEK ->
            t.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      };
    }

    ZonedDateTime next(ZonedDateTime t) {
      return switch (this) {
        case HOUR -> t.plusHours(1);
        case DAY -> t.plusDays(1);
        case WEEK -> t.plusWeeks(1);
      };
    }
  }

  /**
   * Runs that ended per bucket from the bucket holding {@code since} to the one holding now: {@code
   * times} are the buckets' starts; per bucket the runs that completed and failed, what the
   * completed ones had cost when they ended (exact), and the cost per book (that cost / completed,
   * to six decimals; null where none completed). {@code total} sums the buckets.
   */
  public record Throughput(
      String bucket,
      String zone,
      List<Instant> times,
      List<Long> completed,
      List<Long> failed,
      List<BigDecimal> completedCostUsd,
      List<BigDecimal> costPerBookUsd,
      Total total) {
    public Throughput {
      times = List.copyOf(times);
      completed = List.copyOf(completed);
      failed = List.copyOf(failed);
      completedCostUsd = List.copyOf(completedCostUsd);
      costPerBookUsd = java.util.Collections.unmodifiableList(new ArrayList<>(costPerBookUsd));
    }

    /** The buckets' sums; the cost per book is over every completed run of the range. */
    public record Total(
        long completed,
        long failed,
        BigDecimal completedCostUsd,
        Optional<BigDecimal> costPerBookUsd,
        Optional<Double> completionRate) {}
  }

  /**
   * Throughput from {@code since} to {@code now} in buckets of the viewer's {@code zone}, of one
   * category or all. Without {@code since}: from the first run that ended, at least 30 days back.
   * Without a bucket: hours for ranges up to 7 days, else days. Reads the hourly rollup: an hour
   * belongs to the day or week its start falls in.
   *
   * @throws IllegalArgumentException for hour buckets over more than 92 days, or more than {@link
   *     #MAX_BUCKETS} buckets
   */
  public Throughput throughput(
      Optional<Instant> since,
      Optional<Bucket> bucketOrDefault,
      ZoneId zone,
      Optional<String> category,
      Instant now) {
    List<Store.RunsEnded> rows = since.isPresent() ? null : store.runsEnded(Instant.EPOCH);
    Instant from =
        since.orElseGet(
            () -> {
              Instant back = now.minus(Duration.ofDays(30));
              return rows.isEmpty() || rows.getFirst().hour().isAfter(back)
                  ? back
                  : rows.getFirst().hour();
            });
    Duration range = Duration.between(from, now);
    Bucket bucket =
        bucketOrDefault.orElse(range.compareTo(Duration.ofDays(7)) <= 0 ? Bucket.HOUR : Bucket.DAY);
    if (bucket == Bucket.HOUR && range.compareTo(Duration.ofDays(92)) > 0) {
      throw new IllegalArgumentException(
          "hour buckets cover at most 92 days; use day or week, or a later since");
    }
    ZonedDateTime first = bucket.start(from.atZone(zone));
    List<Instant> times = new ArrayList<>();
    Map<Instant, Integer> index = new HashMap<>();
    for (ZonedDateTime t = first; !t.toInstant().isAfter(now); t = bucket.next(t)) {
      if (times.size() == MAX_BUCKETS) {
        throw new IllegalArgumentException(
            "more than " + MAX_BUCKETS + " buckets; use a larger bucket or a later since");
      }
      index.put(t.toInstant(), times.size());
      times.add(t.toInstant());
    }
    int n = times.size();
    long[] completed = new long[n];
    long[] failed = new long[n];
    BigDecimal[] cost = new BigDecimal[n];
    java.util.Arrays.fill(cost, BigDecimal.ZERO);
    for (Store.RunsEnded e : rows != null ? rows : store.runsEnded(first.toInstant())) {
      if (category.isPresent() && !category.get().equals(e.category())) continue;
      Integer i = index.get(bucket.start(e.hour().atZone(zone)).toInstant());
      if (i == null) continue;
      if (e.outcome() == RunState.COMPLETED) {
        completed[i] += e.runs();
        cost[i] = cost[i].add(e.costUsd());
      } else {
        failed[i] += e.runs();
      }
    }
    List<Long> c = new ArrayList<>();
    List<Long> f = new ArrayList<>();
    List<BigDecimal> perBook = new ArrayList<>();
    long totalCompleted = 0;
    long totalFailed = 0;
    BigDecimal totalCost = BigDecimal.ZERO;
    for (int i = 0; i < n; i++) {
      c.add(completed[i]);
      f.add(failed[i]);
      perBook.add(perBook(cost[i], completed[i]).orElse(null));
      totalCompleted += completed[i];
      totalFailed += failed[i];
      totalCost = totalCost.add(cost[i]);
    }
    long ended = totalCompleted + totalFailed;
    return new Throughput(
        bucket.id(),
        zone.getId(),
        times,
        c,
        f,
        List.of(cost),
        perBook,
        new Throughput.Total(
            totalCompleted,
            totalFailed,
            totalCost,
            perBook(totalCost, totalCompleted),
            ended == 0 ? Optional.empty() : Optional.of((double) totalCompleted / ended)));
  }

  private static Optional<BigDecimal> perBook(BigDecimal cost, long books) {
    return books == 0
        ? Optional.empty()
        : Optional.of(cost.divide(BigDecimal.valueOf(books), AVERAGE_SCALE, RoundingMode.HALF_UP));
  }

  /**
   * An open run's progress and forecast: stages done of all, tasks completed of all its tasks
   * (superseded ones left out), what it has spent (exact), and the forecast: its basis ({@code
   * category}, {@code all_categories} or {@code none}: no history), the seconds still needed, when
   * it would finish, the cost to complete and the projected total.
   */
  public record ActiveRun(
      String runId,
      String projectId,
      String title,
      String category,
      String state,
      Optional<String> stage,
      Instant startedAt,
      long stagesDone,
      int stagesTotal,
      long tasksDone,
      long tasksTotal,
      BigDecimal spentUsd,
      String forecastBasis,
      Optional<Long> remainingSeconds,
      Optional<Instant> finishesAt,
      Optional<BigDecimal> costToCompleteUsd,
      Optional<BigDecimal> projectedTotalUsd) {}

  /** A page of open runs, the oldest first, and how many are open in all. */
  public record ActiveRuns(List<ActiveRun> items, long total, int limit, int offset) {
    public ActiveRuns {
      items = List.copyOf(items);
    }
  }

  /**
   * The open (queued, running or paused) runs, the oldest first, {@code limit} from {@code offset},
   * each with its forecast at {@code now}. Only the page's runs are read in detail.
   */
  public ActiveRuns activeRuns(Instant now, int limit, int offset) {
    List<Run> open =
        store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING, RunState.PAUSED)).stream()
            .sorted(Comparator.comparing(Run::createdAt).thenComparing(Run::id))
            .toList();
    int from = Math.min(offset, open.size());
    int to = (int) Math.min((long) offset + limit, open.size());
    return new ActiveRuns(forecast(open.subList(from, to), now), open.size(), limit, offset);
  }

  /** Every open run, the oldest first, with its forecast ({@code runs --active}). */
  public List<ActiveRun> activeRuns(Instant now) {
    return activeRuns(now, Integer.MAX_VALUE, 0).items();
  }

  /** These runs' progress and forecast at {@code now}, in their order. */
  public List<ActiveRun> forecast(List<Run> runs, Instant now) {
    if (runs.isEmpty()) return List.of();
    RunForecast forecaster = forecaster();
    Map<String, RunTotals> totals = store.totals(runs.stream().map(Run::id).toList());
    Map<String, Project> projects = new HashMap<>();
    List<ActiveRun> out = new ArrayList<>();
    for (Run run : runs) {
      Project project =
          projects.computeIfAbsent(run.projectId(), id -> store.project(id).orElse(null));
      String category = project == null ? "" : project.category();
      List<StageRecord> stages = store.stages(run.id());
      List<Task> tasks =
          store.taskOutcomes(run.id()).stream()
              .filter(t -> t.state() != TaskState.SUPERSEDED)
              .toList();
      BigDecimal spent = totals.get(run.id()).costUsd();
      RunForecast.Forecast f = forecaster.forecast(category, stages, spent, now);
      out.add(
          new ActiveRun(
              run.id(),
              run.projectId(),
              project == null ? "" : project.title(),
              category,
              run.state().name().toLowerCase(Locale.ROOT),
              run.stage().map(Stage::id),
              run.createdAt(),
              stages.stream().filter(s -> s.state().isDone()).count(),
              Stage.values().length,
              tasks.stream().filter(t -> t.state() == TaskState.COMPLETED).count(),
              tasks.size(),
              spent,
              f.basis().id(),
              f.remaining().map(d -> d.toSeconds()),
              f.finishesAt(),
              f.costToCompleteUsd(),
              f.projectedTotalUsd()));
    }
    return out;
  }

  /** The forecaster over the store's history of completed stages. */
  public RunForecast forecaster() {
    return new RunForecast(
        store.stageHistory().stream()
            .map(
                h ->
                    new RunForecast.StageTotals(
                        h.category(),
                        h.stage(),
                        h.stages(),
                        Duration.ofMillis(h.durationMs()),
                        h.costUsd()))
            .toList());
  }
}
