package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Alertmanager (Debian's {@code prometheus-alertmanager}) on a free port of 127.0.0.1, with
 * the documented configuration (examples/alertmanager/alertmanager.yml) pointed at a Book Creator
 * API, quicker groups, and a second receiver of the test's beside Book Creator. Tests that need it
 * skip when the binary is absent, unless {@code CI=true}: then they fail (.ci/run installs it).
 */
final class RealAlertmanager implements AutoCloseable {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private final Process process;
  private final int port;

  private RealAlertmanager(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Skips (or, under CI, fails) the test when Alertmanager is not installed. */
  static void require() {
    if (binary().isPresent()) return;
    if ("true".equals(System.getenv("CI")))
      fail("prometheus-alertmanager is not installed, and CI=true: .ci/run installs it");
    Assumptions.abort(
        "prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager);"
            + " skipping the test against a real Alertmanager");
  }

  private static Optional<Path> binary() {
    return Stream.of(System.getenv("PATH").split(File.pathSeparator))
        .flatMap(d -> Stream.of("prometheus-alertmanager", "alertmanager").map(Path.of(d)::resolve))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** A free port for it, known before Book Creator is configured to post there. */
  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts it on {@code port}, routing to the Book Creator API at {@code api} and to {@code
   * receiverUrl}; waits until it is ready.
   */
  static RealAlertmanager start(Path dir, int port, String api, String receiverUrl)
      throws Exception {
    Path example = Path.of("..", "examples", "alertmanager", "alertmanager.yml");
    if (!Files.exists(example)) example = Path.of("examples", "alertmanager", "alertmanager.yml");
    String documented = Files.readString(example);
    String config =
        replace(
            replace(
                replace(
                    replace(documented, "http://127.0.0.1:8080", api),
                    "group_wait: 10s",
                    "group_wait: 1s"),
                "group_interval: 5m",
                "group_interval: 1s"),
            "        send_resolved: true\n",
            "        send_resolved: true\n      - url: "
                + receiverUrl
                + "\n        send_resolved: true\n");
    Path file = Files.writeString(dir.resolve("alertmanager.yml"), config);
    Process p =
        new ProcessBuilder(
                binary().orElseThrow().toString(),
                "--config.file=" + file,
                "--storage.path=" + Files.createDirectories(dir.resolve("am-data")),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=",
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("alertmanager.log").toFile())
            .start();
    RealAlertmanager am = new RealAlertmanager(p, port);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        if (am.get("/-/ready").statusCode() == 200) return am;
      } catch (java.io.IOException notYet) {
        // starting
      }
      if (!p.isAlive() || System.nanoTime() > deadline) {
        am.close();
        throw new AssertionError(
            "Alertmanager did not start: " + Files.readString(dir.resolve("alertmanager.log")));
      }
      Thread.sleep(100);
    }
  }

  private static String replace(String text, String what, String with) {
    assertThat(text).as("the documented configuration has " + what).contains(what);
    return text.replace(what, with);
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  HttpResponse<String> get(String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }
}
