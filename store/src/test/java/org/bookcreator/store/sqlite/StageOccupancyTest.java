package org.bookcreator.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.view.AnalyticsQueries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The V14 rollup of runs per category and stage over time equals a replay of the moves the test
 * made, hour by hour, and its level now equals {@link Store#activeRunsByStage()}.
 */
class StageOccupancyTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir Path dir;
  private SqliteStore store;
  private final Random random = new Random(13);

  @BeforeEach
  void open() {
    store = SqliteStore.open(dir.resolve("data"), true);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** One move of a run, and what the run is after it: counted (queued or running) in a stage. */
  private record Move(Instant at, String runId, Runnable apply, boolean active, Stage stage) {}

  @Test
  void history_equalsAReplayOfTheMoves_everyHour_andEndsAtTheRunsActiveNow() {
    List<Move> moves = new ArrayList<>();
    Map<String, String> categoryOf = new HashMap<>();
    for (int i = 0; i < 40; i++) moves.addAll(lifeOfARun(i, categoryOf));
    moves.sort((a, b) -> a.at().compareTo(b.at()));
    Instant since = T0.plus(Duration.ofHours(12));
    Instant now = T0.plus(Duration.ofHours(71)).plusSeconds(59);

    // The replay: after each hour's moves, how many runs each category x stage holds.
    List<Instant> ends = new ArrayList<>();
    for (int h = 0; h < 72; h++) ends.add(T0.plus(HOUR.multipliedBy(h + 1)));
    List<Map<String, Long>> expected = replay(moves, categoryOf, ends);

    AnalyticsQueries.LibraryHistory history =
        new AnalyticsQueries(store).history(Optional.of(since), now);

    assertThat(history.bucket()).isEqualTo("hour");
    assertThat(history.times()).hasSize(60).startsWith(since);
    for (int i = 0; i < 60; i++) {
      Map<String, Long> actual = new TreeMap<>();
      for (AnalyticsQueries.LibraryHistory.Series s : history.series())
        if (s.runs().get(i) != 0) actual.put(s.category() + "/" + s.stage(), s.runs().get(i));
      assertThat(actual).as("hour %d", 12 + i).isEqualTo(expected.get(12 + i));
    }
    Map<String, Long> now_ = new TreeMap<>();
    for (Store.StageCount c : store.activeRunsByStage())
      if (c.runs() != 0) now_.put(c.category() + "/" + c.stage(), c.runs());
    assertThat(expected.getLast()).isEqualTo(now_).isNotEmpty();
  }

  @Test
  void history_overMoreThanAWeek_isPerUtcDay_andEqualsAReplayAtTheEndOfEachDay() {
    List<Move> moves = new ArrayList<>();
    Map<String, String> categoryOf = new HashMap<>();
    for (int i = 0; i < 40; i++) moves.addAll(lifeOfARun(i, categoryOf));
    moves.sort((a, b) -> a.at().compareTo(b.at()));
    Instant now = T0.plus(Duration.ofDays(12)).plusSeconds(59);
    List<Instant> ends = new ArrayList<>();
    for (int d = 0; d < 13; d++) ends.add(T0.plus(Duration.ofDays(d + 1)));
    List<Map<String, Long>> expected = replay(moves, categoryOf, ends);

    // Without a range: from the first move (the first day's midnight), a bucket per UTC day.
    AnalyticsQueries.LibraryHistory history =
        new AnalyticsQueries(store).history(Optional.empty(), now);

    assertThat(history.bucket()).isEqualTo("day");
    assertThat(history.times()).hasSize(13).startsWith(T0);
    for (int d = 0; d < 13; d++) {
      Map<String, Long> actual = new TreeMap<>();
      for (AnalyticsQueries.LibraryHistory.Series s : history.series())
        if (s.runs().get(d) != 0) actual.put(s.category() + "/" + s.stage(), s.runs().get(d));
      assertThat(actual).as("day %d", d).isEqualTo(expected.get(d));
    }
    assertThat(expected.get(1)).as("runs were active on the second day").isNotEmpty();
  }

  /**
   * Applies the moves to the store in order and says, at each of {@code ends}, how many runs each
   * category x stage held.
   */
  private static List<Map<String, Long>> replay(
      List<Move> moves, Map<String, String> categoryOf, List<Instant> ends) {
    Map<String, Boolean> active = new HashMap<>();
    Map<String, Stage> stage = new HashMap<>();
    List<Map<String, Long>> levels = new ArrayList<>();
    int next = 0;
    for (Instant end : ends) {
      while (next < moves.size() && moves.get(next).at().isBefore(end)) {
        Move m = moves.get(next++);
        m.apply().run();
        active.put(m.runId(), m.active());
        stage.put(m.runId(), m.stage());
      }
      Map<String, Long> level = new TreeMap<>();
      for (String run : active.keySet())
        if (active.get(run))
          level.merge(categoryOf.get(run) + "/" + stage.get(run).id(), 1L, Long::sum);
      levels.add(level);
    }
    return levels;
  }

  /** A run created at a random time, started, moved through some stages, and maybe ended. */
  private List<Move> lifeOfARun(int i, Map<String, String> categoryOf) {
    String project = "p" + i;
    String run = "r" + i;
    String category = i % 3 == 0 ? "fiction" : "history";
    categoryOf.put(run, category);
    Instant created = T0.plus(Duration.ofMinutes(random.nextInt(60 * 60)));
    store.createProject(
        new Project(
            project,
            "T" + i,
            category,
            Optional.empty(),
            "b",
            1,
            Optional.empty(),
            List.of(),
            created));
    List<Move> moves = new ArrayList<>();
    Instant[] t = {created};
    java.util.function.Supplier<Instant> later =
        () -> t[0] = t[0].plus(Duration.ofMinutes(1 + random.nextInt(180)));
    moves.add(
        new Move(
            created,
            run,
            () -> store.createRun(run, project, 1, "test", created),
            true,
            Stage.INTAKE));
    Instant started = later.get();
    moves.add(
        new Move(
            started,
            run,
            () -> store.transitionRun(run, RunState.QUEUED, RunState.RUNNING, "go", started),
            true,
            Stage.INTAKE));
    int stages = random.nextInt(Stage.values().length);
    for (int s = 0; s < stages; s++) {
      Stage st = Stage.values()[s];
      Instant at = later.get();
      moves.add(
          new Move(
              at,
              run,
              () ->
                  store.transitionStage(
                      run,
                      st,
                      StageState.PENDING,
                      StageState.RUNNING,
                      Optional.empty(),
                      0,
                      "go",
                      at),
              true,
              st));
    }
    Stage last = stages == 0 ? Stage.INTAKE : Stage.values()[stages - 1];
    Instant end = later.get();
    switch (random.nextInt(4)) {
      case 0 ->
          moves.add(
              new Move(
                  end,
                  run,
                  () -> store.transitionRun(run, RunState.RUNNING, RunState.COMPLETED, "ok", end),
                  false,
                  last));
      case 1 -> {
        moves.add(
            new Move(
                end,
                run,
                () -> store.transitionRun(run, RunState.RUNNING, RunState.FAILED, "no", end),
                false,
                last));
        Instant again = later.get();
        moves.add(
            new Move(
                again,
                run,
                () -> store.transitionRun(run, RunState.FAILED, RunState.RUNNING, "again", again),
                true,
                last));
      }
      case 2 ->
          moves.add(
              new Move(
                  end,
                  run,
                  () -> store.transitionRun(run, RunState.RUNNING, RunState.PAUSED, "budget", end),
                  false,
                  last));
      default -> {}
    }
    return moves;
  }
}
