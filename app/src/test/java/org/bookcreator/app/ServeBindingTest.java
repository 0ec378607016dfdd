package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where serve listens: the worker metrics stay on loopback unless configured otherwise, {@code
 * --port 0} and {@code --worker-port 0} let a second serve start on the same machine (and the start
 * line says where it landed), and a taken port is refused with the flag that fixes it.
 */
class ServeBindingTest {
  private static final Pattern START_LINE =
      Pattern.compile("API on (http://127\\.0\\.0\\.1:(\\d+)/) ");

  @TempDir Path dir;
  private ServeCommand.Serving serving;
  private final List<Process> children = new ArrayList<>();
  private final TestHttp http = new TestHttp();

  @AfterEach
  void stop() throws InterruptedException {
    if (serving != null) serving.close();
    for (Process p : children) {
      p.destroy();
      p.waitFor(20, TimeUnit.SECONDS);
    }
  }

  private ServeCommand.Serving serve(ServeCommand.Role role, Map<Setting<?>, String> more) {
    Map<Setting<?>, String> flags = TestHttp.serveFlags(dir.resolve("data"));
    flags.put(Setting.WORKER_PORT, "0");
    flags.putAll(more);
    Settings s = Settings.load(null, Map.of(), flags);
    return ServeCommand.Serving.start(s, Observability.start(s, Observability.Mode.SERVER), role);
  }

  @Test
  void workerMetrics_stayOnLoopback_whenHttpHostListensOnEveryInterface() {
    serving =
        serve(
            ServeCommand.Role.WORKER,
            Map.of(Setting.HTTP_HOST, "0.0.0.0", Setting.HTTP_TOKEN, "a-token-of-twenty-chars"));

    InetSocketAddress worker = serving.workerMetrics.address();

    assertThat(worker.getAddress().isLoopbackAddress()).as(worker.toString()).isTrue();
    nonLoopbackAddress()
        .ifPresent(
            a ->
                assertThat(connects(a, worker.getPort()))
                    .as("the worker metrics on " + a)
                    .isFalse());
  }

  @Test
  void theAllInOneProcess_servesEveryMetricOnItsApiPort_andOpensNoWorkerPort() throws Exception {
    serving = serve(ServeCommand.Role.ALL, Map.of());

    assertThat(serving.workerMetrics).isNull();
    assertThat(http.getOk("http://127.0.0.1:" + serving.api.port() + "/metrics"))
        .contains("book_creator_worker_heartbeat");
  }

  @Test
  void workerMetricsHost_movesTheWorkerPort_toTheAddressConfigured() {
    serving = serve(ServeCommand.Role.WORKER, Map.of(Setting.WORKER_HOST, "0.0.0.0"));

    assertThat(serving.workerMetrics.address().getAddress().isAnyLocalAddress()).isTrue();
  }

  @Test
  @Timeout(120)
  void twoServes_onPortZero_bothComeUp_andPrintTheirRealAddresses() throws Exception {
    List<Matcher> started = new ArrayList<>();
    for (String name : List.of("first", "second")) {
      Process p =
          ChildCli.builder("serve", "--data-dir", dir.resolve(name).toString(), "--port", "0")
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      children.add(p);
      started.add(startLine(p));
    }

    for (Matcher m : started) {
      assertThat(http.getOk(m.group(1) + "healthz")).contains("ok");
      assertThat(http.getOk(m.group(1) + "metrics")).contains("book_creator_worker_heartbeat");
    }
    assertThat(started).extracting(m -> m.group(2)).doesNotHaveDuplicates().doesNotContain("8080");
  }

  @ParameterizedTest(name = "{0} taken")
  @CsvSource({
    "--port, all, http.port, cannot listen on 127.0.0.1:",
    "--worker-port, worker, worker.metrics_port, cannot serve /metrics on 127.0.0.1:"
  })
  void aTakenPort_isBadInput_namingTheFlagThatPicksAFreeOne(
      String flag, String role, String key, String what) throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();

      Cli serve =
          Cli.run(
              "serve",
              "--data-dir",
              dir.resolve("data").toString(),
              "--role",
              role,
              flag,
              Integer.toString(port));

      assertThat(serve.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(serve.err())
          .contains(what + port + ": Address already in use")
          .contains("the port is taken")
          .contains(flag + " 0 to pick a free port, " + flag + " N for another")
          .contains("(" + key + " in the config)")
          .doesNotContain("--metrics-port")
          .doesNotContain("Exception");
    }
  }

  /** Reads the child's stderr up to serve's start line. */
  private static Matcher startLine(Process p) throws IOException {
    BufferedReader err =
        new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    String line;
    while ((line = err.readLine()) != null) {
      seen.add(line);
      Matcher m = START_LINE.matcher(line);
      if (m.find()) return m;
    }
    throw new AssertionError("serve printed no start line: " + seen);
  }

  /** An IPv4 address of this machine other than loopback, if it has one. */
  private static Optional<InetAddress> nonLoopbackAddress() {
    try {
      return NetworkInterface.networkInterfaces()
          .filter(i -> isUp(i))
          .flatMap(NetworkInterface::inetAddresses)
          .filter(a -> a.getAddress().length == 4 && !a.isLoopbackAddress())
          .findFirst();
    } catch (SocketException e) {
      return Optional.empty();
    }
  }

  private static boolean isUp(NetworkInterface i) {
    try {
      return i.isUp();
    } catch (SocketException e) {
      return false;
    }
  }

  private static boolean connects(InetAddress address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
