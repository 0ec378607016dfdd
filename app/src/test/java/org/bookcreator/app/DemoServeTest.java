package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code demo --serve} in a process of its own: it writes the books, then serves the dashboard and
 * the API over the demo's data at the address it prints, until it is stopped (SIGTERM, as Ctrl-C).
 * Without {@code --serve}, the demo ends by printing the command that would.
 */
class DemoServeTest {
  private static final Pattern DASHBOARD =
      Pattern.compile("dashboard on (http://127\\.0\\.0\\.1:\\d+/)");

  @TempDir Path dir;
  private Process child;

  @AfterEach
  void stop() throws InterruptedException {
    if (child != null && child.isAlive()) child.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(180)
  void demoServe_servesTheDashboardOverTheDemosBooks_untilStopped() throws Exception {
    Path output = dir.resolve("output.txt");
    Path data = dir.resolve("data");

    child =
        ChildCli.start(
            output,
            "demo",
            "--books",
            "2",
            "--latency",
            "0ms",
            "--faults",
            "off",
            "--data-dir",
            data.toString(),
            "--serve",
            "--port",
            "0");
    String base = awaitAddress(output);
    TestHttp http = new TestHttp();
    String page = http.getOk(base);
    JsonNode runs = Json.parse(http.getOk(base + "api/runs")).get("items");
    child.destroy();
    boolean ended = child.waitFor(60, TimeUnit.SECONDS);

    assertThat(Files.readString(output))
        .contains("2 of 2 books completed")
        .contains("Dashboard over this data: see the address below; Ctrl-C to stop.");
    assertThat(page).contains("<nav").contains("/assets/");
    assertThat(runs).hasSize(2);
    assertThat(runs).allSatisfy(r -> assertThat(r.get("state").asString()).isEqualTo("completed"));
    assertThat(ended).as("demo --serve stops when asked").isTrue();
    assertThat(Files.readString(output)).contains("stopping");
  }

  @Test
  @Timeout(180)
  void demoWithoutServe_endsWithTheCommandThatServesItsData() throws Exception {
    Path data = dir.resolve("data");

    ChildCli.Result demo =
        ChildCli.run(
            dir.resolve("output.txt"),
            Duration.ofSeconds(150),
            "demo",
            "--books",
            "1",
            "--latency",
            "0ms",
            "--faults",
            "off",
            "--data-dir",
            data.toString());

    assertThat(demo.exitCode()).isZero();
    assertThat(demo.output())
        .contains(
            "Dashboard over this data: bin/book-creator serve --data-dir "
                + data
                + ", then open http://127.0.0.1:8080/ (or run the demo with --serve)");
  }

  private String awaitAddress(Path output) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = DASHBOARD.matcher(Files.readString(output));
      if (m.find()) return m.group(1);
      if (!child.isAlive())
        throw new AssertionError("demo --serve ended early: " + Files.readString(output));
      Thread.sleep(200);
    }
    throw new AssertionError("demo --serve printed no address: " + Files.readString(output));
  }
}
