package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bookcreator.core.support.Json;
import org.bookcreator.notify.WebhookNotifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook receiver is down while a serve process's alerts fire, and the process is killed
 * (SIGKILL) meanwhile: once the receiver is back and a new serve starts on the same data directory,
 * each notification arrives exactly once, with the same idempotency key it carried on every failed
 * attempt. (Time is scaled: the receiver is down for seconds, not minutes.)
 */
class NotificationKillTest {
  private static final Pattern START_LINE =
      Pattern.compile("API on (http://127\\.0\\.0\\.1:\\d+)/");

  @TempDir Path dir;
  private final TestHttp http = new TestHttp();
  private final AtomicBoolean down = new AtomicBoolean(true);
  private final ConcurrentLinkedQueue<String[]> attempts = new ConcurrentLinkedQueue<>();
  private final List<Process> children = new ArrayList<>();
  private HttpServer receiver;

  @AfterEach
  void stop() throws Exception {
    for (Process p : children) p.destroyForcibly().waitFor();
    if (receiver != null) receiver.stop(0);
  }

  @Test
  void aNotificationFailingWhileTheProcessIsKilled_arrivesOnceAfterTheReceiverReturns()
      throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          int status = down.get() ? 503 : 200;
          attempts.add(
              new String[] {
                exchange.getRequestHeaders().getFirst(WebhookNotifier.IDEMPOTENCY_HEADER),
                Integer.toString(status),
                Json.parse(body).path("status").asString()
              });
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.start();
    Path config =
        Files.writeString(
            dir.resolve("serve.yaml"),
            FailingProvider.CONFIG
                + """
                alerts:
                  interval: 1s
                  group_wait: 0s
                notify:
                  webhooks: http://127.0.0.1:%d/hook
                  retry_base: 200ms
                  retry_max: 400ms
                """
                    .formatted(receiver.getAddress().getPort()));

    Process first = serve(config);
    String api = apiOf(first);
    String run =
        http.start(
                api,
                "{\"title\":\"Killed\",\"category\":\"fiction\",\"brief\":\"b\",\"chapters\":1}")
            .run();
    assertThat(http.awaitSettled(api, run).get("state").asString()).isEqualTo("failed");
    awaitAttempts(3);
    first.destroyForcibly().waitFor();
    List<String> keysWhileDown = attempts.stream().map(a -> a[0]).distinct().toList();

    down.set(false);
    Process second = serve(config);
    apiOf(second);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (delivered().size() < keysWhileDown.size() && System.nanoTime() < deadline)
      Thread.sleep(100);
    Thread.sleep(2_000); // time for a second delivery, were there one

    assertThat(attempts.stream().filter(a -> a[1].equals("503")).count())
        .as("attempts while the receiver was down")
        .isGreaterThanOrEqualTo(3);
    assertThat(delivered())
        .as("each notification delivered exactly once, under the key of its failed attempts")
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(keysWhileDown);
  }

  private List<String> delivered() {
    return attempts.stream().filter(a -> a[1].equals("200")).map(a -> a[0]).toList();
  }

  private void awaitAttempts(int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (attempts.size() < n && System.nanoTime() < deadline) Thread.sleep(50);
  }

  private Process serve(Path config) throws Exception {
    Process p =
        ChildCli.builder(
                "serve",
                "--data-dir",
                dir.resolve("data").toString(),
                "--config",
                config.toString(),
                "--port",
                "0")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    children.add(p);
    return p;
  }

  /** Reads the child's stderr up to serve's start line, and the API's base URL in it. */
  private static String apiOf(Process p) throws Exception {
    BufferedReader err =
        new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    String line;
    while ((line = err.readLine()) != null) {
      seen.add(line);
      Matcher m = START_LINE.matcher(line);
      if (m.find()) {
        Thread.ofVirtual().start(() -> drain(err));
        return m.group(1);
      }
    }
    p.waitFor(5, TimeUnit.SECONDS);
    throw new AssertionError("serve printed no start line: " + seen);
  }

  private static void drain(BufferedReader r) {
    try {
      while (r.readLine() != null) {
        // keep the pipe from filling
      }
    } catch (java.io.IOException ignored) {
      // the process ended
    }
  }
}
