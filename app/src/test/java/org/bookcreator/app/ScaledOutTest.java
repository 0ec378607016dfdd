package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bookcreator.core.support.Json;
import org.bookcreator.store.postgres.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scaled-out topology as an operator runs it, on the PostgreSQL server of this machine: one
 * {@code serve --role api}, an active {@code serve --role orchestrator} and a standby, and three
 * {@code serve --role worker} processes, each a JVM of its own. Twenty books are started over the
 * API; a worker process is killed with SIGKILL while it holds leases, and later the active
 * orchestrator too. Every book completes, the standby took over, the dead worker's tasks were run
 * again by the others, and the ledger has one row per call id with rollups equal to its rows.
 */
class ScaledOutTest {
  private static final Pattern API_PORT = Pattern.compile("API on http://127\\.0\\.0\\.1:(\\d+)/");
  private static final Pattern METRICS =
      Pattern.compile("worker metrics on (http://127\\.0\\.0\\.1:\\d+/metrics)");
  private static final String ACTIVE = "(?m)^book_creator_orchestrator_active(\\{[^}]*\\})? ";
  private static final Pattern POOL = Pattern.compile("agent workers started: (\\S+)-w0 to");
  private static final Duration SETTLE = Duration.ofSeconds(240);

  /** How long a child may take to say something: generous, six JVMs start on two cores. */
  private static final Duration START = Duration.ofSeconds(180);

