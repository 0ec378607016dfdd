package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.bookcreator.core.alert.NotifierTests;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code alerts test --notifier NAME} and {@code POST /api/alerts/test}: a test notification goes
 * straight through the notifier to a real receiver, and the answer says whether it arrived.
 */
class AlertsTestCommandTest {
  @TempDir Path dir;
  private final TestReceiver receiver = new TestReceiver();
  private ServeCommand.Serving serving;

  @AfterEach
  void stop() {
    if (serving != null) serving.close();
    receiver.close();
  }

  private Path config(String webhooks) throws Exception {
    return Files.writeString(
        dir.resolve("book-creator.yaml"), "notify:\n  webhooks: " + webhooks + "\n");
  }

  private Cli test(Path config, String notifier) {
    return Cli.run(
        "alerts",
        "test",
        "--notifier",
        notifier,
        "--data-dir",
        dir.resolve("data").toString(),
        "--config",
        config.toString());
  }

  @Test
  void alertsTest_deliversATestNotification_toTheReceiver_andSaysSo() throws Exception {
    Path config = config(receiver.url("/ok") + ", " + receiver.url("/other"));

    Cli sent = test(config, "webhook-1");

    assertThat(sent.exitCode()).as(sent.err()).isZero();
    assertThat(sent.out()).contains("delivered to webhook-1");
    assertThat(receiver.at("/other")).as("only the notifier named").isEmpty();
    JsonNode body = receiver.at("/ok").getFirst().body();
    JsonNode alert = body.get("alerts").get(0);
    assertThat(alert.get("name").asString()).isEqualTo(NotifierTests.ALERT_NAME);
    assertThat(alert.get("severity").asString()).isEqualTo("warning");
    assertThat(alert.get("labels").get("test").asString()).isEqualTo("true");
    assertThat(alert.get("summary").asString()).contains("only a test");
    assertThat(sent.out()).contains(body.get("id").asString());
    assertThat(Files.exists(dir.resolve("data/book-creator.db")))
        .as("straight through the notifier, not the outbox: no store is created")
        .isFalse();
  }

  @Test
  void alertsTest_toAReceiverThatIsDown_exits1_withTheReason() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Path config = config("http://127.0.0.1:" + closed + "/hook");

    Cli sent = test(config, "webhook");

    assertThat(sent.exitCode()).isEqualTo(1);
    assertThat(sent.out()).contains("to webhook failed:");
  }

  @Test
  void alertsTest_ofAnUnknownNotifier_exits2_listingTheConfiguredOnes() throws Exception {
    Cli sent = test(config(receiver.url("/ok")), "email");

    assertThat(sent.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(sent.err()).contains("no notifier named 'email'; the notifiers are webhook");
    assertThat(receiver.at("/ok")).isEmpty();
  }

  @Test
  void apiAlertsTest_delivers_andAnUnknownNotifierIs400() throws Exception {
    serving =
        FailingProvider.serve(dir, "notify:\n  webhooks: " + receiver.url("/api-hook") + "\n");
    String api = "http://127.0.0.1:" + serving.api.port();
    TestHttp http = new TestHttp();

    JsonNode sent = Json.parse(http.post(api + "/api/alerts/test", "{\"notifier\":\"webhook\"}"));
    String unknown = http.post(api + "/api/alerts/test", "{\"notifier\":\"desktop\"}", 400);

    assertThat(sent.get("outcome").asString()).isEqualTo("delivered");
    TestReceiver.Received got =
        receiver.await(
            "/api-hook",
            b -> b.get("id").asString().equals(sent.get("id").asString()),
            Duration.ofSeconds(5));
    assertThat(got.body().get("alerts").get(0).get("name").asString())
        .isEqualTo(NotifierTests.ALERT_NAME);
    assertThat(unknown).contains("notifier").contains("the notifiers are webhook");
  }
}
