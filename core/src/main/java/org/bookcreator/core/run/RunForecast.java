package org.bookcreator.core.run;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How long an open run still needs and what it will still cost, from the history of completed runs:
 * for each stage it has not finished, the average duration and cost of that stage over the
 * completed runs of its category (of every category when its own has none; nothing when there is no
 * history at all). A stage running now counts for what its average has left after the time it has
 * run, and for that share of its average cost. Stages that never completed in the history (always
 * skipped, say) count zero. Pure: the history and the time are given; thread-safe.
 */
public final class RunForecast {
  /** Where a forecast's averages came from. */
  public enum Basis {
    /** Completed runs of the run's own category. */
    CATEGORY,
    /** Completed runs of every category: the run's own has none. */
    ALL_CATEGORIES,
    /** No completed run at all: nothing is forecast. */
    NONE;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * The totals of one stage over completed runs: how many completed it, their summed duration and
   * their summed cost (US dollars, exact).
   */
  public record StageTotals(
      String category, Stage stage, long stages, Duration duration, BigDecimal costUsd) {
    public StageTotals {
      Objects.requireNonNull(category, "category");
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(costUsd, "costUsd");
      if (stages < 0) throw new IllegalArgumentException("stages must be >= 0, was " + stages);
    }
  }

  /**
   * A forecast: where its averages came from, the time still needed, when the run would finish if
   * it ran on from {@code now}, the cost still to come (to six decimals, rounded half up), and the
   * run's projected total (spent so far plus the cost to complete). All empty with {@link
   * Basis#NONE}.
   */
  public record Forecast(
      Basis basis,
      Optional<Duration> remaining,
      Optional<Instant> finishesAt,
      Optional<BigDecimal> costToCompleteUsd,
      Optional<BigDecimal> projectedTotalUsd) {
    static Forecast none() {
      return new Forecast(
          Basis.NONE, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
  }

  private record Average(Duration duration, BigDecimal costUsd) {}

  private static final int SCALE = 6;

  private final Map<String, Map<Stage, Average>> byCategory = new HashMap<>();
  private final Map<Stage, Average> all = new EnumMap<>(Stage.class);

  /** A forecaster over these totals (one per category and stage; several are summed). */
  public RunForecast(List<StageTotals> history) {
    Map<String, Map<Stage, StageTotals>> sums = new HashMap<>();
    Map<Stage, StageTotals> allSums = new EnumMap<>(Stage.class);
    for (StageTotals t : history) {
      if (t.stages() == 0) continue;
      sums.computeIfAbsent(t.category(), c -> new EnumMap<>(Stage.class))
          .merge(t.stage(), t, RunForecast::plus);
      allSums.merge(t.stage(), t, RunForecast::plus);
    }
    sums.forEach(
        (category, stages) -> {
          Map<Stage, Average> averages = new EnumMap<>(Stage.class);
          stages.forEach((stage, t) -> averages.put(stage, average(t)));
          byCategory.put(category, averages);
        });
    allSums.forEach((stage, t) -> all.put(stage, average(t)));
  }

  /**
   * The forecast of a run of {@code category} whose stages stand as {@code stages}, having spent
   * {@code spentUsd}, at {@code now}.
   */
  public Forecast forecast(
      String category, List<StageRecord> stages, BigDecimal spentUsd, Instant now) {
    Map<Stage, Average> averages = byCategory.get(category);
    Basis basis = Basis.CATEGORY;
    if (averages == null) {
      if (all.isEmpty()) return Forecast.none();
      averages = all;
      basis = Basis.ALL_CATEGORIES;
    }
    Map<Stage, StageRecord> byStage = new EnumMap<>(Stage.class);
    for (StageRecord s : stages) byStage.put(s.stage(), s);
    Duration remaining = Duration.ZERO;
    BigDecimal cost = BigDecimal.ZERO;
    for (Stage stage : Stage.values()) {
      StageRecord record = byStage.get(stage);
      if (record != null && record.state().isDone()) continue;
      Average average = averages.get(stage);
      if (average == null) continue;
      if (record != null
          && record.state() == StageState.RUNNING
          && record.startedAt().isPresent()) {
        Duration ran = Duration.between(record.startedAt().get(), now);
        Duration left = average.duration().minus(ran);
        if (left.isNegative() || average.duration().isZero()) continue;
        remaining = remaining.plus(left);
        cost =
            cost.add(
                average
                    .costUsd()
                    .multiply(BigDecimal.valueOf(left.toMillis()))
                    .divide(
                        BigDecimal.valueOf(average.duration().toMillis()),
                        12,
                        RoundingMode.HALF_UP));
      } else {
        remaining = remaining.plus(average.duration());
        cost = cost.add(average.costUsd());
      }
    }
    BigDecimal toComplete = cost.setScale(SCALE, RoundingMode.HALF_UP);
    return new Forecast(
        basis,
        Optional.of(remaining),
        Optional.of(now.plus(remaining)),
        Optional.of(toComplete),
        Optional.of(spentUsd.add(toComplete)));
  }

  private static StageTotals plus(StageTotals a, StageTotals b) {
    return new StageTotals(
        a.category(),
        a.stage(),
        a.stages() + b.stages(),
        a.duration().plus(b.duration()),
        a.costUsd().add(b.costUsd()));
  }

  private static Average average(StageTotals t) {
    return new Average(
        t.duration().dividedBy(t.stages()),
        t.costUsd().divide(BigDecimal.valueOf(t.stages()), 12, RoundingMode.HALF_UP));
  }
}
