package org.bookcreator.app;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.bookcreator.core.run.RunState;
import org.bookcreator.telemetry.LogSetup;
import org.bookcreator.telemetry.MetricsServer;
import org.bookcreator.telemetry.Telemetry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "serve",
    description = {
      "Run the long-lived all-in-one process: the orchestrator and the agent workers, resuming",
      "every unfinished run in the data directory, with /metrics on --port (default 8080) and the",
      "worker pool's /metrics with heartbeats on --worker-port (default 9500). JSON logs on stdout.",
      "Stop it with Ctrl-C; runs in flight resume next time. (The HTTP API joins in a later version.)"
    },
    mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {
  @Mixin Options options = new Options();
  @Mixin Options.PipelineFlags pipelineFlags = new Options.PipelineFlags();

  @Option(names = "--port", paramLabel = "N", description = "Port of the JSON API, /healthz, /readyz and /metrics; 0 picks a free one (default: http.port, 8080).")
  Integer port;

  @Option(names = "--worker-port", paramLabel = "N", description = "Port for the worker pool's /metrics; 0 picks a free one, -1 turns it off (default: worker.metrics_port, 9500).")
  Integer workerPort;

  @Override
  public Integer call() throws InterruptedException {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.putAll(pipelineFlags.flags());
    if (port != null) flags.put(Setting.HTTP_PORT, port.toString());
    if (workerPort != null) flags.put(Setting.WORKER_PORT, workerPort.toString());
    Settings settings = options.load(flags);
    Observability.Observed telemetry = Observability.start(settings, Observability.Mode.SERVER);
    Engine engine = Engine.open(settings, telemetry);
    String host = settings.get(Setting.HTTP_HOST);
    org.bookcreator.server.ApiServer metrics;
    MetricsServer workerMetrics = null;
    try {
      var api = new org.bookcreator.server.BookApi(new org.bookcreator.server.BookApi.Services(engine.store, engine.pipeline,
          new org.bookcreator.core.project.BriefParser(settings.categories()), settings.categories(), engine.ids, engine.clock,
          settings.dataDir(), settings.simulation().seed()));
      var config = new org.bookcreator.server.ApiConfig(host, settings.integerValue(Setting.HTTP_PORT),
          java.util.Optional.of(settings.get(Setting.HTTP_TOKEN)), org.bookcreator.server.ApiConfig.DEFAULT_MAX_JSON_BYTES,
          settings.bytes(Setting.HTTP_MAX_UPLOAD));
      metrics = org.bookcreator.server.ApiServer.start(config, api, telemetry.telemetry().metrics(), engine.ids,
          MetricsServer.handler(telemetry.telemetry()));
      int wp = settings.integerValue(Setting.WORKER_PORT);
      if (wp >= 0) workerMetrics = MetricsServer.start(telemetry.telemetry(), host, wp);
    } catch (RuntimeException e) {
      engine.close();
      throw new Main.UsageException(e.getMessage());
    }
    MetricsServer workerServer = workerMetrics;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("book-creator: stopping; unfinished runs resume on the next start");
      metrics.close();
      if (workerServer != null) workerServer.close();
      engine.close();
      LogSetup.stop();
      stopped.countDown();
    }, "shutdown"));
    engine.pipeline.start(true);
    int active = engine.store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING)).size();
    System.err.printf("book-creator serve: orchestrator and %s workers on %s (%d unfinished run(s) resumed)%n",
        settings.get(Setting.WORKERS), settings.dataDir().toAbsolutePath(), active);
    System.err.printf("API: http://%s:%d/api (docs/api.md), metrics: http://%s:%d/metrics%s; Ctrl-C to stop%n", host, metrics.port(), host, metrics.port(),
        workerServer == null ? "" : ", worker metrics: http://" + host + ":" + workerServer.port() + "/metrics");
    stopped.await();
    return ExitCodes.OK;
  }
}