  @TempDir Path dir;
  private final List<Process> children = new ArrayList<>();
  private final TestHttp http = new TestHttp();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : children) p.destroyForcibly();
    for (Process p : children) p.waitFor();
  }

  @Test
  void twentyBooks_survive_aKilledWorker_andAKilledOrchestrator() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      Path config =
          Files.writeString(
              dir.resolve("scaled.yaml"),
              "pipeline:\n  workers: 3\n  lease: 3s\n  heartbeat: 500ms\n"
                  + "simulated:\n  latency_median: 200ms\n  latency_sigma: 0\n");
      Map<String, String> env = new HashMap<>();
      env.put("BOOK_CREATOR_STORE_URL", TestDatabase.SERVER + db.name());
      env.put("BOOK_CREATOR_STORE_USER", TestDatabase.USER);

      Path orch1Log = dir.resolve("orchestrator-1.log");
      Process orch1 = serve(env, config, "orchestrator", "orchestrator-1", orch1Log);
      awaitOutput(
          orch1, orch1Log, Pattern.compile("\\(orchestrator\\).*: the active orchestrator"));
      Path orch2Log = dir.resolve("orchestrator-2.log");
      Process orch2 = serve(env, config, "orchestrator", "orchestrator-2", orch2Log);
      awaitOutput(orch2, orch2Log, Pattern.compile("standing by while another orchestrator"));
      String orch2Metrics = awaitOutput(orch2, orch2Log, METRICS).group(1);
      assertThat(http.get(orch2Metrics)).containsPattern(ACTIVE + "0");
      Path w1Log = dir.resolve("worker-1.log");
      Process w1 = serve(env, config, "worker", "worker-1", w1Log);
      serve(env, config, "worker", "worker-2", dir.resolve("worker-2.log"));
      serve(env, config, "worker", "worker-3", dir.resolve("worker-3.log"));
      Path apiLog = dir.resolve("api.log");
      Process api = serve(env, config, "api", "api-1", apiLog);
      String base = "http://127.0.0.1:" + awaitOutput(api, apiLog, API_PORT).group(1);
      String w1Pool = awaitOutput(w1, w1Log, POOL).group(1);
      String w1Metrics = http.get(awaitOutput(w1, w1Log, METRICS).group(1));
      assertThat(w1Metrics)
          .as(
              "a worker reports its heartbeats, and leaves the store-wide gauges to the"
                  + " orchestrator")
          .contains("book_creator_worker_heartbeat_timestamp{")
          .doesNotContain("book_creator_task_queue_depth")
          .doesNotContain("book_creator_runs_in_stage");

      List<String> runs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String project =
            Json.parse(
                    http.post(
                        base + "/api/projects",
                        "{\"title\":\"Scaled Book "
                            + i
                            + "\",\"category\":\""
                            + (i % 2 == 0 ? "technical" : "children")
                            + "\",\"brief\":\"One of twenty.\",\"chapters\":1}"))
                .get("id")
                .asString();
        runs.add(
            Json.parse(http.post(base + "/api/projects/" + project + "/runs", "{}"))
                .get("id")
                .asString());
      }

      awaitLeasesOf(db, w1Pool);
      w1.destroyForcibly().waitFor(); // SIGKILL: no goodbye, its leases stay until they expire
      // What it held when it died (it may have settled a task between the look and the kill).
      Set<String> inW1sHands = leasesOf(db, w1Pool);
      assertThat(inW1sHands).as("worker-1 died holding leases (200 ms calls)").isNotEmpty();
      awaitCompletedRuns(db, 5);
      orch1.destroyForcibly().waitFor();
      awaitOutput(orch2, orch2Log, Pattern.compile("active orchestrator now"));
      assertThat(http.get(orch2Metrics))
          .containsPattern(ACTIVE + "1")
          .contains("book_creator_task_queue_depth{");

      for (String run : runs) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        String state;
        do {
          state = Json.parse(http.get(base + "/api/runs/" + run)).get("state").asString();
          if (!state.equals("queued") && !state.equals("running")) break;
          Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        assertThat(state)
            .as("run %s; orchestrator-2 said:%n%s", run, tail(orch2Log))
            .isEqualTo("completed");
      }

      try (Connection c = db.connect();
          Statement st = c.createStatement()) {
        for (String task : inW1sHands) {
          try (ResultSet rs =
              st.executeQuery("SELECT state, claims FROM tasks WHERE id = '" + task + "'")) {
            rs.next();
            assertThat(rs.getString(1)).as("task %s", task).isIn("COMPLETED", "SUPERSEDED");
            assertThat(rs.getInt(2))
                .as("task %s was claimed again after its worker died", task)
                .isGreaterThan(1);
          }
        }
        try (ResultSet rs =
            st.executeQuery(
                "SELECT COUNT(*), COUNT(DISTINCT call_id), COALESCE(SUM(cost_picousd), 0),"
                    + " (SELECT COALESCE(SUM(cost_picousd), 0) FROM cost_daily),"
                    + " (SELECT COUNT(*) FROM tasks WHERE state IN ('QUEUED', 'LEASED'))"
                    + " FROM llm_calls")) {
          rs.next();
          assertThat(rs.getLong(1)).as("calls were made").isPositive();
          assertThat(rs.getLong(2)).as("one row per call id").isEqualTo(rs.getLong(1));
          assertThat(rs.getLong(4)).as("the rollup equals the rows").isEqualTo(rs.getLong(3));
          assertThat(rs.getLong(5)).as("nothing left in the queue").isZero();
        }
      }
      assertThat(Files.readString(orch2Log))
          .contains("\"instance\":\"orchestrator-2\"")
          .contains("this process is the active orchestrator now")
          .as("an orchestrator serves no API")
          .doesNotContain("API on");
    }
  }

  private Process serve(
      Map<String, String> env, Path config, String role, String instance, Path log)
      throws IOException {
    ProcessBuilder pb =
        ChildCli.builder(
            "serve",
            "--role",
            role,
            "--port",
            "0",
            "--worker-port",
            "0",
            "--data-dir",
            dir.resolve("data").toString(),
            "--config",
            config.toString());
    pb.environment().putAll(env);
    pb.environment().put("BOOK_CREATOR_INSTANCE_ID", instance);
    Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    children.add(p);
    return p;
  }

  private static Matcher awaitOutput(Process p, Path log, Pattern pattern) throws Exception {
    long deadline = System.nanoTime() + START.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = pattern.matcher(Files.readString(log));
      if (m.find()) return m;
      assertThat(p.isAlive()).as("%s exited:%n%s", log.getFileName(), tail(log)).isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("no " + pattern + " in " + log.getFileName() + ":\n" + tail(log));
  }

  /** Waits until the pool holds a lease. */
  private static void awaitLeasesOf(TestDatabase db, String pool) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!leasesOf(db, pool).isEmpty()) return;
      Thread.sleep(20);
    }
    throw new AssertionError("worker pool " + pool + " never held a lease");
  }

  /** The tasks the pool holds leases on now. */
  private static Set<String> leasesOf(TestDatabase db, String pool) throws Exception {
    Set<String> held = new java.util.HashSet<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT id FROM tasks WHERE state = 'LEASED' AND lease_owner LIKE '"
                    + pool
                    + "-w%'")) {
      while (rs.next()) held.add(rs.getString(1));
    }
    return held;
  }

  private static void awaitCompletedRuns(TestDatabase db, int n) throws Exception {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      while (System.nanoTime() < deadline) {
        try (ResultSet rs =
            st.executeQuery("SELECT COUNT(*) FROM runs WHERE state = 'COMPLETED'")) {
          rs.next();
          if (rs.getLong(1) >= n) return;
        }
        Thread.sleep(100);
      }
    }
    throw new AssertionError("fewer than " + n + " runs completed in time");
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }
}
