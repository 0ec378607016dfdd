package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.alert.AlertEvaluator;
import org.bookcreator.core.alert.BuiltInRules;
import org.bookcreator.core.alert.ProcessProbe;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The alerts an evaluator recorded, over HTTP: what is open now, and what moved when. */
class AlertsApiTest {
  @TempDir Path dir;

  @Test
  void openAlertsAndTheirHistory_areServed_andABadSinceIsA400() throws Exception {
    try (TestServer t = new TestServer(dir, Optional.empty(), 64 * 1024)) {
      t.pipeline.close(); // the run below is moved by hand
      Instant now = Instant.now();
      t.store.createProject(
          new Project(
              "p1",
              "Broken Book",
              "fiction",
              Optional.empty(),
              "b",
              1,
              Optional.of(BigDecimal.TEN),
              List.of(),
              now));
      t.store.createRun("r1", "p1", 1, "test", now);
      t.store.transitionRun("r1", RunState.QUEUED, RunState.RUNNING, "started", now);
      t.store.transitionRun("r1", RunState.RUNNING, RunState.FAILED, "stage outline failed", now);
      new AlertEvaluator(
              t.store,
              BuiltInRules.defaults(),
              InstantSource.system(),
              StallDetector.Thresholds.of(Duration.ofMinutes(10)),
              ProcessProbe.NONE)
          .evaluate();

      JsonNode open = json(t.send("GET", "/api/alerts", null, null));
      JsonNode history = json(t.send("GET", "/api/alerts/history?since=2020-01-01", null, null));
      HttpResponse<String> bad = t.send("GET", "/api/alerts/history?since=yesterday", null, null);

      assertThat(open.get("items"))
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.get("name").asString()).isEqualTo("RunFailed");
                assertThat(a.get("state").asString()).isEqualTo("firing");
                assertThat(a.get("labels").get("run_id").asString()).isEqualTo("r1");
                assertThat(a.get("summary").asString()).contains("Broken Book");
                assertThat(a.get("fired_at").asString()).isNotBlank();
              });
      assertThat(history.get("items"))
          .singleElement()
          .satisfies(a -> assertThat(a.get("change").get("to").asString()).isEqualTo("firing"));
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("since");
    }
  }

  private static JsonNode json(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.parse(r.body());
  }
}
