package org.bookcreator.app;

import java.io.UncheckedIOException;
import java.net.BindException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
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
      "--port (default 8080). With a PostgreSQL store (store.url), --role runs one part per",
      "process, on any number of machines: api, orchestrator (one active, others stand by) and",
      "worker (any number); orchestrator and worker processes serve their /metrics on",
      "--worker-port (default 9500). See docs/scaling.md. JSON logs on stdout. Stop it with",
      "Ctrl-C; runs in flight resume next time."
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
  String port;

  @Option(
      names = "--role",
      paramLabel = "ROLE",
      defaultValue = "all",
      converter = RoleConverter.class,
      description =
          "all: API, orchestrator and workers in one process (default); api: only the HTTP API;"
              + " orchestrator: drives the runs, one active per store, any more stand by and take"
              + " over when it stops; worker: agent workers, any number. On SQLite, which admits"
              + " one pipeline process, orchestrator and worker both run the orchestrator and the"
              + " workers. Orchestrator and worker serve /metrics on --worker-port.")
  Role role;

  static final class RoleConverter implements picocli.CommandLine.ITypeConverter<Role> {
    @Override
    public Role convert(String value) {
      try {
        return Role.valueOf(value.strip().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "expected all, api, orchestrator or worker, got '" + value + "'");
      }
    }
  }

  @Option(
      names = "--worker-port",
      paramLabel = "N",
      description =
          "Port of /metrics with heartbeats of a --role worker process, on worker.metrics_host"
              + " (127.0.0.1); the all-in-one and the API role serve theirs on --port; 0 picks a"
              + " free one, -1 turns it off (default: worker.metrics_port, 9500).")
  String workerPort;

  /** Which parts of the product this process runs. */
  enum Role {
    /** API, orchestrator and workers in one process, holding the store alone. */
    ALL(Engine.Use.PIPELINE),
    /**
     * Only the HTTP API (and its /metrics); runs it starts are picked up by the orchestrator, told
     * at once by the store's signal on PostgreSQL, on its next sweep otherwise.
     */
    API(Engine.Use.SHARED),
    /**
     * The orchestrator (with the stall watch and the alerts), metrics on the worker port; on
     * PostgreSQL one is active and any others stand by. On SQLite the workers too.
     */
    ORCHESTRATOR(Engine.Use.ORCHESTRATE),
    /**
     * Agent workers, any number of processes, metrics and heartbeats on the worker port. On SQLite
     * the orchestrator too (the one pipeline process the data directory admits).
     */
    WORKER(Engine.Use.WORK);

    final Engine.Use use;

    Role(Engine.Use use) {
      this.use = use;
    }

    /**
     * Whether this role serves its metrics on the worker port. One process, one metrics endpoint: a
     * process with the API serves every metric of its registry (heartbeats included) on the API's
     * /metrics, so only the roles without the API open the worker port. Two endpoints over one
     * registry would put every series in Prometheus twice and double every sum.
     */
    boolean servesWorkerPort() {
      return this == WORKER || this == ORCHESTRATOR;
    }

    /** Whether this role serves the API (and with it the dashboard, /readyz and /metrics). */
    boolean servesApi() {
      return this == ALL || this == API;
    }

    String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
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

    /** Completes with why this process had to stop: the store halted, or leadership was lost. */
    final CompletableFuture<RuntimeException> stopped = new CompletableFuture<>();

    private final Standby standby;

    private Serving(Role role, Engine engine, ApiServer api, MetricsServer workerMetrics) {
      this.role = role;
      this.engine = engine;
      this.store = engine.store;
      this.api = api;
      this.workerMetrics = workerMetrics;
      this.standby =
          role == Role.ORCHESTRATOR && engine.scaledOut()
              ? new Standby(engine, stopped::complete)
              : null;
      if (engine.drivesRuns()) engine.pipeline().halted().thenAccept(stopped::complete);
    }

    /** Starts the role with serve's telemetry (JSON logs on stdout). */
    static Serving start(Settings settings, Role role) {
      Observability.Observed telemetry = Observability.start(settings, Observability.Mode.SERVER);
      Engine engine;
      try {
        engine = openWaiting(settings, telemetry, role);
      } catch (RuntimeException e) {
        telemetry.telemetry().close();
        throw e;
      }
      return start(settings, engine, role);
    }

    /** Starts the role with telemetry the caller started (tests pick the console they want). */
    static Serving start(Settings settings, Observability.Observed telemetry, Role role) {
      return start(settings, openWaiting(settings, telemetry, role), role);
    }

    /**
     * Opens the engine, waiting for a store whose database cannot be reached for as long as it
     * takes. Meanwhile a role with the API listens on its port with {@code /healthz}, {@code
     * /metrics} and a {@code /readyz} that answers 503 with why; it stops before the API starts.
     */
    private static Engine openWaiting(
        Settings settings, Observability.Observed telemetry, Role role) {
      AtomicReference<String> why = new AtomicReference<>();
      AtomicReference<ApiServer> waitingServer = new AtomicReference<>();
      Consumer<String> waiting =
          reason -> {
            why.set(reason);
            if (!role.servesApi() || waitingServer.get() != null) return;
            TelemetrySdk sdk = telemetry.telemetry();
            waitingServer.set(
                listen(
                    () ->
                        ApiServer.waitingForStore(
                            apiConfig(settings),
                            sdk.metrics(),
                            new Ids(InstantSource.system(), new SecureRandom()),
                            MetricsServer.handler(sdk),
                            why::get),
                    "--port",
                    Setting.HTTP_PORT,
                    Setting.HTTP_HOST,
                    ""));
          };
      try {
        return Engine.open(settings, telemetry, role.use, Engine.StoreWait.untilReachable(waiting));
      } finally {
        ApiServer w = waitingServer.get();
        if (w != null) w.close();
      }
    }

    private static ApiConfig apiConfig(Settings settings) {
      return new ApiConfig(
          settings.get(Setting.HTTP_HOST),
          settings.get(Setting.HTTP_PORT),
          settings.get(Setting.HTTP_TOKEN),
          ApiConfig.DEFAULT_MAX_JSON_BYTES,
          settings.get(Setting.HTTP_MAX_UPLOAD));
    }

    static Serving start(Settings settings, Observability.Observed telemetry) {
      return start(settings, telemetry, Role.ALL);
    }

    /** Whether this process is the active orchestrator now (always, but for a standby). */
    boolean leads() {
      return standby == null || standby.leads();
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
        if (role.servesApi()) {
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
                      settings.dataDir(),
                      telemetry.redactor(),
                      engine.silences,
                      Engine.receivedAlerts(settings, store, clock),
                      Engine.notifierTests(settings, clock)));
          ApiConfig config = apiConfig(settings);
          api =
              listen(
                  () ->
                      ApiServer.start(
                          config,
                          routes,
                          telemetry.metrics(),
                          ids,
                          MetricsServer.handler(telemetry)),
                  "--port",
                  Setting.HTTP_PORT,
                  Setting.HTTP_HOST,
                  "");
        }
        int wp = settings.get(Setting.WORKER_PORT);
        if (role.servesWorkerPort() && wp >= 0) {
          workerMetrics =
              listen(
                  () -> MetricsServer.start(telemetry, settings.get(Setting.WORKER_HOST), wp),
                  "--worker-port",
                  Setting.WORKER_PORT,
                  Setting.WORKER_HOST,
                  ", or --worker-port -1 for none");
        }
      } catch (RuntimeException e) {
        if (api != null) api.close();
        engine.close();
        throw e instanceof Main.UsageException u ? u : new Main.UsageException(e.getMessage());
      }
      Serving serving = new Serving(role, engine, api, workerMetrics);
      if (serving.standby != null) serving.standby.start();
      else if (engine.drivesRuns()) engine.startPipeline();
      return serving;
    }

    /**
     * Binds what {@code bind} starts; a failure becomes the operator's next step. A taken port
     * (another serve on this machine, say) names the flag that picks another, 0 for a free one; any
     * other failure names the host setting.
     */
    private static <T> T listen(
        Supplier<T> bind, String flag, Setting<Integer> port, Setting<String> host, String orElse) {
      try {
        return bind.get();
      } catch (IllegalStateException | UncheckedIOException e) {
        boolean taken =
            Stream.iterate((Throwable) e, Objects::nonNull, Throwable::getCause)
                .anyMatch(
                    c ->
                        c instanceof BindException
                            && String.valueOf(c.getMessage()).contains("in use"));
        throw new Main.UsageException(
            e.getMessage()
                + (taken
                    ? "; the port is taken (by another serve?): start with "
                        + flag
                        + " 0 to pick a free port, "
                        + flag
                        + " N for another"
                        + orElse
                        + " ("
                        + port.key
                        + " in the config)"
                    : "; check " + host.key + ": it must be an address of this machine"));
      }
    }

    /** Where this process listens, with the real ports (also when 0 picked them). */
    String addresses() {
      Settings settings = engine.settings;
      List<String> parts = new ArrayList<>();
      if (api != null) {
        parts.add(
            "API on "
                + url(settings.get(Setting.HTTP_HOST), api.port(), "/")
                + " (/api: docs/api.md, /metrics); dashboard on "
                + url(settings.get(Setting.HTTP_HOST), api.port(), "/"));
      }
      if (workerMetrics != null) {
        parts.add(
            "worker metrics on "
                + url(settings.get(Setting.WORKER_HOST), workerMetrics.port(), "/metrics"));
      } else if (role.servesWorkerPort()) {
        parts.add("worker metrics off");
      }
      return String.join(", ", parts);
    }

    private static String url(String host, int port, String path) {
      return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + path;
    }

    @Override
    public void close() {
      if (standby != null) standby.close();
      if (api != null) api.close();
      if (workerMetrics != null) workerMetrics.close();
      engine.close();
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    Map<Setting<?>, String> flags = new HashMap<>();
    flags.putAll(pipelineFlags.flags());
    if (port != null) flags.put(Setting.HTTP_PORT, port);
    if (workerPort != null) flags.put(Setting.WORKER_PORT, workerPort);
    Settings settings = options.load(flags);
    return serveUntilStopped(settings, role, Serving.start(settings, role));
  }

  /**
   * Prints where {@code serving} listens and keeps it open until the process is interrupted
   * (Ctrl-C, SIGTERM) or its pipeline halts; also what {@code demo --serve} ends with.
   */
  static int serveUntilStopped(Settings settings, Role role, Serving serving)
      throws InterruptedException {
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
    System.err.println(banner(settings, role, serving));
    System.err.println(serving.addresses() + "; Ctrl-C to stop");
    // A pipeline that stopped because the store cannot go on (a full disk, a damaged file) stops
    // serve too: exit 3 with what happened, rather than an API that accepts runs nobody drives.
    CompletableFuture<RuntimeException> halted = serving.stopped;
    halted.thenRun(stopped::countDown);
    if (serving.workerMetrics == null
        && !role.servesWorkerPort()
        && settings.get(Setting.WORKER_PORT) >= 0
        && !settings.origin(Setting.WORKER_PORT).equals("default")) {
      System.err.printf(
          "note: worker.metrics_port (from %s) is only for 'serve --role orchestrator' and"
              + " 'serve --role worker'; this process"
              + " serves all its metrics, heartbeats included, on the API's /metrics%n",
          settings.origin(Setting.WORKER_PORT));
    }
    stopped.await();
    if (halted.isDone()) throw halted.join();
    return ExitCodes.OK;
  }

  /** What serve says it is doing when it starts. */
  private static String banner(Settings settings, Role role, Serving serving) {
    String where =
        settings
            .postgresStore()
            .map(pg -> "PostgreSQL " + pg.where())
            .orElse(settings.dataDir().toAbsolutePath().toString());
    Engine engine = serving.engine;
    if (!engine.drivesRuns()) {
      return "book-creator serve (api): the API only, on "
          + where
          + "; runs are carried out by the orchestrator and worker processes";
    }
    if (!engine.scaledOut()) {
      int active = serving.store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING)).size();
      return String.format(
          "book-creator serve (%s): orchestrator and %s workers on %s (%d unfinished run(s)"
              + " resumed)",
          role.id(), settings.get(Setting.WORKERS), where, active);
    }
    if (role == Role.WORKER) {
      return String.format(
          "book-creator serve (worker): %s agent workers on %s, tasks from the active orchestrator",
          settings.get(Setting.WORKERS), where);
    }
    return "book-creator serve (orchestrator) on "
        + where
        + (serving.leads()
            ? ": the active orchestrator"
            : ": standing by while another orchestrator is active; takes over when it stops");
  }
}
