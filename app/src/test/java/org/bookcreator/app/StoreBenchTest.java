package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bookcreator.store.postgres.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks of the PostgreSQL store, run tiny against the PostgreSQL server of this machine:
 * what they print, that every run completed, and that their scratch databases are gone after.
 */
class StoreBenchTest {
  @Test
  void compareStores_runsTheBooksOnBothStores_andDropsItsDatabases() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      Set<String> before = benchDatabases(db);
      Cli cli =
          Cli.runWithEnv(
              env(db),
              "bench",
              "--compare-stores",
              "--books",
              "2",
              "--chapters",
              "1",
              "--warmup",
              "0",
              "--repeat",
              "2",
              "--telemetry",
              "off");
      assertThat(cli.exitCode()).as(cli.err()).isZero();
      assertThat(cli.out())
          .containsPattern("postgresql: a scratch database per run on 127\\.0\\.0\\.1:5432/")
          .containsPattern("(?m)^pair 1: sqlite \\d+ ms, postgresql \\d+ ms, postgresql/sqlite ")
          .containsPattern("(?m)^pair 2: sqlite \\d+ ms, postgresql \\d+ ms, postgresql/sqlite ")
          .containsPattern(
              "books=2 chapters=1: store sqlite median \\d+ ms, postgresql median \\d+ ms;"
                  + " postgresql/sqlite ratio median \\d+\\.\\d{3} .* over 2 pairs");
      assertThat(benchDatabases(db)).as("scratch databases left behind").isEqualTo(before);
    }
  }

  @Test
  void workerProcesses_runEveryBook_withOneAndTwoWorkerProcesses() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      Set<String> before = benchDatabases(db);
      Cli cli =
          Cli.runWithEnv(
              env(db),
              "bench",
              "--worker-processes",
              "1,2",
              "--workers-total",
              "4",
              "--latency",
              "20ms",
              "--books",
              "2",
              "--chapters",
              "1",
              "--warmup",
              "1",
              "--repeat",
              "2");
      assertThat(cli.exitCode()).as(cli.err()).isZero();
      // Every round of every count ran the same books: the same tasks, warm-up included.
      Matcher rounds =
          Pattern.compile(
                  "(?m)^processes=(\\d) workers each=(\\d) (warm-up|round) (\\d): (\\d+) tasks in"
                      + " \\d+ ms, [\\d.]+ tasks/s, JVM CPU [\\d.]+ s, machine busy (\\d+%|\\?)$")
              .matcher(cli.out());
      List<String> seen = new ArrayList<>();
      Set<String> tasks = new HashSet<>();
      while (rounds.find()) {
        seen.add(
            rounds.group(1)
                + "x"
                + rounds.group(2)
                + " "
                + rounds.group(3)
                + " "
                + rounds.group(4));
        tasks.add(rounds.group(5));
      }
      assertThat(seen)
          .as(cli.out())
          .containsExactly(
              "1x4 warm-up 1",
              "1x4 round 1",
              "1x4 round 2",
              "2x2 warm-up 1",
              "2x2 round 1",
              "2x2 round 2");
      assertThat(tasks).as("the same books, the same tasks").hasSize(1);
      assertThat(Long.parseLong(tasks.iterator().next())).as("tasks of two books").isGreaterThan(2);
      assertThat(cli.out())
          .contains(
              "| processes | workers each | tasks a round | median wall ms | tasks/s median | min |"
                  + " max | JVM CPU ms a task | machine busy | tasks/s vs 1 process(es) |")
          .containsPattern(
              "(?m)^\\| 1 \\| 4 \\| \\d+ \\| \\d+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\|"
                  + " [\\d.]+ \\| (\\d+%|\\?) \\| 1\\.000 \\|$")
          .containsPattern(
              "(?m)^\\| 2 \\| 2 \\| \\d+ \\| \\d+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\|"
                  + " [\\d.]+ \\| (\\d+%|\\?) \\| \\d+\\.\\d{3} \\|$");
      assertThat(benchDatabases(db)).as("scratch databases left behind").isEqualTo(before);
    }
  }

  @Test
  void claims_onPostgres_claimEveryTaskOnce_roundAfterRound_andRefuseAStoreWithProjects()
      throws Exception {
    try (TestDatabase db = TestDatabase.migrated()) {
      Cli cli =
          Cli.runWithEnv(
              env(db),
              "bench",
              "--claims",
              "4",
              "--runs",
              "5",
              "--tasks-per-run",
              "6",
              "--warmup",
              "1",
              "--repeat",
              "2");
      Cli again = Cli.runWithEnv(env(db), "bench", "--claims", "2", "--runs", "1");

      assertThat(cli.exitCode()).as(cli.err()).isZero();
      assertThat(cli.out())
          .containsPattern(
              "(?m)^warm-up 1: filled 30 queued tasks \\(5 runs\\) in \\d+ ms; claim p50")
          .containsPattern("(?m)^round 1: filled 30 queued tasks")
          .containsPattern("(?m)^round 2: filled 30 queued tasks")
          .containsPattern(
              "(?m)^4 claimers, 30 tasks a round on PostgreSQL .*, 2 measured round\\(s\\) after 1"
                  + " warm-up: claim latency p50 [\\d.]+ ms, p95 [\\d.]+ ms, p99 [\\d.]+ ms, max"
                  + " [\\d.]+ ms over 68 claims; .* every task claimed exactly once$");
      try (Connection c = db.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("SELECT state, COUNT(*) FROM tasks GROUP BY state ORDER BY state")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("COMPLETED");
        assertThat(rs.getLong(2)).as("three rounds of 30").isEqualTo(90);
        assertThat(rs.next()).as("nothing left queued or leased").isFalse();
      }
      assertThat(again.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(again.err()).contains("bench --claims needs an empty store");
    }
  }

  @Test
  void workerProcesses_refuseATotalThatDoesNotDivide_andNeedPostgres() {
    Cli uneven = Cli.runIn(Map.of(), "bench", "--worker-processes", "1,3", "--workers-total", "32");
    assertThat(uneven.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(uneven.err()).contains("--workers-total 32 does not divide evenly among 3");
    Cli noServer = Cli.runIn(Map.of(), "bench", "--worker-processes", "1");
    assertThat(noServer.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(noServer.err()).contains("--worker-processes needs a PostgreSQL server");
    Cli compare = Cli.runIn(Map.of(), "bench", "--compare-stores");
    assertThat(compare.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(compare.err()).contains("--compare-stores needs a PostgreSQL server");
  }

  private static Map<String, String> env(TestDatabase db) {
    return Map.of(
        "BOOK_CREATOR_STORE_URL",
        TestDatabase.SERVER + db.name(),
        "BOOK_CREATOR_STORE_USER",
        TestDatabase.USER);
  }

  private static Set<String> benchDatabases(TestDatabase db) throws Exception {
    Set<String> names = new HashSet<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'bc_bench_%'")) {
      while (rs.next()) names.add(rs.getString(1));
    }
    return names;
  }
}
