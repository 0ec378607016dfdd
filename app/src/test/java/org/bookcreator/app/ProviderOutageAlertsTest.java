package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A provider outage as an operator lives it: {@code serve} drives a book through the OpenAI adapter
 * against a local server speaking OpenAI's wire format that answers 503 to every call (OpenAI
 * cannot be reached from a test). ProviderDown reaches a real webhook receiver and a real SMTP
 * server (GreenMail); when the server answers again and the run is restarted, the resolution
 * reaches both. (The desktop and Alertmanager notifiers have their own tests against the real
 * notify-send and Alertmanager: DesktopNotifierTest, RealAlertmanagerTest.)
 */
class ProviderOutageAlertsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final AtomicBoolean down = new AtomicBoolean(true);
  private final TestHttp http = new TestHttp();
  private OpenAiWireServer provider;
  private TestReceiver receiver;
  private GreenMail smtp;
  private ServeCommand.Serving serving;

  @AfterEach
  void stop() {
    if (serving != null) serving.close();
    if (provider != null) provider.close();
    if (receiver != null) receiver.close();
    if (smtp != null) smtp.stop();
  }

  @Test
  void providerDown_firesToWebhookAndMail_andResolvesWhenTheProviderIsBack() throws Exception {
    provider =
        OpenAiWireServer.start(
            Optional.of("gpt-4o-mini-2024-07-18"),
            Duration.ZERO,
            (n, exchange) -> {
              if (!down.get()) return false;
              byte[] body =
                  "{\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\"}}"
                      .getBytes(StandardCharsets.UTF_8);
              exchange.getResponseHeaders().set("Content-Type", "application/json");
              exchange.sendResponseHeaders(503, body.length);
              exchange.getResponseBody().write(body);
              return true;
            });
    receiver = new TestReceiver();
    smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    serving = serve();
    String api = "http://127.0.0.1:" + serving.api.port();

    TestHttp.Started started =
        http.start(
            api,
            "{\"title\":\"Lights Over HTTP\",\"category\":\"non-fiction\",\"brief\":\"A short"
                + " history of lighthouses.\",\"chapters\":1}");
    assertThat(http.awaitSettled(api, started.run()).get("state").asString()).isEqualTo("failed");
    JsonNode fired = receiver.await("/hook", b -> about(b, "firing"), WAIT).body();
    MimeMessage firedMail = awaitMail("[FIRING] ProviderDown");

    down.set(false);
    http.post(
        api + "/api/runs/" + started.run() + "/restart", "{\"reason\":\"provider back\"}", 202);
    assertThat(http.awaitSettled(api, started.run()).get("state").asString())
        .isEqualTo("completed");
    JsonNode resolved = receiver.await("/hook", b -> about(b, "resolved"), WAIT).body();
    MimeMessage resolvedMail = awaitMail("[RESOLVED] ProviderDown");

    assertThat(fired.get("alerts").get(0).get("labels").get("provider").asString())
        .isEqualTo("openai");
    assertThat(fired.get("alerts").get(0).get("runbook").asString())
        .isEqualTo("docs/runbooks/provider-errors.md");
    assertThat(resolved.get("alerts").get(0).get("resolved_at").asString()).isNotBlank();
    assertThat(firedMail.getAllRecipients()).hasSize(1);
    assertThat(resolvedMail.getSubject()).contains("openai");
    assertThat(
            receiver.at("/hook").stream()
                .filter(r -> about(r.body(), "firing"))
                .map(TestReceiver.Received::key)
                .distinct()
                .count())
        .as("one firing notification for the outage, however many calls failed")
        .isEqualTo(1);
  }

  private ServeCommand.Serving serve() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("book-creator.yaml"),
            """
            provider: openai
            pipeline:
              max_attempts: 6
              backoff_base: 1ms
              backoff_max: 2ms
            alerts:
              interval: 1s
              group_wait: 0s
              group_interval: 1s
            notify:
              webhooks: %s
              retry_base: 100ms
              retry_max: 500ms
              email:
                to: ops@example.com
                from: Book Creator <alerts@example.com>
                smtp_host: 127.0.0.1
                smtp_port: %d
                security: none
            """
                .formatted(receiver.url("/hook"), smtp.getSmtp().getPort()));
    Settings settings =
        Settings.load(
            config,
            Map.of("OPENAI_BASE_URL", provider.baseUrl(), "OPENAI_API_KEY", "sk-outage-0123456789"),
            TestHttp.serveFlags(dir.resolve("data")));
    return ServeCommand.Serving.start(
        settings, Observability.start(settings, Observability.Mode.FOREGROUND));
  }

  private static boolean about(JsonNode body, String status) {
    return body.path("status").asString().equals(status)
        && body.path("alerts").findValuesAsString("name").contains("ProviderDown");
  }

  private MimeMessage awaitMail(String subject) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      List<MimeMessage> found =
          Arrays.stream(smtp.getReceivedMessages())
              .filter(m -> subjectOf(m).startsWith(subject))
              .toList();
      if (!found.isEmpty()) return found.get(0);
      Thread.sleep(50);
    }
    throw new AssertionError(
        "no mail '"
            + subject
            + "' within "
            + WAIT
            + "; got "
            + Arrays.stream(smtp.getReceivedMessages())
                .map(ProviderOutageAlertsTest::subjectOf)
                .toList());
  }

  private static String subjectOf(MimeMessage m) {
    try {
      return m.getSubject();
    } catch (jakarta.mail.MessagingException e) {
      return "";
    }
  }
}
