package org.bookcreator.app;

import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bookcreator.core.alert.AlertEvaluator;
import org.bookcreator.core.alert.LongRunNotices;
import org.bookcreator.core.alert.NotificationDispatcher;
import org.bookcreator.core.alert.Notifier;
import org.bookcreator.core.alert.NotifierTests;
import org.bookcreator.core.alert.ProcessProbe;
import org.bookcreator.core.alert.ReceivedAlerts;
import org.bookcreator.core.alert.Silences;
import org.bookcreator.core.llm.ErrorType;
import org.bookcreator.core.llm.LlmRouter;
import org.bookcreator.core.ops.RunService;
import org.bookcreator.core.pipeline.Pipeline;
import org.bookcreator.core.pipeline.PipelineConfig;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoreUnreachableException;
import org.bookcreator.core.support.Ids;
import org.bookcreator.core.view.CostReports;
import org.bookcreator.core.view.LibraryQueries;
import org.bookcreator.core.view.OperationsQueries;
import org.bookcreator.docparse.MultiFormatDocumentParser;
import org.bookcreator.notify.AlertmanagerNotifier;
import org.bookcreator.notify.AlertmanagerResender;
import org.bookcreator.providers.Providers;
import org.bookcreator.store.jdbc.StoreCopy;
import org.bookcreator.store.postgres.PostgresDatabase;
import org.bookcreator.store.postgres.PostgresStore;
import org.bookcreator.store.sqlite.SqliteStore;
import org.bookcreator.telemetry.BookMetrics;
import org.bookcreator.telemetry.sdk.TelemetrySdk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: the one place that builds, from the settings, what a command or a {@code
 * serve} role works with: telemetry (through {@link Observability}), the store, ids and clock, the
 * model clients (through {@link Providers}), the pipeline when the process drives runs, the use
 * cases ({@link RunService}) and the read models' query services. Every command and every serve
 * role opens one; closing it closes what it built in reverse order.
 */
