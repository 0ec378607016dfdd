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
import org.bookcreator.notify.DesktopSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A provider outage as an operator lives it: {@code serve} drives a book through the OpenAI adapter
 * against a local server speaking OpenAI's wire format that answers 503 to every call (OpenAI
 * cannot be reached from a test). ProviderDown reaches every notifier, each the real thing: a
 * webhook receiver, an SMTP server (GreenMail), the desktop (notify-send to dunst on a private
 * display and D-Bus session) and an Alertmanager (Debian's) that forwards to a receiver of the
 * test. When the server answers again and the run is restarted, the resolution reaches each.
 * Skipped without Alertmanager or the desktop programs, unless CI=true (then it fails).
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
  private DesktopSession desktop;
  private RealAlertmanager alertmanager;

  @AfterEach
  void stop() {
    if (serving != null) serving.close();
    if (provider != null) provider.close();
    if (receiver != null) receiver.close();
    if (smtp != null) smtp.stop();
    try {
      if (alertmanager != null) alertmanager.close();
      if (desktop != null) desktop.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void providerDown_reachesEveryNotifier_andResolvesWhenTheProviderIsBack() throws Exception {
    RealAlertmanager.require();
    desktop = DesktopSession.start(java.nio.file.Files.createDirectories(dir.resolve("desktop")));
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
    int amPort = RealAlertmanager.freePort();
    serving = serve(amPort);
    String api = "http://127.0.0.1:" + serving.api.port();
    alertmanager = RealAlertmanager.start(dir, amPort, api, receiver.url("/am"));

    TestHttp.Started started =
        http.start(
            api,
            "{\"title\":\"Lights Over HTTP\",\"category\":\"non-fiction\",\"brief\":\"A short"
                + " history of lighthouses.\",\"chapters\":1}");
    assertThat(http.awaitSettled(api, started.run()).get("state").asString()).isEqualTo("failed");
    JsonNode fired = receiver.await("/hook", b -> about(b, "firing"), WAIT).body();
    MimeMessage firedMail = awaitMail("[FIRING] ProviderDown");
    receiver.await("/am", b -> fromAlertmanager(b, "firing"), WAIT);
    assertThat(desktop.awaitShown(n -> n.summary().contains("ProviderDown"), WAIT))
        .anySatisfy(n -> assertThat(n.summary()).contains("ProviderDown"));

    down.set(false);
    http.post(
        api + "/api/runs/" + started.run() + "/restart", "{\"reason\":\"provider back\"}", 202);
    assertThat(http.awaitSettled(api, started.run()).get("state").asString())
        .isEqualTo("completed");
    JsonNode resolved = receiver.await("/hook", b -> about(b, "resolved"), WAIT).body();
    MimeMessage resolvedMail = awaitMail("[RESOLVED] ProviderDown");
    receiver.await("/am", b -> fromAlertmanager(b, "resolved"), WAIT);
    assertThat(desktop.awaitShown(ProviderOutageAlertsTest::resolvedProviderDown, WAIT))
        .anySatisfy(
            n -> assertThat(n.summary()).contains("ProviderDown").containsIgnoringCase("resolved"));

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

  private static boolean resolvedProviderDown(DesktopSession.Shown n) {
    return n.summary().contains("ProviderDown")
        && n.summary().toLowerCase(java.util.Locale.ROOT).contains("resolved");
  }

  private ServeCommand.Serving serve(int alertmanagerPort) throws Exception {
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
              desktop: true
              alertmanager:
                urls: http://127.0.0.1:%d
                resend: 1s
            """
                .formatted(receiver.url("/hook"), smtp.getSmtp().getPort(), alertmanagerPort));
    Map<String, String> env = new java.util.HashMap<>(desktop.environment());
    env.put("OPENAI_BASE_URL", provider.baseUrl());
    env.put("OPENAI_API_KEY", "sk-outage-0123456789");
    Settings settings = Settings.load(config, env, TestHttp.serveFlags(dir.resolve("data")));
    return ServeCommand.Serving.start(
        settings, Observability.start(settings, Observability.Mode.FOREGROUND));
  }

  /**
   * A notification of Book Creator's own evaluator about ProviderDown in {@code status} (its group
   * is the alert's name and provider; what comes back through Alertmanager is grouped by
   * Alertmanager).
   */
  private static boolean about(JsonNode body, String status) {
    return body.path("status").asString().equals(status)
        && body.path("group_key").asString().equals("ProviderDown{provider=openai}");
  }

  /** An Alertmanager webhook (version 4) about ProviderDown in {@code status}. */
  private static boolean fromAlertmanager(JsonNode payload, String status) {
    return payload.path("version").asString().equals("4")
        && payload.path("status").asString().equals(status)
        && payload.path("alerts").findValuesAsString("alertname").contains("ProviderDown");
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
