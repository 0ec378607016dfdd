package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Regression (issue 10): a budget raised over the API on a live serve was never enforced, because
 * the pipeline kept each project for the life of the process. A run paused at $0.02, raised to
 * $0.04 and restarted ran to completion at $0.10. Now it pauses again at the new budget.
 */
class LiveBudgetTest {
  @TempDir Path dir;
  private ServeCommand.Serving serving;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    if (serving != null) serving.close();
  }

  @Test
  void aBudgetRaisedOverTheApiOnALiveServe_pausesTheRunAtTheNewBudget() throws Exception {
    Map<Setting<?>, String> flags = new HashMap<>();
    flags.put(Setting.DATA_DIR, dir.resolve("data").toString());
    flags.put(Setting.HTTP_PORT, "0");
    flags.put(Setting.WORKER_PORT, "-1");
    Settings s = Settings.load(null, Map.of(), flags);
    serving =
        ServeCommand.Serving.start(
            s, Observability.start(s, Observability.Mode.SERVER), ServeCommand.Role.ALL);
    String base = "http://127.0.0.1:" + serving.api.port();
    String project =
        Json.parse(
                send(
                    base + "/api/projects",
                    "{\"title\":\"A Small Budget\",\"category\":\"children\",\"brief\":\"A short"
                        + " book on a tight budget.\",\"chapters\":6,\"budget_usd\":0.02}",
                    201))
            .get("id")
            .asString();
    String run =
        Json.parse(send(base + "/api/projects/" + project + "/runs", "{}", 202))
            .get("id")
            .asString();
    assertThat(awaitSettled(base, run).get("state").asString()).isEqualTo("paused");

    send(
        base + "/api/runs/" + run + "/restart",
        "{\"reason\":\"a little more\",\"budget_usd\":\"0.04\"}",
        202);
    JsonNode after = awaitSettled(base, run);

    assertThat(after.get("state").asString())
        .as("the run pauses at the raised budget instead of running to its end")
        .isEqualTo("paused");
    assertThat(serving.store.run(run).orElseThrow().reason().orElseThrow())
        .contains("budget $0.04 reached");
    BigDecimal spent = serving.store.projectSpend(project);
    assertThat(spent)
        .isGreaterThanOrEqualTo(new BigDecimal("0.04"))
        .isLessThan(new BigDecimal("0.07"));
    assertThat(serving.store.events(run))
        .filteredOn(e -> e.kind().equals(RunEvent.BUDGET_100))
        .extracting(RunEvent::detail)
        .anySatisfy(d -> assertThat(d).contains("[budget $0.02]"))
        .anySatisfy(d -> assertThat(d).contains("[budget $0.04]"));
  }

  private String send(String url, String json, int expected) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
    return r.body();
  }

  /** The run once it is no longer queued or running. */
  private JsonNode awaitSettled(String base, String run) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode r =
          Json.parse(
              http.send(
                      HttpRequest.newBuilder(URI.create(base + "/api/runs/" + run)).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      String state = r.get("state").asString();
      if (!state.equals("queued") && !state.equals("running")) return r;
      if (System.nanoTime() > deadline) throw new AssertionError("run still " + state);
      Thread.sleep(50);
    }
  }
}
