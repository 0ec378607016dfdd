package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Silences over HTTP: made, listed, shown on the alerts they silence, ended, and refused. */
class SilencesApiTest {
  @TempDir Path dir;
  private TestServer t;

  @BeforeEach
  void start() {
    t = new TestServer(dir, Optional.empty(), 64 * 1024);
  }

  @AfterEach
  void stop() {
    t.close();
  }

  private HttpResponse<String> post(String json) throws Exception {
    return t.send(
        "POST", "/api/silences", "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aSilence_isMade_listed_shownOnTheAlertItSilences_andEnded() throws Exception {
    t.aFiringAlert("r1");

    HttpResponse<String> made =
        post(
            "{\"matchers\": [\"alertname=RunFailed\", \"run_id=~r.*\"], \"duration\": \"2h\","
                + " \"reason\": \"restarting r1 by hand\"}");

    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    JsonNode silence = Json.parse(made.body());
    String id = silence.get("id").asString();
    assertThat(made.headers().firstValue("Location")).contains("/api/silences/" + id);
    assertThat(Json.MAPPER.convertValue(silence.get("matchers"), List.class))
        .containsExactly("alertname=RunFailed", "run_id=~r.*");
    assertThat(silence.get("created_by").asString()).isEqualTo("api 127.0.0.1");
    assertThat(
            Duration.between(
                Instant.parse(silence.get("starts_at").asString()),
                Instant.parse(silence.get("ends_at").asString())))
        .isEqualTo(Duration.ofHours(2));
    JsonNode listed = Json.parse(t.send("GET", "/api/silences", null, null).body());
    assertThat(listed.get("items").findValuesAsString("id")).containsExactly(id);
    JsonNode alert =
        Json.parse(t.send("GET", "/api/alerts", null, null).body()).get("items").get(0);
    assertThat(alert.get("state").asString()).isEqualTo("firing");
    assertThat(alert.get("silenced_by").get(0).asString()).isEqualTo(id);

    HttpResponse<String> ended = t.send("DELETE", "/api/silences/" + id, null, null);

    assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
    assertThat(Json.parse(t.send("GET", "/api/silences", null, null).body()).get("items"))
        .isEmpty();
    assertThat(
            Json.parse(t.send("GET", "/api/alerts", null, null).body())
                .get("items")
                .get(0)
                .get("silenced_by"))
        .isEmpty();
  }

  @Test
  void badSilences_are400sNamingTheField_andAnUnknownIdIsA404() throws Exception {
    Map<String, String> refusals =
        Map.of(
            "{\"matchers\": [\"alertname\"], \"duration\": \"2h\", \"reason\": \"r\"}",
            "matchers",
            "{\"matchers\": [\"run_id=~(\"], \"duration\": \"2h\", \"reason\": \"r\"}",
            "matchers",
            "{\"matchers\": [\"run_id!=r1\"], \"duration\": \"2h\", \"reason\": \"r\"}",
            "matchers",
            "{\"matchers\": \"alertname=RunFailed\", \"duration\": \"2h\", \"reason\": \"r\"}",
            "matchers",
            "{\"matchers\": [\"alertname=RunFailed\"], \"duration\": \"2 hours\", \"reason\":"
                + " \"r\"}",
            "duration",
            "{\"matchers\": [\"alertname=RunFailed\"], \"reason\": \"r\"}",
            "duration",
            "{\"matchers\": [\"alertname=RunFailed\"], \"ends_at\": \"2020-01-01T00:00:00Z\","
                + " \"reason\": \"r\"}",
            "ends_at",
            "{\"matchers\": [\"alertname=RunFailed\"], \"duration\": \"2h\"}",
            "reason");

    for (Map.Entry<String, String> r : refusals.entrySet()) {
      HttpResponse<String> answer = post(r.getKey());
      assertThat(answer.statusCode()).as(r.getKey() + " -> " + answer.body()).isEqualTo(400);
      assertThat(Json.parse(answer.body()).get("details").get(0).get("field").asString())
          .as(r.getKey())
          .isEqualTo(r.getValue());
    }
    assertThat(post("{\"matchers\": [\"9x=1\"], \"duration\": \"2h\", \"reason\": \"r\"}").body())
        .contains("'9x' is not a label name");
    HttpResponse<String> unknown = t.send("DELETE", "/api/silences/sil_nope", null, null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("no silence sil_nope");
  }
}
