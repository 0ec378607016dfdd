package org.bookcreator.app;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.bookcreator.core.project.BriefParser;
import org.bookcreator.core.run.RunState;
import org.bookcreator.server.ApiConfig;
import org.bookcreator.server.ApiServer;
import org.bookcreator.server.BookApi;
import org.bookcreator.telemetry.LogSetup;
import org.bookcreator.telemetry.MetricsServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "serve",
    description = {
      "Run the long-lived all-in-one process: the JSON API (docs/api.md), the orchestrator and the",
      "agent workers, resuming every unfinished run in the data directory. The API, /healthz,",
      "/readyz and /metrics listen on --port (default 8080); the worker pool's /metrics with",
      "heartbeats on --worker-port (default 9500). JSON logs on stdout. Stop it with Ctrl-C; runs",
      "in flight resume next time."
    },
    mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {
  @Mixin Options options = new Options();
  @Mixin Options.PipelineFlags pipelineFlags = new Options.PipelineFlags();

  @Option(names = "--port", paramLabel = "N", description = "Port of the JSON API, /healthz, /readyz and /metrics; 0 picks a free one (default: http.port, 8080).")
  Integer port;

  @Option(names = "--worker-port", paramLabel = "N", description = "Port for the worker pool's /metrics; 0 picks a free one, -1 turns it off (default: worker.metrics_port, 9500).")
  Integer workerPort;

  /** A running serve process: engine, API server and worker metrics. Close it to stop. */
  static final class Serving implements AutoCloseable {
    final Engine engine;
    final ApiServer api;
    final MetricsServer workerMetrics;

    private Serving(Engine engine, ApiServer api, MetricsServer workerMetrics) {
      this.engine = engine;
      this.api = api;
      this.workerMetrics = workerMetrics;
    }

    /** Opens the store, starts the API and the worker metrics, then the pipeline. */
    static Serving start(Settings settings, Observability.Observed telemetry) {
      Engine engine = Engine.open(settings, telemetry);
      String host = settings.get(Setting.HTTP_HOST);
      ApiServer api = null;
      MetricsServer workerMetrics = null;
      try {
        BookApi routes = new BookApi(new BookApi.Services(engine.store, engine.pipeline, new BriefParser(settings.categories()),
            settings.categories(), engine.ids, engine.clock, settings.dataDir(), settings.simulation().seed()));
        ApiConfig config = new ApiConfig(host, settings.integerValue(Setting.HTTP_PORT), Optional.of(settings.get(Setting.HTTP_TOKEN)),
            ApiConfig.DEFAULT_MAX_JSON_BYTES, settings.bytes(Setting.HTTP_MAX_UPLOAD));
        api = ApiServer.start(config, routes, telemetry.telemetry().metrics(), engine.ids, MetricsServer.handler(telemetry.telemetry()));
        int wp = settings.integerValue(Setting.WORKER_PORT);
        if (wp >= 0) workerMetrics = MetricsServer.start(telemetry.telemetry(), host, wp);
      } catch (RuntimeException e) {
        if (api != null) api.close();
        engine.close();
        throw new Main.UsageException(e.getMessage());
      }
      engine.pipeline.start(true);
      return new Serving(engine, api, workerMetrics);
    }

    @Override
    public void close() {
      api.close();
      if (workerMetrics != null) workerMetrics.close();
      engine.close();
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.putAll(pipelineFlags.flags());
    if (port != null) flags.put(Setting.HTTP_PORT, port.toString());
    if (workerPort != null) flags.put(Setting.WORKER_PORT, workerPort.toString());
    Settings settings = options.load(flags);
    Observability.Observed telemetry = Observability.start(settings, Observability.Mode.SERVER);
    Serving serving = Serving.start(settings, telemetry);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("book-creator: stopping; unfinished runs resume on the next start");
      serving.close();
      LogSetup.stop();
      stopped.countDown();
    }, "shutdown"));
    String host = settings.get(Setting.HTTP_HOST);
    int active = serving.engine.store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING)).size();
    System.err.printf("book-creator serve: orchestrator and %s workers on %s (%d unfinished run(s) resumed)%n",
        settings.get(Setting.WORKERS), settings.dataDir().toAbsolutePath(), active);
    System.err.printf("API: http://%s:%d/api (docs/api.md), metrics: http://%s:%d/metrics%s; Ctrl-C to stop%n", host,
        serving.api.port(), host, serving.api.port(),
        serving.workerMetrics == null ? "" : ", worker metrics: http://" + host + ":" + serving.workerMetrics.port() + "/metrics");
    stopped.await();
    return ExitCodes.OK;
  }
}
