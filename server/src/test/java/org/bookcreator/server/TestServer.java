package org.bookcreator.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.ops.RunService;
import org.bookcreator.core.pipeline.Pipeline;
import org.bookcreator.core.pipeline.PipelineConfig;
import org.bookcreator.core.project.BriefParser;
import org.bookcreator.core.project.Categories;
import org.bookcreator.core.support.Ids;
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
  final ApiServer server;
  final String base;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  TestServer(Path dir, Optional<String> token, long maxBody) {
    store = SqliteStore.open(dir.resolve("data"), true);
    telemetry =
        TelemetrySdk.create(
            new TelemetryConfig("book-creator", true, true, 1.0, false, Set.of("sim-standard")),
            Redactor.none(),
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
    BookApi api =
        new BookApi(
            new BookApi.Services(
                store,
                new RunService(store, ids, InstantSource.system(), 3, pipeline::wake),
                new BriefParser(Categories.defaults()),
                Categories.defaults(),
                InstantSource.system(),
                dir.resolve("data"),
                org.bookcreator.core.ops.StallDetector.Thresholds.of(
                    java.time.Duration.ofMinutes(10))));
    server =
        ApiServer.start(
            new ApiConfig("127.0.0.1", 0, token, maxBody, maxBody),
            api,
            telemetry.metrics(),
            ids,
            MetricsServer.handler(telemetry));
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
