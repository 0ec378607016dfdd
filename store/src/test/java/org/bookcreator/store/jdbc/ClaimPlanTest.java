package org.bookcreator.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.store.postgres.PostgresDatabase;
import org.bookcreator.store.postgres.PostgresStore;
import org.bookcreator.store.postgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How PostgreSQL plans a claim on a database whose tables autovacuum has not analyzed yet (a new
 * database, the first minute of a copy): with the claim's own settings it walks the queue's partial
 * index in order and stops at the first free task; without them it sorts every ready task (23-370
 * ms a claim at 5,000 queued, against 0.2 ms), which 32 claimers at once turned into a machine busy
 * sorting. The plans are read with EXPLAIN ANALYZE on real rows.
 */
class ClaimPlanTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  private static TestDatabase db;

  @BeforeAll
  static void fillAQueueNobodyAnalyzed() throws SQLException {
    db = TestDatabase.migrated();
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      // Keep autovacuum away for the length of the test: the statistics stay those of a new
      // database whatever the test's timing.
      s.execute("ALTER TABLE tasks SET (autovacuum_enabled = false)");
      s.execute("ALTER TABLE runs SET (autovacuum_enabled = false)");
    }
    var settings =
        new PostgresDatabase.Settings(
            TestDatabase.SERVER + db.name(),
            Optional.of(TestDatabase.USER),
            Optional.empty(),
            4,
            Duration.ofSeconds(5));
    try (PostgresStore store = PostgresStore.open(settings, PostgresStore.Ownership.SOLE)) {
      for (int r = 0; r < 40; r++) {
        String project = "p" + r;
        String run = "r" + r;
        store.createProject(
            new Project(
                project,
                "Plan " + r,
                "fiction",
                Optional.empty(),
                "A brief.",
                1,
                Optional.of(BigDecimal.TEN),
                List.of(),
                T0));
        store.createRun(run, project, 1, "plan", T0);
        store.transitionRun(run, RunState.QUEUED, RunState.RUNNING, "plan", T0);
        for (int t = 0; t < 50; t++) {
          store.enqueue(
              run + "-t" + t,
              run,
              new TaskSpec("t" + t, Stage.CHAPTER_WRITING, TaskKind.DRAFT_CHAPTER, "{}"),
              T0);
        }
      }
    }
  }

  @AfterAll
  static void drop() throws SQLException {
    if (db != null) db.close();
  }

  @Test
  void tablesAreUnanalyzed_asInANewDatabase() throws SQLException {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT relname, reltuples FROM pg_class WHERE relname IN ('tasks', 'runs')")) {
      int seen = 0;
      while (rs.next()) {
        seen++;
        assertThat(rs.getDouble(2)).as(rs.getString(1) + ".reltuples").isNegative();
      }
      assertThat(seen).isEqualTo(2);
    }
  }

  @Test
  void withTheClaimSettings_theQueueIsWalkedInOrder_withoutASort() throws SQLException {
    String plan = explain(true);

    assertThat(plan).contains("Index Scan using tasks_queued on tasks t").doesNotContain("Sort");
    assertThat(plan).contains("(actual time=").containsPattern("Limit .*rows=1 loops=1");
  }

  /** The control: the same query without the settings sorts, so the test above can fail. */
  @Test
  void withoutThem_theUnanalyzedPlannerSortsEveryReadyTask() throws SQLException {
    assertThat(explain(false)).contains("Sort Key: t.seq");
  }

  @Test
  void theExpiredLeaseQuery_walksTheLeasedIndex() throws SQLException {
    String plan =
        explainWith(
            true, TaskQueue.nextExpired(Dialect.POSTGRES), T0.plusSeconds(60).toEpochMilli());

    assertThat(plan).contains("tasks_leased");
  }

  /**
   * The claim as PostgreSQL runs it, in one statement: the same walk of the queue, each task's run
   * and then the picked task found by their keys, not by a scan (EXPLAIN ANALYZE runs it, in a
   * transaction rolled back after).
   */
  @Test
  void theClaimInOneStatement_walksTheQueueInOrder_andLeasesByKey() throws SQLException {
    String plan =
        explainWith(
            true,
            TaskQueue.claimStatement(),
            T0.plusSeconds(60).toEpochMilli(),
            T0.plusSeconds(60).toEpochMilli(),
            "plan-worker",
            T0.plusSeconds(360).toEpochMilli(),
            "claimed by plan-worker",
            "reclaimed by plan-worker: lease of ",
            T0.plusSeconds(60).toEpochMilli());

    assertThat(plan)
        .contains("Index Scan using tasks_queued on tasks t")
        .contains("tasks_leased")
        .contains("Index Scan using tasks_pkey on tasks t")
        .doesNotContain("Seq Scan on tasks");
    // Each task's run looked up by key, not every running run read for each task
    assertThat(plan)
        .contains("Index Scan using runs_pkey on runs")
        .doesNotContainPattern("Scan on runs r(_\\d+)? ");
    // A reclaim's pending calls found by their task
    assertThat(plan).contains("Index Scan using llm_calls_pending on llm_calls");
    // The queue is not sorted (expired leases, a handful at most, are: by seq within one expiry)
    assertThat(plan).doesNotContain("Sort Key: t_1.seq").doesNotContainPattern("(?m)^ *-> +Sort ");
    assertThat(plan).containsPattern("Update on tasks t_?\\d* .*actual.*rows=1 loops=1");
  }

  private static String explain(boolean withSettings) throws SQLException {
    return explainWith(
        withSettings, TaskQueue.nextQueued(Dialect.POSTGRES), T0.plusSeconds(60).toEpochMilli());
  }

  /** EXPLAIN ANALYZE of a claim query, in a transaction rolled back after (it locks a row). */
  private static String explainWith(boolean withSettings, String query, Object... args)
      throws SQLException {
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try {
        if (withSettings) {
          try (Statement s = c.createStatement()) {
            s.execute(Dialect.POSTGRES.claimSettings().orElseThrow());
          }
        }
        StringBuilder plan = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN ANALYZE " + query)) {
          for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) plan.append(rs.getString(1)).append('\n');
          }
        }
        return plan.toString();
      } finally {
        c.rollback();
      }
    }
  }
}
