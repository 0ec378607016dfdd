package org.bookcreator.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bookcreator.core.store.StoreContractTest.aProject;
import static org.bookcreator.core.store.StoreContractTest.aSpan;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.store.jdbc.StoreCopy;
import org.bookcreator.store.sqlite.SqliteStore;
import org.bookcreator.telemetry.LogLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code store copy}'s core against the PostgreSQL server of this machine: a SQLite library with a
 * run in every state, tasks in every state, priced and unpriced calls, events, logs and spans is
 * copied row for row (every table compared cell by cell), sequences continue after the copied rows,
 * a target holding anything is refused, and a copy that fails part way leaves the target empty.
 */
class StoreCopyTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;

  @Test
  void aLibraryWithEveryState_isCopiedRowForRow_andTheCopyGoesOnWhereTheSourceStopped()
      throws Exception {
    try (TestDatabase pg = TestDatabase.create()) {
      try (SqliteStore from = SqliteStore.open(dir, true)) {
        fill(from);
        try (PostgresStore into = PostgresStore.open(settings(pg), true)) {
          List<String> told = new ArrayList<>();
          StoreCopy.Report report = StoreCopy.copy(from, into, told::add);

          assertThat(report.ledgerRows()).isEqualTo(3);
          assertThat(report.ledgerCostUsd())
              .isEqualByComparingTo(from.costReport(CostQuery.all(List.of())).get(0).costUsd());
          assertThat(told).anyMatch(l -> l.startsWith("llm_calls: "));
          assertThat(report.tables())
              .extracting(StoreCopy.Table::name)
              .contains(
                  "projects",
                  "runs",
                  "tasks",
                  "llm_calls",
                  "cost_daily",
                  "log_lines",
                  "span_batches");

          for (StoreCopy.Table t : report.tables()) {
            assertThat(rows(pg, t.name()))
                .as("table %s, cell by cell", t.name())
                .isEqualTo(rows(dir, t.name()));
          }
          for (RunState s : RunState.values()) {
            String id = "r-" + s.name().toLowerCase();
            assertThat(into.run(id).orElseThrow().state()).isEqualTo(s);
            assertThat(into.history(id)).isEqualTo(from.history(id));
            assertThat(into.tasks(id))
                .usingRecursiveFieldByFieldElementComparatorIgnoringFields("output")
                .isEqualTo(from.tasks(id));
          }
          assertThat(into.costReport(CostQuery.all(List.of(CostDimension.STAGE))))
              .isEqualTo(from.costReport(CostQuery.all(List.of(CostDimension.STAGE))));
          assertThat(into.task("t-done").orElseThrow().output())
              .as("PostgreSQL's text holds no NUL: it is kept as U+FFFD")
              .contains("{\"outline\":\"hostile \uFFFD <b>x</b>\"}");
          assertThat(into.spans("trace-1")).isEqualTo(from.spans("trace-1"));

          // New rows number after the copied ones: a new task is claimed after the queued one.
          Instant later = T0.plus(Duration.ofHours(1));
          into.enqueue("t-new", "r-running", spec("new"), T0);
          Instant soon = T0.plusSeconds(3); // t-leased is still held
          assertThat(into.claim("w2", soon, soon.plusSeconds(60)).orElseThrow().id())
              .isEqualTo("t-queued");
          into.transitionRun("r-queued", RunState.QUEUED, RunState.RUNNING, "go", later);
          assertThat(into.history("r-queued").getLast().to()).isEqualTo("RUNNING");
          into.recordEvent(new RunEvent("r-running", Optional.empty(), "retry", "after", later));
          assertThat(into.events("r-running").getLast().detail()).isEqualTo("after");

          // A second copy into the same database is refused, and nothing changes.
          long projects = count(pg, "projects");
          assertThatThrownBy(() -> StoreCopy.copy(from, into, l -> {}))
              .isInstanceOf(StoreException.class)
              .hasMessageContaining("not empty")
              .hasMessageContaining("projects");
          assertThat(count(pg, "projects")).isEqualTo(projects);
        }
      }
    }
  }

  @Test
  void aCopyThatFailsPartWay_leavesTheTargetEmpty_andNamesTheBadCell() throws Exception {
    try (TestDatabase pg = TestDatabase.create()) {
      try (SqliteStore from = SqliteStore.open(dir, true)) {
        fill(from);
      }
      // SQLite keeps text in an INTEGER column; PostgreSQL's BIGINT cannot take it. (A column no
      // rollup trigger carries on, so the bad cell is in the ledger row alone.)
      try (Connection c =
              DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("book-creator.db"));
          Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE llm_calls SET attempt = 'slow' WHERE call_id = 'c-2'");
      }
      try (SqliteStore from = SqliteStore.open(dir, true);
          PostgresStore into = PostgresStore.open(settings(pg), true)) {
        assertThatThrownBy(() -> StoreCopy.copy(from, into, l -> {}))
            .isInstanceOf(StoreException.class)
            .hasMessageContaining("llm_calls.attempt")
            .hasMessageContaining("slow");
        assertThat(count(pg, "projects")).isZero();
        assertThat(count(pg, "runs")).isZero();
        assertThat(count(pg, "llm_calls")).isZero();
      }
    }
  }

  /** A project and run in every run state, with tasks, calls, events, logs and spans. */
  private static void fill(SqliteStore s) {
    for (RunState state : RunState.values()) {
      String p = "p-" + state.name().toLowerCase();
      String r = "r-" + state.name().toLowerCase();
      s.createProject(aProject(p));
      s.createRun(r, p, 7, "test", T0);
      switch (state) {
        case QUEUED -> {}
        case RUNNING -> run(s, r);
        case PAUSED -> {
          run(s, r);
          s.transitionRun(r, RunState.RUNNING, RunState.PAUSED, "budget reached", T0);
        }
        case COMPLETED, FAILED -> {
          run(s, r);
          s.transitionRun(r, RunState.RUNNING, state, "ended", T0.plusSeconds(90));
        }
        case CANCELLED -> s.transitionRun(r, RunState.QUEUED, state, "not wanted", T0);
      }
    }
    s.enqueue("t-done", "r-running", spec("done"), T0);
    s.enqueue("t-leased", "r-running", spec("leased"), T0.plusMillis(1));
    s.enqueue("t-queued", "r-running", spec("queued"), T0.plusMillis(2));
    s.claim("w1", T0, T0.plusSeconds(60));
    s.complete("t-done", "w1", "{\"outline\":\"hostile \u0000 <b>x</b>\"}", T0.plusSeconds(1));
    s.claim("w1", T0.plusSeconds(2), T0.plusSeconds(60));
    s.recordCall(call("c-1", "r-running", new BigDecimal("0.001234567891")));
    s.recordCall(call("c-2", "r-completed", new BigDecimal("1.5")));
    s.recordCall(call("c-3", "r-completed", null));
    s.recordEvent(new RunEvent("r-running", Optional.of("t-done"), "schema_violation", "$.x", T0));
    s.heartbeat("w1", T0);
    s.recordLogs(
        List.of(
            new LogLine(
                T0.toEpochMilli(),
                "INFO",
                "p-running",
                "r-running",
                "outline",
                "planner",
                "simulated",
                "trace-1",
                null,
                "{\"message\":\"a line\"}")));
    s.recordSpans(List.of(aSpan("trace-1", "r-running")), 1000);
  }

  private static void run(SqliteStore s, String r) {
    s.transitionRun(r, RunState.QUEUED, RunState.RUNNING, "started", T0);
  }

  private static TaskSpec spec(String key) {
    return new TaskSpec(key, Stage.OUTLINE, TaskKind.OUTLINE, "{\"k\":\"" + key + "\"}");
  }

  private static LedgerEntry call(String id, String run, BigDecimal cost) {
    return new LedgerEntry(
        id,
        "p-" + run.substring(2),
        run,
        "t-done",
        Stage.OUTLINE,
        AgentRole.PLANNER,
        0,
        "simulated",
        "sim-standard",
        new Usage(100, 50, 10, 5, 0),
        Optional.ofNullable(cost),
        Optional.ofNullable(cost == null ? null : "simulated/sim-standard@2025-01-01"),
        12,
        LedgerEntry.OK,
        Optional.empty(),
        Optional.of("{\"answer\":1}"),
        T0);
  }

  private static PostgresDatabase.Settings settings(TestDatabase pg) {
    return new PostgresDatabase.Settings(
        TestDatabase.SERVER + pg.name(),
        Optional.of(TestDatabase.USER),
        Optional.empty(),
        4,
        Duration.ofSeconds(5));
  }

  private static long count(TestDatabase pg, String table) throws SQLException {
    try (Connection c = pg.connect();
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Every row of a table in PostgreSQL, each cell as text, sorted. */
  private static List<String> rows(TestDatabase pg, String table) throws SQLException {
    try (Connection c = pg.connect()) {
      return rows(c, table);
    }
  }

  /** Every row of a table in the SQLite files of {@code dir}, each cell as text, sorted. */
  private static List<String> rows(Path dir, String table) throws SQLException {
    for (String file : List.of("book-creator.db", "spans.db", "logs.db")) {
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(file));
          ResultSet t = c.getMetaData().getTables(null, null, table, new String[] {"TABLE"})) {
        if (t.next()) return rows(c, table);
      }
    }
    throw new AssertionError("no table " + table + " in the SQLite files");
  }

  private static List<String> rows(Connection c, String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
      ResultSetMetaData m = rs.getMetaData();
      while (rs.next()) {
        java.util.Map<String, String> row = new java.util.TreeMap<>();
        for (int i = 1; i <= m.getColumnCount(); i++) {
          Object v = rs.getObject(i);
          String cell = v instanceof Boolean b ? (b ? "1" : "0") : String.valueOf(v);
          row.put(m.getColumnName(i).toLowerCase(), cell.replace('\u0000', '\uFFFD'));
        }
        out.add(row.toString());
      }
    }
    out.sort(null);
    return out;
  }
}
