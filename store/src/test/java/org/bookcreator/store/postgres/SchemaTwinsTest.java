package org.bookcreator.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.bookcreator.core.store.LatencyBuckets;
import org.bookcreator.store.jdbc.Migrations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A schema version means the same tables on either engine: the SQLite and PostgreSQL migrations,
 * applied in full, give the same tables, columns, nullability and index names, and the rollups
 * their triggers keep hold the same figures after the same writes. A migration added to one engine
 * and not the other fails here.
 */
class SchemaTwinsTest {
  private static final List<String> SETS = List.of("", "-logs", "-spans");

  @TempDir Path dir;
  private TestDatabase pg;
  private final Map<String, Connection> sqlite = new TreeMap<>();
  private Connection postgres;

  @BeforeEach
  void migrateBoth() throws SQLException {
    pg = TestDatabase.create();
    postgres = pg.connect();
    for (String set : SETS) {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("db" + set + ".db"));
      sqlite.put(set, c);
      assertThat(Migrations.apply(c, "sqlite" + set)).isEqualTo(Migrations.latest("sqlite" + set));
      assertThat(Migrations.apply(postgres, "postgres" + set))
          .isEqualTo(Migrations.latest("postgres" + set));
    }
  }

  @AfterEach
  void close() throws SQLException {
    for (Connection c : sqlite.values()) c.close();
    if (postgres != null) postgres.close();
    if (pg != null) pg.close();
  }

  @Test
  void everyVersionHasATwin() {
    for (String set : SETS) {
      assertThat(Migrations.latest("postgres" + set))
          .as("versions of postgres%s", set)
          .isEqualTo(Migrations.latest("sqlite" + set));
    }
  }

  @Test
  void tablesColumnsAndIndexes_areTheSame() throws SQLException {
    Map<String, List<String>> lite = new TreeMap<>();
    List<String> liteIndexes = new ArrayList<>();
    for (Connection c : sqlite.values()) {
      for (String table :
          strings(
              c,
              "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                  + " AND name <> 'schema_version'")) {
        List<String> cols = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT * FROM pragma_table_info(?)")) {
          p.setString(1, table);
          try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
              boolean notNull = rs.getInt("notnull") == 1 || rs.getInt("pk") == 1;
              cols.add(rs.getString("name") + (notNull ? " not null" : ""));
            }
          }
        }
        lite.put(table, cols);
      }
      liteIndexes.addAll(
          strings(
              c,
              "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE"
                  + " 'sqlite_autoindex%'"));
    }

    Map<String, List<String>> pgTables = new TreeMap<>();
    for (String table :
        strings(
            postgres,
            "SELECT table_name FROM information_schema.tables WHERE table_schema ="
                + " current_schema() AND table_name NOT LIKE 'schema_version%'")) {
      try (PreparedStatement p =
          postgres.prepareStatement(
              "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema"
                  + " = current_schema() AND table_name = ? ORDER BY ordinal_position")) {
        p.setString(1, table);
        List<String> cols = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            cols.add(rs.getString(1) + ("NO".equals(rs.getString(2)) ? " not null" : ""));
          }
        }
        pgTables.put(table, cols);
      }
    }
    List<String> pgIndexes =
        strings(
            postgres,
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname"
                + " NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'");

    assertThat(pgTables).isEqualTo(lite);
    assertThat(pgIndexes).containsExactlyInAnyOrderElementsOf(liteIndexes);
  }

  @Test
  void llmPrompts_haveTheSameColumns_andAcceptTheSameRows() throws SQLException {
    Connection lite = sqlite.get("");
    both(
        lite,
        "INSERT INTO llm_calls(call_id, project_id, run_id, task_id, stage, agent_role, attempt,"
            + " provider, model, input_tokens, output_tokens, cache_read_tokens,"
            + " cache_write_tokens, reasoning_tokens, latency_ms, outcome, at) VALUES ('c1', 'p',"
            + " 'r', 't', 'OUTLINE', 'PLANNER', 0, 'sim', 'm', 0, 0, 0, 0, 0, 0, 'pending', 0)");
    both(
        lite,
        "INSERT INTO llm_prompts(call_id, prompt, chars) VALUES ('c1', ?, ?)",
        "[user]\n\u00e9t\u00e9 <b>",
        5_000_000_000L);

    for (Connection c : List.of(lite, postgres)) {
      try (PreparedStatement p =
              c.prepareStatement("SELECT prompt, chars FROM llm_prompts WHERE call_id = 'c1'");
          ResultSet rs = p.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("[user]\n\u00e9t\u00e9 <b>");
        assertThat(rs.getLong(2)).as("chars holds more than an int").isEqualTo(5_000_000_000L);
      }
    }
  }

  @Test
  void rollups_holdTheSameFigures_afterTheSameWrites() throws SQLException {
    Connection lite = sqlite.get("");
    Random random = new Random(20261130);
    List<String> calls = new ArrayList<>();
    String[] categories = {"fiction", "history", "poetry"};
    String[] stages = {"OUTLINE", "CHAPTER_WRITING", "EDITING"};
    String[] outcomes = {"ok", "error", "pending", "interrupted", "wasted"};
    for (int p = 0; p < 6; p++) {
      both(
          lite,
          "INSERT INTO projects(id, title, category, brief, chapters, refs, created_at) VALUES"
              + " (?, 'T', ?, 'b', 3, '[]', 0)",
          "p" + p,
          categories[p % categories.length]);
      both(
          lite,
          "INSERT INTO runs(id, project_id, number, state, stage, seed, created_at, updated_at)"
              + " VALUES (?, ?, 1, 'RUNNING', 'OUTLINE', 1, 0, ?)",
          "r" + p,
          "p" + p,
          (long) random.nextInt(50) * 3_600_000L);
      for (String stage : stages) {
        both(
            lite,
            "INSERT INTO run_stages(run_id, stage, ordinal, state, started_at, finished_at)"
                + " VALUES (?, ?, 1, ?, ?, ?)",
            "r" + p,
            stage,
            random.nextInt(4) > 0 ? "COMPLETED" : "SKIPPED",
            (long) random.nextInt(1000),
            1000L + random.nextInt(100_000));
      }
      both(
          lite,
          "INSERT INTO run_stages(run_id, stage, ordinal, state) VALUES (?, 'ASSEMBLY', 9,"
              + " 'PENDING')",
          "r" + p);
    }
    for (int i = 0; i < 400; i++) {
      int op = random.nextInt(11);
      if (op < 5 || calls.isEmpty()) {
        String id = "c" + i;
        calls.add(id);
        int p = random.nextInt(6);
        boolean priced = random.nextInt(5) > 0;
        String outcome = outcomes[random.nextInt(outcomes.length)];
        both(
            lite,
            "INSERT INTO llm_calls(call_id, project_id, run_id, task_id, stage, agent_role,"
                + " attempt, provider, model, input_tokens, output_tokens, cache_read_tokens,"
                + " cache_write_tokens, reasoning_tokens, cost_picousd, price_version, latency_ms,"
                + " outcome, error_type, at, est_cost_picousd) VALUES (?, ?, ?, 't', ?, 'writer',"
                + " 1, 'sim', ?, ?, ?, ?, 0, 0, ?, 'v1', ?, ?, ?, ?, ?)",
            id,
            "p" + p,
            "r" + p,
            stages[random.nextInt(stages.length)],
            random.nextBoolean() ? "m1" : "m2",
            (long) random.nextInt(5000),
            (long) random.nextInt(3000),
            (long) random.nextInt(100),
            priced ? (Object) (long) random.nextInt(1_000_000_000) : null,
            (long) random.nextInt(9000),
            outcome,
            outcome.equals("error") ? "timeout" : null,
            (long) random.nextInt(100) * 1_800_000L,
            (long) random.nextInt(1000));
      } else if (op < 8) {
        both(
            lite,
            "UPDATE llm_calls SET outcome = ?, cost_picousd = ?, output_tokens = output_tokens +"
                + " 7 WHERE call_id = ?",
            outcomes[random.nextInt(outcomes.length)],
            random.nextBoolean() ? (Object) (long) random.nextInt(1_000_000) : null,
            calls.get(random.nextInt(calls.size())));
      } else if (op < 9) {
        both(
            lite,
            "UPDATE runs SET state = ?, stage = ?, updated_at = updated_at + 3600000 WHERE id = ?",
            new String[] {"RUNNING", "COMPLETED", "FAILED"}[random.nextInt(3)],
            stages[random.nextInt(stages.length)],
            "r" + random.nextInt(6));
      } else if (op < 10) {
        both(lite, "DELETE FROM llm_calls WHERE call_id = ?", calls.remove(0));
      } else {
        both(
            lite,
            "UPDATE run_stages SET result = ? WHERE run_id = ? AND stage = 'ASSEMBLY'",
            random.nextInt(4) == 0 ? "not json" : "{\"words\":" + random.nextInt(90_000) + "}",
            "r" + random.nextInt(6));
      }
    }

    for (String sql :
        List.of(
            "SELECT * FROM cost_hourly ORDER BY hour, category, stage, agent_role, provider, model",
            "SELECT * FROM cost_daily ORDER BY day, category, stage, agent_role, provider, model",
            "SELECT * FROM run_cost ORDER BY run_id",
            "SELECT * FROM call_latency_hourly ORDER BY hour, agent_role, provider, model,"
                + " error_type, bucket",
            "SELECT * FROM call_latency_daily ORDER BY day, agent_role, provider, model,"
                + " error_type, bucket",
            "SELECT * FROM project_spend ORDER BY project_id",
            "SELECT * FROM stage_moves_hourly ORDER BY hour, category, stage",
            "SELECT * FROM runs_ended_hourly ORDER BY hour, category, outcome",
            "SELECT * FROM stage_history ORDER BY category, stage",
            "SELECT * FROM category_runs ORDER BY category",
            "SELECT * FROM stage_iterations ORDER BY category, stage")) {
      List<String> expected = rows(lite, sql);
      assertThat(expected).as(sql).isNotEmpty();
      assertThat(rows(postgres, sql)).as(sql).isEqualTo(expected);
    }
  }

  @Test
  void latencyBuckets_ofBothMigrations_areTheContractsBuckets() throws SQLException {
    Connection lite = sqlite.get("");
    List<Long> latencies = new ArrayList<>(List.of(0L));
    for (long b : LatencyBuckets.boundsMs()) {
      latencies.add(b);
      latencies.add(b + 1);
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < latencies.size(); i++) {
      long latency = latencies.get(i);
      both(
          lite,
          "INSERT INTO llm_calls(call_id, project_id, run_id, task_id, stage, agent_role, attempt,"
              + " provider, model, input_tokens, output_tokens, cache_read_tokens,"
              + " cache_write_tokens, reasoning_tokens, latency_ms, outcome, at) VALUES (?, 'p',"
              + " 'r', 't', 'OUTLINE', 'writer', 1, 'sim', 'm', 0, 0, 0, 0, 0, ?, 'ok', ?)",
          "c" + i,
          latency,
          i * 3_600_000L);
      expected.add(i + "|" + LatencyBuckets.bucketOf(latency) + "|1|" + latency + "|");
    }

    for (Connection c : List.of(lite, postgres)) {
      assertThat(
              rows(
                  c,
                  "SELECT hour, bucket, calls, latency_ms FROM call_latency_hourly ORDER BY hour"))
          .as("%s", c.getMetaData().getDatabaseProductName())
          .isEqualTo(expected);
    }
  }

  private void both(Connection lite, String sql, Object... args) throws SQLException {
    for (Connection c : List.of(lite, postgres)) {
      try (PreparedStatement p = c.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) p.setObject(i + 1, args[i]);
        p.executeUpdate();
      }
    }
  }

  private static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement(sql);
        ResultSet rs = p.executeQuery()) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= n; i++) row.append(rs.getString(i)).append('|');
        out.add(row.toString());
      }
    }
    return out;
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement(sql);
        ResultSet rs = p.executeQuery()) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }
}
