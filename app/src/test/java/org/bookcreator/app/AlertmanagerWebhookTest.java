package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * An Alertmanager's webhook payload posted twice to serve's {@code /api/alertmanager} reaches the
 * configured webhook exactly once, and is not sent back to the Alertmanager notifier.
 */
class AlertmanagerWebhookTest {
  @TempDir Path dir;
  private ServeCommand.Serving serving;
  private final TestHttp http = new TestHttp();

  @AfterEach
  void stop() {
    if (serving != null) serving.close();
  }

  static String examplePayload() throws Exception {
    Path p = Path.of("..", "examples", "alertmanager", "webhook-v4.json");
    return Files.readString(
        Files.exists(p) ? p : Path.of("examples", "alertmanager", "webhook-v4.json"));
  }

  @Test
  void aPayloadPostedTwice_reachesTheWebhookOnce_andNeverGoesBackToAlertmanager() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort(); // an Alertmanager that is not there: what reaches it stays pending
    }
    try (TestReceiver hooks = new TestReceiver()) {
      Path config =
          Files.writeString(
              dir.resolve("am.yaml"),
              """
              alerts:
                interval: 1h
              notify:
                webhooks: %s
                alertmanager:
                  urls: http://127.0.0.1:%d
              """
                  .formatted(hooks.url("/hook"), closed));
      Settings settings = Settings.load(config, Map.of(), TestHttp.serveFlags(dir.resolve("data")));
      serving =
          ServeCommand.Serving.start(
              settings, Observability.start(settings, Observability.Mode.FOREGROUND));
      String url = "http://127.0.0.1:" + serving.api.port() + "/api/alertmanager";

      String first = http.post(url, examplePayload());
      String second = http.post(url, examplePayload());
      TestReceiver.Received r = hooks.await("/hook", b -> b.has("alerts"), Duration.ofSeconds(20));
      awaitEmptyOutbox();

      assertThat(Json.parse(first).get("status").asString()).isEqualTo("recorded");
      assertThat(Json.parse(second).get("status").asString()).isEqualTo("duplicate");
      assertThat(hooks.at("/hook")).as("exactly once").hasSize(1);
      JsonNode body = r.body();
      assertThat(body.get("status").asString()).isEqualTo(Notification.FIRING);
      assertThat(body.get("group_key").asString())
          .isEqualTo("{}:{alertname=\"BookCreatorProviderDown\", provider=\"openai\"}");
      JsonNode alert = body.get("alerts").get(0);
      assertThat(alert.get("name").asString()).isEqualTo("BookCreatorProviderDown");
      assertThat(alert.get("severity").asString()).isEqualTo("critical");
      assertThat(alert.get("runbook").asString()).isEqualTo("docs/runbooks/provider-errors.md");
      assertThat(r.key()).isEqualTo(body.get("id").asString());
    }
  }

  /**
   * Waits until nothing is left to deliver; a notification to the absent Alertmanager would stay
   * (it is retried), and this would time out.
   */
  private void awaitEmptyOutbox() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (serving.store.outboxDepth() > 0) {
      if (System.nanoTime() > deadline)
        throw new AssertionError("still waiting: " + serving.store.pendingNotifications());
      Thread.sleep(50);
    }
  }
}
