package org.bookcreator.server;

import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertChange;
import org.bookcreator.core.alert.AlertState;
import org.bookcreator.core.alert.NotifierTests;
import org.bookcreator.core.alert.ReceivedAlerts;
import org.bookcreator.core.alert.Severity;
import org.bookcreator.core.alert.Silences;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.ops.RunService;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.pipeline.Pipeline;
import org.bookcreator.core.pipeline.PipelineConfig;
import org.bookcreator.core.project.BriefParser;
import org.bookcreator.core.project.Categories;
import org.bookcreator.core.support.Ids;
import org.bookcreator.core.support.Json;
import org.bookcreator.core.view.CostReports;
import org.bookcreator.core.view.LibraryQueries;
import org.bookcreator.core.view.OperationsQueries;
import org.bookcreator.docparse.MultiFormatDocumentParser;
import org.bookcreator.providers.simulated.SimulatedLlmClient;
import org.bookcreator.providers.simulated.SimulationConfig;
import org.bookcreator.store.sqlite.SqliteStore;
import org.bookcreator.telemetry.Redactor;
import org.bookcreator.telemetry.TelemetryConfig;
import org.bookcreator.telemetry.sdk.MetricsServer;
import org.bookcreator.telemetry.sdk.TelemetrySdk;

/**
 * The API as serve wires it, for tests: a real SQLite store in {@code dir}, real telemetry (spans
 * kept in the store), the pipeline with the simulated provider, and the server on a free port.
 */
final class TestServer implements AutoCloseable {
  final SqliteStore store;
  final TelemetrySdk telemetry;
  final Pipeline pipeline;
  final BookApi api;
  final ApiServer server;
  final String base;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  TestServer(Path dir, Optional<String> token, long maxBody) {
    this(dir, token, maxBody, EventStreams.Timing.DEFAULT);
  }

  TestServer(Path dir, Optional<String> token, long maxBody, EventStreams.Timing events) {
    this(dir, token, maxBody, events, Redactor.none());
  }

  /** With {@code redactor} masking what the pipeline and the API record, as configured keys do. */
  TestServer(
      Path dir,
      Optional<String> token,
      long maxBody,
      EventStreams.Timing events,
      Redactor redactor) {
    store = SqliteStore.open(dir.resolve("data"), true);
    telemetry =
        TelemetrySdk.create(
            new TelemetryConfig("book-creator", true, true, 1.0, false, Set.of("sim-standard")),
            redactor,
            spans -> store.recordSpans(spans, 100_000),
            8192,
            List.of());
    Ids ids = Ids.system();
    pipeline =
        new Pipeline(
            store,
            new SimulatedLlmClient(SimulationConfig.instant(3)),
            PriceTable.defaults(),
            PipelineConfig.defaults(dir.resolve("data")).withWorkers(2),
            telemetry,
            InstantSource.system(),
            ids,
            new Random(1),
            MultiFormatDocumentParser.defaults());
    pipeline.start(true);
    api =
        new BookApi(
            new BookApi.Services(
                store,
                new RunService(
                    store, ids, InstantSource.system(), 3, telemetry.redactor(), pipeline::wake),
                new LibraryQueries(store),
                new OperationsQueries(store, StallDetector.Thresholds.of(Duration.ofMinutes(10))),
                new CostReports(store),
                new BriefParser(Categories.defaults()),
                Categories.defaults(),
                InstantSource.system(),
                dir.resolve("data"),
                telemetry.redactor(),
                new Silences(store, ids, InstantSource.system()),
                new ReceivedAlerts(
                    store, List.of("hook"), () -> ids.next("ntf"), InstantSource.system()),
                new NotifierTests(List.of(), () -> ids.next("ntf"), InstantSource.system())));
    server =
        ApiServer.start(
            new ApiConfig("127.0.0.1", 0, token, maxBody, maxBody),
            api,
            telemetry.metrics(),
            ids,
            MetricsServer.handler(telemetry),
            events);
    base = "http://127.0.0.1:" + server.port();
  }

  HttpResponse<String> send(String method, String path, String contentType, byte[] body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Creates a project of two chapters over the API and answers its id. */
  String aProject() throws Exception {
    return aProject("Lights");
  }

  /** Creates a fiction project of two chapters titled {@code title} and answers its id. */
  String aProject(String title) throws Exception {
    String body =
        Json.object()
            .put("title", title)
            .put("category", "fiction")
            .put("brief", "About lighthouses.")
            .put("chapters", 2)
            .toString();
    HttpResponse<String> r =
        send("POST", "/api/projects", "application/json", body.getBytes(StandardCharsets.UTF_8));
    if (r.statusCode() != 201)
      throw new AssertionError("creating a project answered " + r.statusCode() + ": " + r.body());
    return Json.parse(r.body()).get("id").asString();
  }

  /** Starts a run of the project over the API and answers its id. */
  String startRun(String projectId) throws Exception {
    HttpResponse<String> r = send("POST", "/api/projects/" + projectId + "/runs", null, null);
    if (r.statusCode() != 202)
      throw new AssertionError("starting a run answered " + r.statusCode() + ": " + r.body());
    return Json.parse(r.body()).get("id").asString();
  }

  /** Waits up to 60 s for the run to be in {@code state} (as the API says); answers its id. */
  String awaitState(String runId, String state) throws Exception {
    Instant until = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(until)) {
      HttpResponse<String> r = send("GET", "/api/runs/" + runId, null, null);
      if (Json.parse(r.body()).get("state").asString().equals(state)) return runId;
      Thread.sleep(100);
    }
    throw new AssertionError("run " + runId + " did not become " + state + " in 60 s");
  }

  /** Saves a RunFailed alert for {@code runId}, firing since now, as the alert rules would. */
  void aFiringAlert(String runId) {
    Instant now = Instant.now();
    Map<String, String> labels = Map.of("run_id", runId);
    store.saveAlerts(
        List.of(
            new AlertChange(
                new Alert(
                    Alert.fingerprint("RunFailed", labels),
                    "RunFailed",
                    labels,
                    Severity.WARNING,
                    AlertState.FIRING,
                    "Run " + runId + " failed",
                    "It failed.",
                    "run-failed",
                    now,
                    Optional.of(now),
                    Optional.empty(),
                    Optional.empty()),
                Optional.empty(),
                AlertState.FIRING,
                now)));
  }

  /**
   * Sends raw bytes over a socket, closes its side, and answers what came back (at most 4 KiB;
   * empty when the server just closed).
   */
  String raw(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      s.shutdownOutput();
      try {
        return new String(s.getInputStream().readNBytes(4096), StandardCharsets.ISO_8859_1);
      } catch (SocketException | SocketTimeoutException e) {
        return "";
      }
    }
  }

  /** The value of a finished future, for streams over answers already awaited. */
  static <T> T join(java.util.concurrent.Future<T> f) {
    try {
      return f.get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    server.close();
    pipeline.close();
    telemetry.close();
    store.close();
  }
}
