package org.bookcreator.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.run.RunForecast.Basis;
import org.bookcreator.core.run.RunForecast.Forecast;
import org.bookcreator.core.run.RunForecast.StageTotals;
import org.junit.jupiter.api.Test;

class RunForecastTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

  private static StageTotals totals(
      String category, Stage stage, long n, long seconds, String usd) {
    return new StageTotals(category, stage, n, Duration.ofSeconds(seconds), new BigDecimal(usd));
  }

  /** The run's stages: those before {@code current} completed, {@code current} as given. */
  private static List<StageRecord> stagesAt(Stage current, StageState state, Instant startedAt) {
    List<StageRecord> out = new ArrayList<>();
    for (Stage s : Stage.values()) {
      StageState st =
          s.ordinal() < current.ordinal()
              ? StageState.COMPLETED
              : s == current ? state : StageState.PENDING;
      out.add(
          new StageRecord(
              "r1",
              s,
              st,
              s == current ? Optional.of(startedAt) : Optional.empty(),
              Optional.empty(),
              0,
              Optional.empty(),
              Optional.empty()));
    }
    return out;
  }

  @Test
  void forecast_sumsTheCategoryAveragesOfTheStagesNotDone() {
    RunForecast forecaster =
        new RunForecast(
            List.of(
                totals("fiction", Stage.INTAKE, 2, 20, "0.2"),
                totals("fiction", Stage.EDITING, 2, 200, "1.0"),
                totals("fiction", Stage.ASSEMBLY, 2, 60, "0.4"),
                totals("history", Stage.EDITING, 1, 9999, "99")));

    Forecast f =
        forecaster.forecast(
            "fiction", stagesAt(Stage.EDITING, StageState.PENDING, NOW), new BigDecimal("3"), NOW);

    assertThat(f.basis()).isEqualTo(Basis.CATEGORY);
    assertThat(f.remaining()).contains(Duration.ofSeconds(130));
    assertThat(f.finishesAt()).contains(NOW.plusSeconds(130));
    assertThat(f.costToCompleteUsd()).contains(new BigDecimal("0.700000"));
    assertThat(f.projectedTotalUsd()).contains(new BigDecimal("3.700000"));
  }

  @Test
  void aRunningStage_countsWhatItsAverageHasLeft_andThatShareOfItsCost() {
    RunForecast forecaster =
        new RunForecast(
            List.of(
                totals("fiction", Stage.EDITING, 1, 100, "1.0"),
                totals("fiction", Stage.ASSEMBLY, 1, 10, "0.1")));

    Forecast running =
        forecaster.forecast(
            "fiction",
            stagesAt(Stage.EDITING, StageState.RUNNING, NOW.minusSeconds(75)),
            BigDecimal.ZERO,
            NOW);
    Forecast overdue =
        forecaster.forecast(
            "fiction",
            stagesAt(Stage.EDITING, StageState.RUNNING, NOW.minusSeconds(500)),
            BigDecimal.ZERO,
            NOW);

    assertThat(running.remaining()).contains(Duration.ofSeconds(35));
    assertThat(running.costToCompleteUsd()).contains(new BigDecimal("0.350000"));
    assertThat(overdue.remaining()).contains(Duration.ofSeconds(10));
    assertThat(overdue.costToCompleteUsd()).contains(new BigDecimal("0.100000"));
  }

  @Test
  void aCategoryWithoutHistory_fallsBackToEveryCategory() {
    RunForecast forecaster =
        new RunForecast(
            List.of(
                totals("fiction", Stage.ASSEMBLY, 1, 10, "1"),
                totals("history", Stage.ASSEMBLY, 3, 110, "2")));

    Forecast f =
        forecaster.forecast(
            "poetry", stagesAt(Stage.ASSEMBLY, StageState.PENDING, NOW), BigDecimal.ONE, NOW);

    assertThat(f.basis()).isEqualTo(Basis.ALL_CATEGORIES);
    assertThat(f.remaining()).contains(Duration.ofSeconds(30));
    assertThat(f.costToCompleteUsd()).contains(new BigDecimal("0.750000"));
    assertThat(f.projectedTotalUsd()).contains(new BigDecimal("1.750000"));
  }

  @Test
  void noHistory_forecastsNothing() {
    RunForecast forecaster = new RunForecast(List.of(totals("fiction", Stage.INTAKE, 0, 0, "0")));

    Forecast f =
        forecaster.forecast(
            "fiction", stagesAt(Stage.INTAKE, StageState.PENDING, NOW), BigDecimal.ONE, NOW);

    assertThat(f.basis()).isEqualTo(Basis.NONE);
    assertThat(f.remaining()).isEmpty();
    assertThat(f.costToCompleteUsd()).isEmpty();
  }
}
