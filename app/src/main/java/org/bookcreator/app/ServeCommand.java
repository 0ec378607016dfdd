package org.bookcreator.app;

import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.bookcreator.core.ops.RunService;
import org.bookcreator.core.project.BriefParser;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Ids;
import org.bookcreator.server.ApiConfig;
import org.bookcreator.server.ApiServer;
import org.bookcreator.server.BookApi;
import org.bookcreator.telemetry.sdk.LogSetup;
import org.bookcreator.telemetry.sdk.MetricsServer;
import org.bookcreator.telemetry.sdk.TelemetrySdk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "serve",
    header = "Run the long-lived process: JSON API, orchestrator and workers.",
    description = {
      "Run the long-lived all-in-one process: the JSON API (docs/api.md), the orchestrator and the",
      "agent workers, resuming every unfinished run in the data directory. The API, /healthz,",
      "/readyz and /metrics (every metric of the process, worker heartbeats included) listen on",
      "--port (default 8080); a --role worker process, which has no API, serves its /metrics on",
      "--worker-port (default 9500). JSON logs on stdout. Stop it with Ctrl-C; runs in flight",
      "resume next time."
    },
    mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {
  @Mixin Options options = new Options();
  @Mixin Options.PipelineFlags pipelineFlags = new Options.PipelineFlags();

  @Option(
      names = "--port",
      paramLabel = "N",
      description =
          "Port of the JSON API, /healthz, /readyz and /metrics; 0 picks a free one (default:"
              + " http.port, 8080).")
  Integer port;

  @Option(
      names = "--role",
      paramLabel = "ROLE",
      defaultValue = "all",
      converter = RoleConverter.class,
      description =
          "all: API, orchestrator and workers (default); api: only the HTTP API, sharing the data"
              + " directory with a worker process; worker: only the orchestrator and workers,"
              + " metrics on --worker-port.")
  Role role;

  static final class RoleConverter implements picocli.CommandLine.ITypeConverter<Role> {
    @Override
    public Role convert(String value) {
      try {
        return Role.valueOf(value.strip().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "expected all, api or worker, got '" + value + "'");
      }
    }
  }

  @Option(
      names = "--worker-port",
      paramLabel = "N",
      description =
          "Port of /metrics with heartbeats of a --role worker process (the all-in-one and the"
              + " API role serve theirs on --port); 0 picks a free one, -1 turns it off (default:"
              + " worker.metrics_port, 9500).")
  Integer workerPort;

  /** Which parts of the product this process runs. */
  enum Role {
    /** API, orchestrator and workers in one process, holding the data directory's lock. */
    ALL,
    /**
     * Only the HTTP API (and its /metrics); runs it starts are picked up by a worker process's
     * orchestrator.
     */
    API,
    /**
     * Only the orchestrator and the workers, with /metrics and heartbeats on the worker port; no
     * API.
     */
    WORKER;

    /**
     * Whether this role serves its metrics on the worker port. One process, one metrics endpoint: a
     * process with the API serves every metric of its registry (heartbeats included) on the API's
     * /metrics, so only the worker role, which has no API, opens the worker port. Two endpoints
     * over one registry would put every series in Prometheus twice and double every sum.
     */
    boolean servesWorkerPort() {
      return this == WORKER;
    }
  }

  /**
   * A running serve process: its engine (with a pipeline except for the API role), API server and
   * worker metrics. Close it to stop.
   */
  static final class Serving implements AutoCloseable {
    final Role role;
    final Engine engine;
    final Store store;
    final ApiServer api;
    final MetricsServer workerMetrics;

    private Serving(Role role, Engine engine, ApiServer api, MetricsServer workerMetrics) {
      this.role = role;
      this.engine = engine;
      this.store = engine.store;
      this.api = api;
      this.workerMetrics = workerMetrics;
    }

    /** Starts the role with serve's telemetry (JSON logs on stdout). */
    static Serving start(Settings settings, Role role) {
      return start(settings, Engine.open(settings, Observability.Mode.SERVER, use(role)), role);
    }

    /** Starts the role with telemetry the caller started (tests pick the console they want). */
    static Serving start(Settings settings, Observability.Observed telemetry, Role role) {
      return start(settings, Engine.open(settings, telemetry, use(role)), role);
    }

    static Serving start(Settings settings, Observability.Observed telemetry) {
      return start(settings, telemetry, Role.ALL);
    }

    /**
     * The API role shares the data directory with the worker process that holds its lock; that
     * process's orchestrator finds the runs the API starts on its next sweep.
     */
    private static Engine.Use use(Role role) {
      return role == Role.API ? Engine.Use.SHARED : Engine.Use.PIPELINE;
    }

    /** Starts the API and the worker metrics as the role asks, then the pipeline. */
    private static Serving start(Settings settings, Engine engine, Role role) {
      String host = settings.get(Setting.HTTP_HOST);
      Store store = engine.store;
      RunService runs = engine.runs;
      Ids ids = engine.ids;
      InstantSource clock = engine.clock;
      TelemetrySdk telemetry = engine.telemetry;
      ApiServer api = null;
      MetricsServer workerMetrics = null;
      try {
        if (role != Role.WORKER) {
          BookApi routes =
              new BookApi(
                  new BookApi.Services(
                      store,
                      runs,
                      engine.library,
                      engine.operations,
                      engine.costs,
                      new BriefParser(settings.categories()),
                      settings.categories(),
                      clock,
                      settings.dataDir()));
          ApiConfig config =
              new ApiConfig(
                  host,
                  settings.get(Setting.HTTP_PORT),
                  settings.get(Setting.HTTP_TOKEN),
                  ApiConfig.DEFAULT_MAX_JSON_BYTES,
                  settings.get(Setting.HTTP_MAX_UPLOAD));
          api =
              ApiServer.start(
                  config, routes, telemetry.metrics(), ids, MetricsServer.handler(telemetry));
        }
        int wp = settings.get(Setting.WORKER_PORT);
        if (role.servesWorkerPort() && wp >= 0)
          workerMetrics = MetricsServer.start(telemetry, host, wp);
      } catch (RuntimeException e) {
        if (api != null) api.close();
        engine.close();
        throw new Main.UsageException(e.getMessage());
      }
      if (engine.drivesRuns()) engine.pipeline().start(true);
      return new Serving(role, engine, api, workerMetrics);
    }

    @Override
    public void close() {
      if (api != null) api.close();
      if (workerMetrics != null) workerMetrics.close();
      engine.close();
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    Map<Setting<?>, String> flags = new HashMap<>();
    flags.putAll(pipelineFlags.flags());
    if (port != null) flags.put(Setting.HTTP_PORT, port.toString());
    if (workerPort != null) flags.put(Setting.WORKER_PORT, workerPort.toString());
    Settings settings = options.load(flags);
    Serving serving = Serving.start(settings, role);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.err.println(
                      "book-creator: stopping; unfinished runs resume on the next start");
                  serving.close();
                  LogSetup.stop();
                  stopped.countDown();
                },
                "shutdown"));
    String host = settings.get(Setting.HTTP_HOST);
    if (serving.engine.drivesRuns()) {
      int active = serving.store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING)).size();
      System.err.printf(
          "book-creator serve (%s): orchestrator and %s workers on %s (%d unfinished run(s)"
              + " resumed)%n",
          role.name().toLowerCase(java.util.Locale.ROOT),
          settings.get(Setting.WORKERS),
          settings.dataDir().toAbsolutePath(),
          active);
    } else {
      System.err.printf(
          "book-creator serve (api): the API only, on %s; runs are carried out by a 'serve --role"
              + " worker' process%n",
          settings.dataDir().toAbsolutePath());
    }
    if (serving.api != null) {
      System.err.printf(
          "API: http://%s:%d/api (docs/api.md), metrics: http://%s:%d/metrics%n",
          host, serving.api.port(), host, serving.api.port());
    }
    if (serving.workerMetrics != null) {
      System.err.printf(
          "worker metrics and heartbeats: http://%s:%d/metrics%n",
          host, serving.workerMetrics.port());
    } else if (!role.servesWorkerPort()
        && settings.get(Setting.WORKER_PORT) >= 0
        && !settings.origin(Setting.WORKER_PORT).equals("default")) {
      System.err.printf(
          "note: worker.metrics_port (from %s) is only for 'serve --role worker'; this process"
              + " serves all its metrics, heartbeats included, on the API's /metrics%n",
          settings.origin(Setting.WORKER_PORT));
    }
    System.err.println("Ctrl-C to stop");
    stopped.await();
    return ExitCodes.OK;
  }
}