final class Engine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);

  /** What a process does with the store; decides the lock, the pipeline and the runs' driver. */
  enum Use {
    /**
     * Drives runs: the store opened exclusively (the data directory's lock), the pipeline built
     * (started by the caller), and the use cases wake it. run, demo, resume, runs restart, bench,
     * serve --role all and worker.
     */
    PIPELINE,
    /**
     * The orchestrator role of a scaled-out topology: on PostgreSQL the database held shared with
     * the other role processes, the pipeline built, and {@link #lead} starts the orchestrator and
     * the alerts once this process is the active orchestrator. On SQLite, which admits one pipeline
     * process, it is {@link #PIPELINE}. serve --role orchestrator.
     */
    ORCHESTRATE,
    /**
     * The worker role of a scaled-out topology: on PostgreSQL the database held shared, the
     * pipeline's workers only, telling the active orchestrator of settled tasks by the store's
     * signals. On SQLite it is {@link #PIPELINE}. serve --role worker.
     */
    WORK,
    /**
     * Shares the store with a process that may hold the lock: no pipeline; runs started or
     * restarted here are carried on by that process's orchestrator (or the next foreground
     * command). serve --role api, the reading commands, and runs restart while serve runs.
     */
    SHARED,
    /**
     * Holds the lock without running the pipeline: maintenance that must not race one (cost
     * reprice), and doctor's check that no other process holds the data directory.
     */
    EXCLUSIVE
  }

  final Settings settings;
  final TelemetrySdk telemetry;
  final Store store;
  final Ids ids;
  final InstantSource clock;

  /**
   * The use cases (create, start, cancel, restart, resume), driving runs by the pipeline if any.
   */
  final RunService runs;

  final LibraryQueries library;
  final OperationsQueries operations;
  final CostReports costs;

  /**
   * The alert evaluator of a process that drives runs ({@code alerts.enabled}), evaluating every
   * {@code alerts.interval} from the moment the engine opens; empty elsewhere.
   */
  final Optional<AlertEvaluator> alerts;

  /** Delivers notifications when alerts are evaluated here and a notifier is configured. */
  final Optional<NotificationDispatcher> notifications;

  /** Silences, made by the command line and the API, applied wherever alerts are evaluated. */
  final Silences silences;

  /** Announces long runs that ended, where notifications are delivered. */
  private final Optional<LongRunNotices> longRuns;

  private final Use use;
  private final Pipeline pipeline;
  private final Observability.Observed observed;

  private Engine(
      Settings settings,
      Use use,
      Observability.Observed observed,
      Store store,
      Ids ids,
      InstantSource clock,
      Pipeline pipeline) {
    this.settings = settings;
    this.use = use;
    this.observed = observed;
    this.telemetry = observed.telemetry();
    this.store = store;
    this.ids = ids;
    this.clock = clock;
    this.pipeline = pipeline;
    this.runs =
        new RunService(
            store,
            ids,
            clock,
            settings.simulation().seed(),
            telemetry.redactor(),
            driver(store, pipeline));
    this.library = new LibraryQueries(store);
    this.operations = new OperationsQueries(store, settings.stallThresholds());
    this.costs = new CostReports(store);
    this.alerts =
        pipeline != null
                && !(use == Use.WORK && scaledOut())
                && settings.get(Setting.ALERTS_ENABLED)
            ? Optional.of(alertEvaluator(settings, store, clock, telemetry.metrics()::droppedSoFar))
            : Optional.empty();
    this.notifications =
        alerts.isPresent() && !settings.notifiers().isEmpty()
            ? Optional.of(dispatcher(settings, store, clock, telemetry.metrics()))
            : Optional.empty();
    this.longRuns =
        notifications.map(d -> longRunNotices(settings, store, clock, settings.pipeline()));
    this.silences = new Silences(store, ids, clock);
    if (use != Use.ORCHESTRATE || !scaledOut()) startAlerting();
  }

  /**
   * Where runs started or restarted here go: to this process's pipeline, or, in a process without
   * one that shares a store with other processes, to the active orchestrator by the store's signal.
   */
  private static RunService.Driver driver(Store store, Pipeline pipeline) {
    if (pipeline != null) return pipeline::wake;
    if (!store.signals().crossesProcesses()) return RunService.Driver.NONE;
    return runId ->
        store
            .signals()
            .send(org.bookcreator.core.store.StoreSignals.Kind.RUN_WOKEN, Optional.of(runId));
  }

  private AlertmanagerResender resender;

  /** Starts evaluating alerts and delivering notifications, where this process evaluates them. */
  private synchronized void startAlerting() {
    if (alerts.isEmpty() || resender != null) return;
    alertGauges(alerts.get(), store, telemetry.metrics());
    alerts.get().start(settings.get(Setting.ALERTS_INTERVAL));
    longRuns.ifPresent(l -> l.start(settings.get(Setting.ALERTS_INTERVAL)));
    notifications.ifPresent(d -> d.start(java.time.Duration.ofSeconds(1)));
    if (!settings.get(Setting.NOTIFY_ALERTMANAGER_URLS).isEmpty()) {
      resender =
          AlertmanagerResender.start(
              settings.alertmanagers(),
              store::openAlerts,
              settings.get(Setting.NOTIFY_ALERTMANAGER_RESEND));
    }
  }

  /**
   * Whether this process is one of several sharing the store (a role process on PostgreSQL), so it
   * runs only part of the pipeline.
   */
  boolean scaledOut() {
    return (use == Use.ORCHESTRATE || use == Use.WORK) && store.signals().crossesProcesses();
  }

  /** The parts of the pipeline this process runs. */
  java.util.Set<Pipeline.Part> parts() {
    if (!scaledOut()) return java.util.EnumSet.allOf(Pipeline.Part.class);
    return java.util.EnumSet.of(
        use == Use.WORK ? Pipeline.Part.WORKERS : Pipeline.Part.ORCHESTRATOR);
  }

  /**
   * Starts this process's parts of the pipeline: all of it, releasing what an earlier process left
   * leased, when it holds the store alone; its workers for {@link Use#WORK}. For {@link
   * Use#ORCHESTRATE} on a shared store, use {@link #lead} instead.
   */
  void startPipeline() {
    if (!scaledOut()) {
      pipeline().start(true);
    } else if (use == Use.WORK) {
      pipeline().start(parts(), false);
    } else {
      throw new IllegalStateException("an orchestrator role starts with lead(), once it leads");
    }
  }

  /**
   * The orchestrator role, once {@code leadership} is held: starts the orchestrator, its stall
   * watch and the alerts. Closing the engine stops them; so must the caller once it is lost.
   */
  void lead(org.bookcreator.core.store.Leadership leadership) {
    if (use != Use.ORCHESTRATE) throw new IllegalStateException("not an orchestrator: " + use);
    this.leadership = leadership;
    pipeline().start(parts(), !scaledOut());
    startAlerting();
  }

  private volatile org.bookcreator.core.store.Leadership leadership;

  /** The orchestrator lock this process holds, once it leads. */
  Optional<org.bookcreator.core.store.Leadership> leadership() {
    return Optional.ofNullable(leadership);
  }

  /**
   * Alerts an Alertmanager posts: recorded, and sent by {@code alerts.routes} to the notifiers but
   * the Alertmanagers, where they came from; the outbox keeps them until a process that evaluates
   * alerts delivers them.
   */
  static ReceivedAlerts receivedAlerts(Settings settings, Store store, InstantSource clock) {
    Ids notificationIds = new Ids(clock, new SecureRandom());
    return new ReceivedAlerts(
        store,
        settings.notifiers().stream()
            .filter(n -> !(n instanceof AlertmanagerNotifier))
            .map(Notifier::name)
            .toList(),
        settings.get(Setting.ALERTS_ROUTES),
        () -> notificationIds.next("ntf"),
        clock);
  }

  /** Test notifications straight through the configured notifiers: {@code alerts test}. */
  static NotifierTests notifierTests(Settings settings, InstantSource clock) {
    Ids notificationIds = new Ids(clock, new SecureRandom());
    return new NotifierTests(settings.notifiers(), () -> notificationIds.next("ntf"), clock);
  }

  /**
   * The evaluator of the configured rules, reading the disk of the data directory and the count of
   * telemetry this process dropped.
   */
  static AlertEvaluator alertEvaluator(
      Settings settings,
      Store store,
      InstantSource clock,
      java.util.function.LongSupplier telemetryDropped) {
    Ids notificationIds = new Ids(clock, new SecureRandom());
    return new AlertEvaluator(
        store,
        settings.alertRules(),
        clock,
        settings.stallThresholds(),
        new DataDirProbe(settings.dataDir(), telemetryDropped),
        settings.notificationPolicy(),
        () -> notificationIds.next("ntf"));
  }

  /** Notices of runs longer than {@code notify.long_run_after}, routed as alerts are. */
  private static LongRunNotices longRunNotices(
      Settings settings, Store store, InstantSource clock, PipelineConfig config) {
    Ids notificationIds = new Ids(clock, new SecureRandom());
    return new LongRunNotices(
        store,
        settings.notificationPolicy(),
        settings.get(Setting.NOTIFY_LONG_RUN_AFTER),
        config::manuscript,
        () -> notificationIds.next("ntf"),
        clock);
  }

  /** The alerting gauges of a process that evaluates alerts: firing alerts and outbox depth. */
  private static void alertGauges(AlertEvaluator evaluator, Store store, BookMetrics metrics) {
    metrics.alertGauges(
        () ->
            evaluator.firing().stream()
                .map(f -> BookMetrics.Point.of(f.alerts(), f.alertname(), f.severity().id()))
                .toList(),
        store::outboxDepth);
  }

  /** The gauges and the timeout count of a PostgreSQL store's pool of connections. */
  private static void poolGauges(PostgresStore store, BookMetrics metrics) {
    metrics.storePool(
        () -> {
          PostgresDatabase.PoolStats p = store.poolStats();
          return List.of(
              BookMetrics.Point.of(p.active(), "active"),
              BookMetrics.Point.of(p.idle(), "idle"),
              BookMetrics.Point.of(p.pending(), "pending"));
        },
        () -> store.poolStats().timeouts());
  }

  /** Delivers the outbox to the configured notifiers. */
  static NotificationDispatcher dispatcher(
      Settings settings, Store store, InstantSource clock, BookMetrics metrics) {
    return new NotificationDispatcher(
        store,
        settings.notifiers(),
        clock,
        settings.get(Setting.NOTIFY_RETRY_BASE),
        settings.get(Setting.NOTIFY_RETRY_MAX),
        settings.get(Setting.NOTIFY_GIVE_UP_AFTER),
        new Random(),
        metrics);
  }

  /**
   * The measurements alert rules need of this process: its data directory's disk, and the log lines
   * and spans its telemetry dropped.
   */
  record DataDirProbe(java.nio.file.Path dataDir, java.util.function.LongSupplier dropped)
      implements ProcessProbe {
    @Override
    public DiskSpace disk() {
      try {
        java.nio.file.FileStore fs = Files.getFileStore(dataDir);
        return new DiskSpace(
            java.util.OptionalLong.of(fs.getUsableSpace()),
            java.util.OptionalLong.of(fs.getTotalSpace()));
      } catch (java.io.IOException e) {
        return new DiskSpace(java.util.OptionalLong.empty(), java.util.OptionalLong.empty());
      }
    }

    @Override
    public long telemetryDropped() {
      return dropped.getAsLong();
    }
  }

  /**
   * Starts the telemetry of {@code mode}, then opens as {@link #open(Settings,
   * Observability.Observed, Use)}.
   */
  static Engine open(Settings settings, Observability.Mode mode, Use use) {
    return open(settings, mode, use, StoreWait.of(use, settings));
  }

  /** As {@link #open(Settings, Observability.Mode, Use)}, waiting for the store as {@code wait}. */
  static Engine open(Settings settings, Observability.Mode mode, Use use, StoreWait wait) {
    Observability.Observed observed = Observability.start(settings, mode);
    try {
      return open(settings, observed, use, wait);
    } catch (RuntimeException e) {
      observed.telemetry().close();
      throw e;
    }
  }

  /**
   * How opening waits for a PostgreSQL store whose server cannot be reached: it tries again after 1
   * s, doubling to 30 s, for as long as {@code limit} (empty: until the process is stopped), and
   * tells {@code waiting} why before each pause. Any other failure (a refused sign-in, a newer
   * schema) fails at once.
   */
  record StoreWait(Optional<Duration> limit, Consumer<String> waiting) {
    /** Fails at once: the one-shot commands. */
    static final StoreWait NONE = new StoreWait(Optional.of(Duration.ZERO), why -> {});

    /** Until the database answers: serve, which says so on {@code /readyz} meanwhile. */
    static StoreWait untilReachable(Consumer<String> waiting) {
      return new StoreWait(Optional.empty(), waiting);
    }

    /** The pipeline commands wait {@code store.retry_for}; the others not at all. */
    static StoreWait of(Use use, Settings settings) {
      return use == Use.PIPELINE || use == Use.ORCHESTRATE || use == Use.WORK
          ? new StoreWait(Optional.of(settings.get(Setting.STORE_RETRY_FOR)), why -> {})
          : NONE;
    }
  }

  private static final long FIRST_PAUSE_MS = 1_000;
  private static final long LONGEST_PAUSE_MS = 30_000;

  /** The store of the settings, waiting for an unreachable PostgreSQL server as {@code wait}. */
  private static Store openStore(Settings settings, Use use, StoreWait wait) {
    Optional<PostgresDatabase.Settings> pg = settings.postgresStore();
    if (pg.isEmpty()) return SqliteStore.open(settings.dataDir(), use != Use.SHARED);
    long deadline = wait.limit().map(l -> System.nanoTime() + l.toNanos()).orElse(Long.MAX_VALUE);
    for (long pause = FIRST_PAUSE_MS; ; pause = Math.min(LONGEST_PAUSE_MS, pause * 2)) {
      try {
        return PostgresStore.open(pg.get(), ownership(use));
      } catch (StoreUnreachableException e) {
        if (wait.limit().isPresent() && System.nanoTime() + pause * 1_000_000 - deadline > 0) {
          throw e;
        }
        log.warn("store unreachable, retrying in {} s: {}", pause / 1000, e.getMessage());
        wait.waiting().accept(e.getMessage());
        try {
          Thread.sleep(pause);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * Opens the store as {@code use} says and builds the rest over it, with telemetry the caller
   * started (tests, and bench with telemetry off); closing the engine closes that telemetry too.
   *
   * @throws org.bookcreator.core.store.StoreLockedException when {@code use} needs the lock and
   *     another process holds it
   */
  static Engine open(Settings settings, Observability.Observed observed, Use use) {
    return open(settings, observed, use, StoreWait.of(use, settings));
  }

  /**
   * As {@link #open(Settings, Observability.Observed, Use)}, waiting for the store as {@code wait}.
   */
  static Engine open(Settings settings, Observability.Observed observed, Use use, StoreWait wait) {
    InstantSource clock = InstantSource.system();
    Ids ids = new Ids(clock, new SecureRandom());
    Store store = openStore(settings, use, wait);
    if (store instanceof PostgresStore pg) poolGauges(pg, observed.telemetry().metrics());
    observed.attach(store);
    try {
      Pipeline pipeline =
          use == Use.PIPELINE || use == Use.ORCHESTRATE || use == Use.WORK
              ? pipeline(settings, store, observed.telemetry(), clock, ids)
              : null;
      return new Engine(settings, use, observed, store, ids, clock, pipeline);
    } catch (RuntimeException e) {
      observed.detach();
      store.close();
      throw e;
    }
  }

  /** How a PostgreSQL store is held for {@code use}: the role processes share it. */
  private static PostgresStore.Ownership ownership(Use use) {
    return switch (use) {
      case PIPELINE, EXCLUSIVE -> PostgresStore.Ownership.SOLE;
      case ORCHESTRATE, WORK -> PostgresStore.Ownership.SHARED;
      case SHARED -> PostgresStore.Ownership.NONE;
    };
  }

  /**
   * Copies the SQLite library of the data directory into the empty PostgreSQL database {@code
   * target} (see {@link StoreCopy}); both are held exclusively meanwhile.
   */
  static StoreCopy.Report copyStore(
      Settings settings, PostgresDatabase.Settings target, Consumer<String> progress) {
    try (SqliteStore from = SqliteStore.open(settings.dataDir(), true);
        PostgresStore into = PostgresStore.open(target, true)) {
      return StoreCopy.copy(from, into, progress);
    }
  }

  /**
   * For the reading commands: reader telemetry and the shared store, or empty when nothing has run
   * in the data directory yet (reading never creates a store).
   */
  static Optional<Engine> read(Settings settings) {
    Observability.Observed observed = Observability.start(settings, Observability.Mode.READER);
    if (!storeExists(settings)) return Optional.empty(); // reader telemetry is a no-op: no close
    return Optional.of(open(settings, observed, Use.SHARED));
  }

  /** As {@link #read}, failing with a message that says nothing has run there yet. */
  static Engine require(Settings settings) {
    return read(settings).orElseThrow(() -> noStore(settings));
  }

  /** Fails unless a store exists in the data directory, for commands that must not create one. */
  static void requireStore(Settings settings) {
    if (!storeExists(settings)) throw noStore(settings);
  }

  /** Whether there is a store to read: a SQLite file in the data directory, or a database. */
  static boolean storeExists(Settings settings) {
    if (settings.postgresStore().isPresent()) return true;
    return Files.exists(settings.dataDir().resolve(SqliteStore.DB_FILE));
  }

  private static Main.UsageException noStore(Settings settings) {
    return new Main.UsageException(
        "no store in " + settings.dataDir() + "; nothing has run yet (try bin/book-creator demo)");
  }

  /** The pipeline, built but not started; watches for stalls once started. */
  private static Pipeline pipeline(
      Settings settings, Store store, TelemetrySdk telemetry, InstantSource clock, Ids ids) {
    LlmRouter router = Providers.router(settings.providers());
    Pipeline pipeline =
        new Pipeline(
            store,
            router,
            settings.prices(),
            settings.pipeline(),
            telemetry,
            clock,
            ids,
            new Random(settings.simulation().seed()),
            MultiFormatDocumentParser.defaults());
    pipeline.watchStalls(settings.stallThresholds(), settings.get(Setting.STALL_CHECK_EVERY));
    telemetry.metrics().startAtZero(knownLabels(settings, router));
    return pipeline;
  }

  /**
   * The label values a pipeline process knows before its first run: its counters start at zero over
   * them (docs/observability.md), so rules and dashboards see 0 rather than no data.
   */
  static BookMetrics.KnownLabels knownLabels(Settings settings, LlmRouter router) {
    return new BookMetrics.KnownLabels(
        settings.categories().sorted(),
        Stream.of(AgentRole.values()).map(AgentRole::id).toList(),
        Stream.of(AgentRole.values()).filter(AgentRole::usesLlm).map(AgentRole::id).toList(),
        router.providers(),
        Stream.of(ErrorType.values()).map(ErrorType::id).toList());
  }

  /** Whether this engine drives runs (opened for {@link Use#PIPELINE}). */
  boolean drivesRuns() {
    return pipeline != null;
  }

  /**
   * The pipeline of a {@link Use#PIPELINE} engine.
   *
   * @throws IllegalStateException for an engine opened without one
   */
  Pipeline pipeline() {
    if (pipeline == null)
      throw new IllegalStateException("this engine was opened " + use + ", without a pipeline");
    return pipeline;
  }

  /** Stops the pipeline, flushes the telemetry, hands the log sink back, closes the store. */
  @Override
  public void close() {
    try {
      if (pipeline != null) pipeline.close();
      synchronized (this) {
        if (resender != null) resender.close();
      }
      alerts.ifPresent(AlertEvaluator::close);
      longRuns.ifPresent(LongRunNotices::close);
      notifications.ifPresent(
          d -> {
            d.dispatchDue(); // what the last evaluation found is due now if the group wait is 0
            d.close();
          });
    } finally {
      try {
        telemetry.close();
      } finally {
        observed.detach();
        store.close();
        if (leadership != null) leadership.close();
      }
    }
  }
}
