package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.Store;
import org.bookcreator.store.postgres.TestDatabase;
import org.bookcreator.store.sqlite.SqliteStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code store copy} as a user moving a library meets it, against the PostgreSQL server of this
 * machine: a SQLite library with a completed book, a book paused at its budget and a book whose
 * process was killed mid-run is copied and verified; with {@code store.url} set to the copy, {@code
 * resume} finishes the unfinished books there without paying again for what the source had
 * recorded. A second copy into the same database is refused.
 */
class StoreCopyCommandTest {
  @TempDir Path dir;

  @Test
  void aLibraryIsCopied_verified_andItsUnfinishedBooksFinishOnTheCopy() throws Exception {
    Path data = dir.resolve("data");
    Cli done =
        Cli.run("run", CliTest.example("dragon.yaml").toString(), "--data-dir", data.toString());
    assertThat(done.exitCode()).as(done.err()).isZero();
    Path tight =
        Files.writeString(
            dir.resolve("tight.yaml"),
            "title: A Small Budget\ncategory: children\nbrief: A short book.\nchapters: 4\n"
                + "budget_usd: 0.02\n");
    Cli paused = Cli.run("run", tight.toString(), "--data-dir", data.toString());
    assertThat(paused.exitCode()).as(paused.err()).isEqualTo(ExitCodes.PAUSED);

    Path slow =
        Files.writeString(
            dir.resolve("slow.yaml"),
            "pipeline:\n  workers: 2\nsimulated:\n  latency_median: 40ms\n  latency_sigma: 0\n");
    Path log = dir.resolve("child.log");
    Process child =
        ChildCli.start(
            log,
            "run",
            CliTest.example("lighthouse.yaml").toString(),
            "--data-dir",
            data.toString(),
            "--config",
            slow.toString());
    String killed;
    try {
      killed = CrashResumeTest.waitForProgress(data, child, log);
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }
    String pausedRun;
    long sourceCalls;
    try (Store store = SqliteStore.open(data, false)) {
      pausedRun =
          store.runs(Optional.empty()).stream()
              .filter(r -> r.state() == RunState.PAUSED)
              .findFirst()
              .orElseThrow()
              .id();
      assertThat(store.run(killed).orElseThrow().state()).isEqualTo(RunState.RUNNING);
      sourceCalls =
          store.runs(Optional.empty()).stream().mapToLong(r -> store.calls(r.id()).size()).sum();
    }

    try (TestDatabase db = TestDatabase.create()) {
      Map<String, String> env = Map.of("BOOK_CREATOR_STORE_USER", TestDatabase.USER);
      String url = TestDatabase.SERVER + db.name();

      Cli copy = Cli.runIn(env, "store", "copy", "--to", url, "--data-dir", data.toString());

      assertThat(copy.exitCode()).as(copy.out() + copy.err()).isZero();
      assertThat(copy.out())
          .contains("llm_calls: " + sourceCalls + " rows")
          .contains("verified: ")
          .contains("next: set store.url");
      try (Connection c = db.connect();
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT (SELECT COUNT(*) FROM runs), (SELECT COUNT(*) FROM llm_calls),"
                          + " (SELECT COUNT(*) FROM log_lines), (SELECT COUNT(*) FROM"
                          + " span_batches)")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(3);
        assertThat(rs.getLong(2)).isEqualTo(sourceCalls);
        assertThat(rs.getLong(3)).as("the logs' copy came along").isPositive();
        assertThat(rs.getLong(4)).as("the spans came along").isPositive();
      }

      Cli again = Cli.runIn(env, "store", "copy", "--to", url, "--data-dir", data.toString());
      assertThat(again.exitCode()).isEqualTo(ExitCodes.STORE);
      assertThat(again.out() + again.err()).contains("not empty");

      Map<String, String> onCopy =
          Map.of("BOOK_CREATOR_STORE_USER", TestDatabase.USER, "BOOK_CREATOR_STORE_URL", url);
      Cli resume =
          Cli.runIn(
              onCopy,
              "resume",
              "--run",
              pausedRun,
              "--budget-usd",
              "10",
              "--data-dir",
              data.toString());
      assertThat(resume.exitCode()).as(resume.out() + resume.err()).isZero();

      try (Connection c = db.connect()) {
        try (ResultSet rs =
            c.createStatement().executeQuery("SELECT id, state FROM runs ORDER BY id")) {
          while (rs.next()) {
            assertThat(rs.getString(2)).as("run %s", rs.getString(1)).isEqualTo("COMPLETED");
          }
        }
        try (ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT COUNT(*), COUNT(DISTINCT call_id), COALESCE(SUM(cost_picousd), 0),"
                        + " (SELECT COALESCE(SUM(cost_picousd), 0) FROM cost_daily)"
                        + " FROM llm_calls")) {
          rs.next();
          assertThat(rs.getLong(1)).as("calls were added on the copy").isGreaterThan(sourceCalls);
          assertThat(rs.getLong(2)).as("one row per call id").isEqualTo(rs.getLong(1));
          assertThat(rs.getLong(4)).as("rollups equal the ledger").isEqualTo(rs.getLong(3));
        }
      }
      Cli runs = Cli.runIn(onCopy, "runs", "--json", "--data-dir", data.toString());
      assertThat(runs.out()).contains(killed).doesNotContain("\"state\":\"running\"");
    }
  }

  @Test
  void withoutATarget_orWithoutALibrary_saysWhatIsMissing() {
    Cli noTarget = Cli.run("store", "copy", "--data-dir", dir.resolve("data").toString());
    assertThat(noTarget.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(noTarget.err()).contains("--to jdbc:postgresql://");

    Cli noLibrary =
        Cli.run(
            "store",
            "copy",
            "--to",
            "jdbc:postgresql://127.0.0.1/books",
            "--data-dir",
            dir.resolve("empty").toString());
    assertThat(noLibrary.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(noLibrary.err()).contains("no store in");
  }
}
