package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/alertmanager} takes what an Alertmanager's {@code webhook_configs} posts
 * (version 4): each delivery is recorded and notified once; a malformed one is a 400 that names the
 * field; the body limit and the bearer token apply as everywhere under /api.
 */
class AlertmanagerWebhookApiTest {
  /** What Alertmanager 0.25 posts, also shown in docs/alerts.md. */
  static final String PAYLOAD = payload();

  private static String payload() {
    Path p = Path.of("..", "examples", "alertmanager", "webhook-v4.json");
    try {
      return Files.readString(
          Files.exists(p) ? p : Path.of("examples", "alertmanager", "webhook-v4.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @TempDir Path dir;

  private static HttpResponse<String> post(TestServer t, String json) throws Exception {
    return t.send(
        "POST", "/api/alertmanager", "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aDelivery_isRecordedAndNotifiedOnce_acrossTwoIdenticalPosts() throws Exception {
    try (TestServer t = new TestServer(dir, Optional.empty(), 64 * 1024)) {
      // Alertmanager writes times in the zone of its machine.
      String payload =
          PAYLOAD.replace("2026-11-30T10:00:00.123456789Z", "2026-11-30T11:00:00.123456789+01:00");

      HttpResponse<String> first = post(t, payload);
      HttpResponse<String> second = post(t, payload);

      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
      assertThat(Json.parse(first.body()).get("status").asString()).isEqualTo("recorded");
      assertThat(second.statusCode()).isEqualTo(200);
      assertThat(Json.parse(second.body()).get("status").asString()).isEqualTo("duplicate");
      assertThat(t.store.pendingNotifications())
          .singleElement()
          .satisfies(
              n -> {
                assertThat(n.status()).isEqualTo(Notification.FIRING);
                assertThat(n.groupKey())
                    .isEqualTo("{}:{alertname=\"BookCreatorProviderDown\", provider=\"openai\"}");
                assertThat(n.alerts())
                    .singleElement()
                    .satisfies(
                        a -> {
                          assertThat(a.name()).isEqualTo("BookCreatorProviderDown");
                          assertThat(a.fingerprint()).isEqualTo("6c3c9f1b5a2e7d40");
                          assertThat(a.firedAt().orElseThrow())
                              .hasToString("2026-11-30T10:00:00.123Z");
                          assertThat(a.labels()).containsEntry("provider", "openai");
                        });
              });
      JsonNode history =
          Json.parse(t.send("GET", "/api/alerts/history?since=2020-01-01", null, null).body());
      assertThat(history.get("items"))
          .singleElement()
          .satisfies(
              h -> {
                assertThat(h.get("name").asString()).isEqualTo("BookCreatorProviderDown");
                assertThat(h.get("severity").asString()).isEqualTo("critical");
                assertThat(h.get("runbook").asString())
                    .isEqualTo("docs/runbooks/provider-errors.md");
              });
      assertThat(Json.parse(t.send("GET", "/api/alerts", null, null).body()).get("items"))
          .as("received alerts are history, not the evaluator's open alerts")
          .isEmpty();
    }
  }

  @Test
  void malformedPayloads_are400sNamingTheProblem_andHugeOnesAre413s() throws Exception {
    Map<String, String> refusals =
        Map.of(
            PAYLOAD.replace("\"version\": \"4\"", "\"version\": \"3\""),
            "version",
            PAYLOAD.replace("\"alertname\": \"BookCreatorProviderDown\",\n", ""),
            "alerts[0].labels.alertname",
            PAYLOAD.replace("2026-11-30T10:00:00.123456789Z", "yesterday"),
            "alerts[0].startsAt",
            PAYLOAD.replace(
                "\"status\": \"firing\",\n      \"labels\"",
                "\"status\": \"on\",\n      \"labels\""),
            "alerts[0].status",
            PAYLOAD.replace("\"job\": \"book-creator\"", "\"job\": 7"),
            "alerts[0].labels.job",
            "{\"version\": \"4\", \"groupKey\": \"g\", \"status\": \"firing\", \"alerts\": []}",
            "alerts");
    try (TestServer t = new TestServer(dir, Optional.empty(), 64 * 1024)) {
      for (Map.Entry<String, String> r : refusals.entrySet()) {
        HttpResponse<String> answer = post(t, r.getKey());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        assertThat(Json.parse(answer.body()).get("details").get(0).get("field").asString())
            .isEqualTo(r.getValue());
      }
      HttpResponse<String> notJson = post(t, "{\"version\": \"4\",");
      HttpResponse<String> huge = post(t, PAYLOAD.replace("Runs retry", "x".repeat(100 * 1024)));

      assertThat(notJson.statusCode()).isEqualTo(400);
      assertThat(notJson.body()).contains("not valid JSON");
      assertThat(huge.statusCode()).isEqualTo(413);
      assertThat(t.store.pendingNotifications()).isEmpty();
    }
  }

  @Test
  void withAToken_alertmanagerMustSendIt() throws Exception {
    String token = "alertmanager-token-0123456789";
    try (TestServer t = new TestServer(dir, Optional.of(token), 64 * 1024)) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(t.base + "/api/alertmanager"))
              .timeout(Duration.ofSeconds(20))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(PAYLOAD));

      HttpResponse<String> without =
          t.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> with =
          t.http.send(
              request.header("Authorization", "Bearer " + token).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(without.statusCode()).isEqualTo(401);
      assertThat(with.statusCode()).as(with.body()).isEqualTo(200);
    }
  }
}
