package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.bookcreator.core.support.Json;
import org.bookcreator.notify.WebhookNotifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Alerts reach a real HTTP receiver: signed, with an idempotency key that stays the same across
 * retries, and exactly once even when the receiver was down and the process stopped meanwhile.
 */
class WebhookNotificationTest {
  private static final String SECRET = "webhook-secret-0123456789";

  @TempDir Path dir;
  private HttpServer receiver;
  private final AtomicInteger failing = new AtomicInteger();
  private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

  /** One request the receiver saw, and what it answered. */
  record Received(String key, String signature, String body, int status) {}

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hooks/T0KEN-in-the-path",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          int status = failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 503 : 204;
          received.add(
              new Received(
                  exchange.getRequestHeaders().getFirst(WebhookNotifier.IDEMPOTENCY_HEADER),
                  exchange.getRequestHeaders().getFirst(WebhookNotifier.SIGNATURE_HEADER),
                  body,
                  status));
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  private Path config() throws Exception {
    return Files.writeString(
        dir.resolve("notify.yaml"),
        FailingProvider.CONFIG
            + """
            alerts:
              interval: 1h
              group_wait: 0s
            notify:
              webhooks: http://127.0.0.1:%d/hooks/T0KEN-in-the-path
              webhook_secret: %s
              retry_base: 10ms
              retry_max: 20ms
            """
                .formatted(receiver.getAddress().getPort(), SECRET));
  }

  private Cli failingRun(Path config) {
    return FailingProvider.run(dir.resolve("data"), config);
  }

  @Test
  void aFailedRun_sendsSignedNotifications_ofRunFailedAndProviderDown() throws Exception {
    Cli run = failingRun(config());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(received).isNotEmpty().allSatisfy(r -> assertThat(r.status()).isEqualTo(204));
    List<String> names =
        received.stream()
            .flatMap(r -> Json.parse(r.body()).get("alerts").findValuesAsString("name").stream())
            .toList();
    assertThat(names).contains("RunFailed", "ProviderDown");
    for (Received r : received) {
      JsonNode doc = Json.parse(r.body());
      assertThat(doc.get("status").asString()).isEqualTo("firing");
      assertThat(r.key()).isEqualTo(doc.get("id").asString());
      long t = Long.parseLong(r.signature().replaceAll("^t=(\\d+),.*", "$1"));
      assertThat(r.signature())
          .as("HMAC-SHA256 over timestamp and body")
          .isEqualTo(WebhookNotifier.signature(SECRET, Instant.ofEpochSecond(t), r.body()));
    }
    assertThat(Files.readString(dir.resolve("data/logs/book-creator.log")))
        .as("the webhook URL holds a token: never logged")
        .doesNotContain("T0KEN-in-the-path")
        .doesNotContain(SECRET);
  }

  @Test
  void aReceiverDownWhileTheProcessStops_getsEachNotificationExactlyOnceAfterItReturns()
      throws Exception {
    failing.set(1000);
    Path config = config();

    failingRun(config);
    List<Received> whileDown = List.copyOf(received);
    failing.set(0);
    Cli restarted =
        Cli.run(
            "resume", "--data-dir", dir.resolve("data").toString(), "--config", config.toString());

    assertThat(whileDown).isNotEmpty().allSatisfy(r -> assertThat(r.status()).isEqualTo(503));
    assertThat(restarted.exitCode()).as(restarted.err()).isZero();
    List<Received> delivered = received.stream().filter(r -> r.status() == 204).toList();
    assertThat(delivered).extracting(Received::key).doesNotHaveDuplicates();
    assertThat(delivered.stream().map(Received::key).toList())
        .as("what failed while the receiver was down arrives after it returns, same key")
        .containsExactlyInAnyOrderElementsOf(
            whileDown.stream().map(Received::key).distinct().toList());
  }
}
