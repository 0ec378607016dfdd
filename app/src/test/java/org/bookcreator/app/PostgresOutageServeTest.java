package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bookcreator.core.support.Json;
import org.bookcreator.store.postgres.CuttableProxy;
import org.bookcreator.store.postgres.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A PostgreSQL store that is not there when a process starts: serve waits for it, saying so on
 * {@code /readyz}, and serves once it answers, with its pool's metrics on {@code /metrics}; one
 * that goes away mid-run is waited out (not ready meanwhile) and the book completes, nothing failed
 * or recorded twice; a one-shot command fails at once, saying why.
 */
class PostgresOutageServeTest {
  private static final String PASSWORD = "outage-pw-never-shown-3b7";
  private final HttpClient http = HttpClient.newHttpClient();
  private final TestHttp testHttp = new TestHttp();

  @TempDir Path dir;

  @Test
  void serve_waitsForADatabaseThatIsNotThereYet_notReadyMeanwhile_thenServes() throws Exception {
    int port = freePort();
    try (TestDatabase db = TestDatabase.create();
        CuttableProxy proxy = new CuttableProxy()) {
      proxy.cut();
      Settings s = settings(proxy.url(db.name()), port);
      CompletableFuture<ServeCommand.Serving> serving =
          CompletableFuture.supplyAsync(
              () ->
                  ServeCommand.Serving.start(
                      s,
                      Observability.start(s, Observability.Mode.FOREGROUND),
                      ServeCommand.Role.ALL));
      try {
        HttpResponse<String> waiting = awaitAnswer("http://127.0.0.1:" + port + "/readyz");
        HttpResponse<String> alive = send("http://127.0.0.1:" + port + "/healthz");
        boolean startedWhileCut = serving.isDone();
        proxy.restore();
        ServeCommand.Serving served = serving.get(60, TimeUnit.SECONDS);
        HttpResponse<String> ready = send("http://127.0.0.1:" + port + "/readyz");
        String metrics = send("http://127.0.0.1:" + port + "/metrics").body();

        assertThat(startedWhileCut).isFalse();
        assertThat(waiting.statusCode()).isEqualTo(503);
        assertThat(waiting.body())
            .contains("\"error\":\"not_ready\"")
            .contains("\"component\":\"store\"")
            .contains("the server cannot be reached")
            .doesNotContain(PASSWORD);
        assertThat(alive.statusCode()).isEqualTo(200);
        assertThat(served.api.port()).isEqualTo(port);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(metrics)
            .containsPattern("book_creator_store_pool_connections\\{[^}]*state=\"active\"")
            .containsPattern("book_creator_store_pool_connections\\{[^}]*state=\"idle\"")
            .containsPattern("book_creator_store_pool_connections\\{[^}]*state=\"pending\"")
            .containsPattern("book_creator_store_pool_timeouts_total(\\{[^}]*\\})? 0(\\.0)?\\s");
        served.close();
      } finally {
        serving.thenAccept(ServeCommand.Serving::close);
      }
    }
  }

  @Test
  void aBook_whoseDatabaseGoesAwayMidRun_completes_withNoTaskFailed_andOneLedgerRowPerCall()
      throws Exception {
    try (TestDatabase db = TestDatabase.create();
        CuttableProxy proxy = new CuttableProxy()) {
      Settings s = settings(proxy.url(db.name()), 0, Map.of(Setting.SIM_LATENCY, "100ms"));
      ServeCommand.Serving serving =
          ServeCommand.Serving.start(
              s, Observability.start(s, Observability.Mode.FOREGROUND), ServeCommand.Role.ALL);
      try {
        String base = "http://127.0.0.1:" + serving.api.port();
        String project =
            Json.parse(
                    testHttp.post(
                        base + "/api/projects",
                        "{\"title\":\"Outage\",\"category\":\"technical\",\"brief\":\"The"
                            + " database goes away.\",\"chapters\":2}"))
                .get("id")
                .asString();
        String run =
            Json.parse(testHttp.post(base + "/api/projects/" + project + "/runs", "{}"))
                .get("id")
                .asString();
        awaitRows(db, "SELECT COUNT(*) FROM llm_calls WHERE outcome = 'ok'", 3);

        proxy.cut();
        HttpResponse<String> readyDuring = send(base + "/readyz");
        proxy.restore();
        JsonNode done = testHttp.awaitSettled(base, run);

        assertThat(readyDuring.statusCode()).isEqualTo(503);
        assertThat(readyDuring.body()).contains("\"component\":\"store\"");
        assertThat(done.get("state").asString()).isEqualTo("completed");
        assertThat(one(db, "SELECT COUNT(*) FROM tasks WHERE state = 'FAILED'")).isZero();
        assertThat(one(db, "SELECT COUNT(*) - COUNT(DISTINCT call_id) FROM llm_calls")).isZero();
        assertThat(one(db, "SELECT COALESCE(SUM(cost_picousd), 0) FROM cost_daily"))
            .as("rollups equal the ledger")
            .isEqualTo(one(db, "SELECT COALESCE(SUM(cost_picousd), 0) FROM llm_calls"));
      } finally {
        serving.close();
      }
    }
  }

  @Test
  void aOneShotCommand_withTheDatabaseNotThere_failsAtOnce_sayingWhy() throws Exception {
    long start = System.nanoTime();

    Cli runs =
        Cli.runIn(
            Map.of(
                "BOOK_CREATOR_STORE_URL",
                "jdbc:postgresql://127.0.0.1:" + freePort() + "/books",
                "BOOK_CREATOR_STORE_PASSWORD",
                PASSWORD),
            "runs",
            "--data-dir",
            dir.resolve("data").toString());

    assertThat(runs.exitCode()).isEqualTo(ExitCodes.STORE);
    assertThat(runs.out() + runs.err())
        .contains("cannot be reached")
        .contains("is it running")
        .doesNotContain(PASSWORD);
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(20);
  }

  private Settings settings(String url, int port) {
    return settings(url, port, Map.of());
  }

  private Settings settings(String url, int port, Map<Setting<?>, String> more) {
    Map<Setting<?>, String> flags = new HashMap<>(more);
    flags.put(Setting.DATA_DIR, dir.resolve("data").toString());
    flags.put(Setting.HTTP_PORT, Integer.toString(port));
    flags.put(Setting.STORE_URL, url);
    flags.put(Setting.STORE_USER, TestDatabase.USER);
    flags.put(Setting.STORE_PASSWORD, PASSWORD);
    return Settings.load(null, Map.of(), flags);
  }

  private static long one(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect();
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void awaitRows(TestDatabase db, String sql, long atLeast) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (one(db, sql) < atLeast) {
      if (System.nanoTime() > deadline) throw new AssertionError("never " + atLeast + ": " + sql);
      Thread.sleep(20);
    }
  }

  private HttpResponse<String> awaitAnswer(String url) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return send(url);
      } catch (java.io.IOException notYet) {
        if (System.nanoTime() > deadline) throw notYet;
        Thread.sleep(100);
      }
    }
  }

  private HttpResponse<String> send(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
