package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * serve --role api and serve --role worker on one data directory: the API process writes the run to
 * the store, the worker process's orchestrator picks it up and carries it out; each process serves
 * its own /metrics.
 */
class ServeRolesTest {
  @TempDir Path dir;
  private ServeCommand.Serving worker;
  private ServeCommand.Serving api;
  private final TestHttp http = new TestHttp();

  @AfterEach
  void stop() {
    if (api != null) api.close();
    if (worker != null) worker.close();
  }

  private Settings settings() {
    Map<Setting<?>, String> flags = new HashMap<>();
    flags.put(Setting.DATA_DIR, dir.resolve("data").toString());
    flags.put(Setting.HTTP_PORT, "0");
    flags.put(Setting.WORKER_PORT, "0");
    return Settings.load(null, Map.of(), flags);
  }

  @Test
  void aRunStartedOnTheApiProcess_isCarriedOutByTheWorkerProcess() throws Exception {
    Settings s = settings();
    worker =
        ServeCommand.Serving.start(
            s, Observability.start(s, Observability.Mode.SERVER), ServeCommand.Role.WORKER);
    api =
        ServeCommand.Serving.start(
            s, Observability.start(s, Observability.Mode.SERVER), ServeCommand.Role.API);
    String base = "http://127.0.0.1:" + api.api.port();

    String project =
        Json.parse(
                post(
                    base + "/api/projects",
                    "{\"title\":\"Split Roles\",\"category\":\"technical\",\"brief\":\"Two"
                        + " processes.\",\"chapters\":1}"))
            .get("id")
            .asString();
    String run =
        Json.parse(post(base + "/api/projects/" + project + "/runs", "{}")).get("id").asString();
    JsonNode done = await(base, run);

    assertThat(worker.api).as("the worker role serves no API").isNull();
    assertThat(api.engine.drivesRuns()).as("the API role runs no pipeline").isFalse();
    assertThat(worker.engine.alerts)
        .as("on SQLite the worker role is the one pipeline process: it evaluates the alerts")
        .isPresent();
    assertThat(done.get("state").asString()).isEqualTo("completed");
    assertThat(get(base + "/metrics"))
        .contains("http_server_request_duration_seconds")
        .doesNotContain("book_creator_worker_heartbeat");
    assertThat(get("http://127.0.0.1:" + worker.workerMetrics.port() + "/metrics"))
        .contains("book_creator_worker_heartbeat");
  }

  @Test
  void theAllInOneProcess_servesEveryMetricOnItsApiPort_andOpensNoWorkerPort() throws Exception {
    Settings s = settings(); // worker.metrics_port 0: asked for, yet one endpoint per process
    ServeCommand.Serving all =
        ServeCommand.Serving.start(
            s, Observability.start(s, Observability.Mode.FOREGROUND), ServeCommand.Role.ALL);
    try {
      String metrics = get("http://127.0.0.1:" + all.api.port() + "/metrics");

      assertThat(all.workerMetrics).as("a second endpoint over the same registry").isNull();
      assertThat(metrics)
          .contains("book_creator_worker_heartbeat_timestamp{")
          .contains("book_creator_task_queue_depth{")
          .contains("jvm_memory_used_bytes");
    } finally {
      all.close();
    }
  }

  private String post(String url, String json) throws Exception {
    return http.post(url, json);
  }

  private String get(String url) throws Exception {
    return http.get(url);
  }

  private JsonNode await(String base, String run) throws Exception {
    return http.awaitSettled(base, run);
  }
}
