package org.bookcreator.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.OpenRunExistsException;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoreContractTest;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.core.store.StoreLockedException;
import org.bookcreator.store.jdbc.Migrations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContractTest {
  @TempDir Path dir;

  @Override
  protected Store openStore() {
    return SqliteStore.open(dir.resolve("data"), true);
  }

  /** Without the process lock, as the API role and the reading commands open it. */
  @Override
  protected Optional<Store> openSecondInstance() {
    return Optional.of(SqliteStore.open(dir.resolve("data"), false));
  }

  @Test
  void migrationV5_cancelsAllButTheOldestOpenRunOfAProject_withTheReasonInItsHistory()
      throws Exception {
    Path old = dir.resolve("v4");
    try (var c = schemaAt(old, 4);
        var s = c.createStatement()) {
      s.execute(
          "INSERT INTO projects(id, title, category, brief, chapters, refs,"
              + " created_at) VALUES ('p1', 'T', 'fiction', 'b', 1, '[]', 0)");
      s.execute(
          "INSERT INTO runs(id, project_id, number, state, seed, created_at, updated_at) VALUES"
              + " ('r1', 'p1', 1, 'RUNNING', 1, 0, 0), ('r2', 'p1', 2, 'QUEUED', 1, 1, 1),"
              + " ('r3', 'p1', 3, 'COMPLETED', 1, 2, 2)");
    }

    try (Store migrated = SqliteStore.open(old, true)) {
      assertThat(migrated.run("r1").orElseThrow().state()).isEqualTo(RunState.RUNNING);
      assertThat(migrated.run("r2").orElseThrow().state()).isEqualTo(RunState.CANCELLED);
      assertThat(migrated.run("r3").orElseThrow().state()).isEqualTo(RunState.COMPLETED);
      assertThat(migrated.history("r2"))
          .singleElement()
          .satisfies(t -> assertThat(t.reason()).contains("schema migration V5"));
      assertThatThrownBy(() -> migrated.createRun("r4", "p1", 1, "x", java.time.Instant.now()))
          .isInstanceOf(OpenRunExistsException.class);
    }
  }

  /** A store file as an older version left it: the migrations up to {@code version} applied. */
  static java.sql.Connection schemaAt(Path dataDir, int version) throws Exception {
    Files.createDirectories(dataDir);
    var c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteStore.DB_FILE));
    try (var s = c.createStatement()) {
      s.execute(
          "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at"
              + " INTEGER NOT NULL)");
      List<String> files = resource("/db/sqlite/index.txt").lines().toList();
      for (int v = 1; v <= version; v++) {
        for (String sql : Migrations.statements(resource("/db/sqlite/" + files.get(v - 1)))) {
          s.execute(sql);
        }
        s.execute("INSERT INTO schema_version VALUES (" + v + ", '" + files.get(v - 1) + "', 0)");
      }
    }
    return c;
  }

  @Test
  void migrationV6_keepsCallsRecordedBefore_replayableByTheirOldIds() throws Exception {
    Path old = dir.resolve("v5");
    try (var c = schemaAt(old, 5);
        var s = c.createStatement()) {
      s.execute(
          "INSERT INTO llm_calls(call_id, project_id, run_id, task_id, stage, agent_role, attempt,"
              + " provider, model, input_tokens, output_tokens, cache_read_tokens,"
              + " cache_write_tokens, reasoning_tokens, cost_picousd, price_version, latency_ms,"
              + " outcome, error_type, at) VALUES ('tsk1/a0/c0', 'p1', 'r1', 'tsk1', 'OUTLINE',"
              + " 'PLANNER', 0, 'simulated', 'sim-standard', 100, 50, 0, 0, 0, 250000000000, 'v',"
              + " 12, 'ok', NULL, 5)");
      s.execute("INSERT INTO llm_responses(call_id, response) VALUES ('tsk1/a0/c0', 'answer')");
    }

    try (Store migrated = SqliteStore.open(old, true)) {
      var replay = migrated.answeredCall("tsk1/a0/c0").orElseThrow();
      assertThat(replay.response()).contains("answer");
      assertThat(replay.answered()).isTrue();
      var total = migrated.costReport(org.bookcreator.core.cost.CostQuery.all(List.of())).get(0);
      assertThat(total.calls()).isEqualTo(1);
      assertThat(total.costUsd()).isEqualByComparingTo("0.25");
      assertThat(total.interruptedCalls()).isZero();
    }
  }

  private static String resource(String path) throws java.io.IOException {
    try (var in = SqliteStore.class.getResourceAsStream(path)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void spansStoredOnePerRow_byAnOlderVersion_areReadableAfterTheMigration() throws Exception {
    Path old = dir.resolve("old");
    Files.createDirectories(old);
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + old.resolve(SqliteStore.SPANS_FILE));
        var s = c.createStatement()) {
      for (String sql :
          Migrations.statements(
              new String(
                  SqliteStore.class
                      .getResourceAsStream("/db/sqlite-spans/V1__spans.sql")
                      .readAllBytes(),
                  java.nio.charset.StandardCharsets.UTF_8))) {
        s.execute(sql);
      }
      s.execute(
          "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at"
              + " INTEGER NOT NULL)");
      s.execute("INSERT INTO schema_version VALUES (1, 'V1__spans.sql', 0)");
      s.execute(
          "INSERT INTO spans(trace_id, span_id, parent_span_id, run_id, name, kind, start_ns,"
              + " end_ns, status, error_type, attributes) VALUES ('t1', 's1', NULL, 'r1', 'run',"
              + " 'internal', 1, 9, 'ok', NULL, '{\"k\":\"v \\\"q\\\"\"}'), ('t1', 's2', 's1',"
              + " 'r1', 'stage intake', 'internal', 2, 5, 'error', 'stage_failed', '{}'), ('t2',"
              + " 's3', NULL, NULL, 'other', 'internal', 3, 4, 'ok', NULL, '{}')");
    }

    try (Store migrated = SqliteStore.open(old, true)) {
      var spans = migrated.spans("t1");

      assertThat(spans)
          .extracting(org.bookcreator.telemetry.SpanRecord::spanId)
          .containsExactly("s1", "s2");
      assertThat(spans.get(0).attributes()).containsEntry("k", "v \"q\"");
      assertThat(spans.get(1).parentSpanId()).contains("s1");
      assertThat(spans.get(1).errorType()).contains("stage_failed");
      assertThat(migrated.spans("t2")).hasSize(1);
    }
  }

  @Test
  void data_survivesReopening() {
    aRunningRun("p1", "r1");
    store.close();

    try (Store reopened = SqliteStore.open(dir.resolve("data"), true)) {
      assertThat(reopened.run("r1").orElseThrow().state()).isEqualTo(RunState.RUNNING);
      assertThat(reopened.history("r1")).hasSize(2);
    }
    store = SqliteStore.open(dir.resolve("data"), true);
  }

  @Test
  void manyProcessesOpeningANewDataDirectory_atOnce_migrateItOnce() throws Exception {
    Path fresh = dir.resolve("fresh");
    var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
    var futures = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
    for (int i = 0; i < 6; i++) {
      futures.add(
          pool.submit(
              () -> {
                try (Store s = SqliteStore.open(fresh, false)) {
                  return s.schemaVersion();
                }
              }));
    }
    java.util.Set<Integer> versions = new java.util.HashSet<>();
    for (var f : futures) versions.add(f.get());
    assertThat(versions).singleElement().satisfies(v -> assertThat(v).isPositive());
    pool.shutdown();
  }

  @Test
  void secondExclusiveOpen_isRefused_withAClearMessage() {
    assertThatThrownBy(() -> SqliteStore.open(dir.resolve("data"), true))
        .isInstanceOf(StoreLockedException.class)
        .hasMessageContaining("in use by another Book Creator process")
        .hasMessageContaining("--data-dir");
  }

  @Test
  void dataDirThatIsAFile_isRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");

    assertThatThrownBy(() -> SqliteStore.open(file, false))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("not-a-dir");
  }

  @Test
  void foreignFile_inPlaceOfTheDatabase_isRefused() throws Exception {
    Path other = dir.resolve("other");
    Files.createDirectories(other);
    Files.writeString(
        other.resolve(SqliteStore.DB_FILE), "this is not a database, just text ".repeat(200));

    assertThatThrownBy(() -> SqliteStore.open(other, false))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("not a SQLite database");
  }

  @Test
  void newerSchema_isRefused_ratherThanGuessedAt() throws Exception {
    int known = store.schemaVersion();
    store.close();
    try (var c =
        DriverManager.getConnection(
            "jdbc:sqlite:" + dir.resolve("data").resolve(SqliteStore.DB_FILE))) {
      // A newer build applies its versions one by one after ours.
      for (int v = known + 1; v <= known + 3; v++) {
        c.createStatement()
            .execute(
                "INSERT INTO schema_version(version, name, applied_at) VALUES ("
                    + v
                    + ", 'future', 0)");
      }
    }

    assertThatThrownBy(() -> SqliteStore.open(dir.resolve("data"), false))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema is version " + (known + 3));
    store = SqliteStore.open(dir.resolve("other-data"), true);
  }
}
