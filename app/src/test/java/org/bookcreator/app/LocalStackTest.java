package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bookcreator.app.PrometheusServeTest.allUp;
import static org.bookcreator.app.PrometheusServeTest.await;
import static org.bookcreator.app.PrometheusServeTest.freePort;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * deploy/local/stack.sh, the native twin of the compose stack: the real Prometheus and Alertmanager
 * of Debian's packages, started by the script against a serve in this JVM, on free 127.0.0.1 ports
 * and a temporary state directory. Every target is up, a fault (a provider failing every call)
 * fires Prometheus' ProviderDown rule, which reaches serve's receiver through Alertmanager, and
 * {@code down} stops exactly the two processes {@code up} started. Without the binaries the test is
 * skipped locally and fails under {@code CI=true} ({@link ExternalTool}).
 */
class LocalStackTest {
  private static final Path SCRIPT = DeployConfigTest.DEPLOY.resolve("local/stack.sh");
  private final ExternalTool stack = new ExternalTool(SCRIPT);
  private final TestHttp http = new TestHttp();

  @TempDir Path tmp;

  @Test
  void up_againstServe_everyTargetUp_aFaultsAlertReachesServe_andDownStopsBothProcesses()
      throws Exception {
    ExternalTool.require("prometheus", "prometheus");
    ExternalTool.require("prometheus-alertmanager", "prometheus-alertmanager");
    Path state = tmp.resolve("state");
    int prometheusPort = freePort();
    int alertmanagerPort = freePort();
    String prometheus = "http://127.0.0.1:" + prometheusPort;
    String alertmanager = "http://127.0.0.1:" + alertmanagerPort;
    Map<Setting<?>, String> flags = TestHttp.serveFlags(tmp.resolve("data"));
    // The fault: the simulated provider fails every call, fast.
    flags.put(Setting.SIM_SERVER_ERROR_RATE, "1");
    flags.put(Setting.MAX_ATTEMPTS, "6");
    flags.put(Setting.BACKOFF_BASE, "10ms");
    flags.put(Setting.BACKOFF_MAX, "50ms");
    Settings settings = Settings.load(null, Map.of(), flags);
    List<Long> pids = new ArrayList<>();

    try (ServeCommand.Serving serving =
        ServeCommand.Serving.start(
            settings, Observability.start(settings, Observability.Mode.FOREGROUND))) {
      String serve = "http://127.0.0.1:" + serving.api.port();
      try {
        ExternalTool.Result up =
            stack.run(
                tmp,
                Map.of(),
                List.of(
                    "up",
                    serve,
                    "--state-dir",
                    state.toString(),
                    "--prometheus-port",
                    String.valueOf(prometheusPort),
                    "--alertmanager-port",
                    String.valueOf(alertmanagerPort)));
        pids.addAll(pids(state));

        assertThat(up.exitCode()).as(up.output()).isZero();
        assertThat(pids).as(up.output()).hasSize(2);
        JsonNode targets =
            await(
                "every target of the native stack up",
                () ->
                    Json.parse(http.get(prometheus + "/api/v1/targets"))
                        .path("data")
                        .path("activeTargets"),
                t -> t.size() == 3 && allUp(t));
        assertThat(scrapeUrls(targets))
            .containsExactlyInAnyOrder(
                serve + "/metrics", prometheus + "/metrics", alertmanager + "/metrics");
        assertThat(http.get(alertmanager + "/-/ready")).isNotBlank();
        assertThat(Json.parse(http.get(prometheus + "/api/v1/alertmanagers")).toString())
            .contains(alertmanager + "/api/v2/alerts");

        // A run against the failing provider, once Prometheus has scraped the errors counter at
        // zero: Prometheus' ProviderDown rule fires, Alertmanager posts it to serve's receiver.
        await(
            "the provider errors counter scraped",
            () -> http.get(prometheus + "/api/v1/query?query=book_creator_provider_errors_total"),
            r -> r.contains("\"simulated\""));
        String project =
            Json.parse(
                    http.post(
                        serve + "/api/projects",
                        "{\"title\":\"Into the Outage\",\"category\":\"technical\","
                            + "\"brief\":\"A provider that is down.\",\"chapters\":1}"))
                .get("id")
                .asString();
        http.post(serve + "/api/projects/" + project + "/runs", "{}");
        // Scrape and evaluation every 15 s, Alertmanager's group_wait 10 s.
        String history =
            await(
                "ProviderDown in serve's alert history, from Prometheus through Alertmanager",
                Duration.ofSeconds(150),
                () -> http.get(serve + "/api/alerts/history"),
                h -> h.contains("ProviderDown"));
        assertThat(history).contains("simulated");
      } finally {
        ExternalTool.Result down = stack.run(tmp, "down", "--state-dir", state.toString());
        List<Long> survivors = new ArrayList<>();
        for (long pid : pids) {
          if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) survivors.add(pid);
        }
        // Whatever the outcome, nothing started here outlives the test.
        for (long pid : survivors) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);

        assertThat(down.exitCode()).as(down.output()).isZero();
        assertThat(down.output()).contains("prometheus: stopped", "alertmanager: stopped");
        assertThat(survivors).as("processes still alive after down").isEmpty();
        assertThat(listening(prometheusPort)).isFalse();
        assertThat(listening(alertmanagerPort)).isFalse();
        assertThat(pids(state)).as("pid files left").isEmpty();
      }
    }
  }

  @Test
  void up_withoutTheBinaries_namesEachOneItDidNotFind_andStartsNothing() throws Exception {
    Path state = tmp.resolve("state");

    ExternalTool.Result up =
        stack.run(
            tmp,
            Map.of(
                "PROMETHEUS_BIN", tmp.resolve("no/prometheus").toString(),
                "ALERTMANAGER_BIN", tmp.resolve("no/alertmanager").toString()),
            List.of("up", "--state-dir", state.toString()));

    assertThat(up.exitCode()).as(up.output()).isEqualTo(2);
    assertThat(up.output())
        .contains("did not find these binaries, so nothing was started")
        .contains("prometheus (" + tmp.resolve("no/prometheus") + "; Debian package prometheus)")
        .contains("Debian package prometheus-alertmanager");
    assertThat(pids(state)).isEmpty();
  }

  @Test
  void down_leavesAloneAProcessWhosePidFileItDidNotWrite() throws Exception {
    Path state = Files.createDirectories(tmp.resolve("state"));
    Process stranger = new ProcessBuilder("sleep", "60").start();
    try {
      Files.writeString(state.resolve("prometheus.pid"), stranger.pid() + "\n");

      ExternalTool.Result down = stack.run(tmp, "down", "--state-dir", state.toString());
      ExternalTool.Result status = stack.run(tmp, "status", "--state-dir", state.toString());

      assertThat(down.exitCode()).as(down.output()).isZero();
      assertThat(down.output()).contains("stale pid file for pid " + stranger.pid() + " removed");
      assertThat(stranger.isAlive()).isTrue();
      assertThat(state.resolve("prometheus.pid")).doesNotExist();
      assertThat(status.exitCode()).isEqualTo(3);
      assertThat(status.output()).contains("prometheus: not running", "alertmanager: not running");
    } finally {
      stranger.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static List<Long> pids(Path state) throws IOException {
    List<Long> out = new ArrayList<>();
    for (String name : List.of("prometheus", "alertmanager")) {
      Path file = state.resolve(name + ".pid");
      if (Files.exists(file)) out.add(Long.parseLong(Files.readString(file).strip()));
    }
    return out;
  }

  private static List<String> scrapeUrls(JsonNode targets) {
    List<String> out = new ArrayList<>();
    for (JsonNode t : targets) out.add(t.path("scrapeUrl").asString());
    return out;
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
