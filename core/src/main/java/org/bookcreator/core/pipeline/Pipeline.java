package org.bookcreator.core.pipeline;

import java.time.InstantSource;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.bookcreator.core.agent.OutputSchemas;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.llm.LlmClient;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoreSignals;
import org.bookcreator.core.store.StoreUnusableException;
import org.bookcreator.core.support.Ids;
import org.bookcreator.telemetry.BookMetrics;
import org.bookcreator.telemetry.SemConv;
import org.bookcreator.telemetry.Telemetry;

/**
 * The running pipeline: one orchestrator and a pool of agent workers over one store. {@link
 * #start()} resumes every run the store says is unfinished. A process may run only one of the two
 * {@link Part}s when several processes share a store (PostgreSQL): they then tell each other of
 * queued work and settled tasks through the store's {@link StoreSignals}. Thread-safe.
 */
public final class Pipeline implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Pipeline.class);

  /** What a process runs of the pipeline. */
  public enum Part {
    /** Drives runs through their stages and queues their tasks; one active per store. */
    ORCHESTRATOR,
    /** Agent workers: claim tasks, call the models, settle the tasks. Any number per store. */
    WORKERS
  }

  private final Store store;
  private final InstantSource clock;
  private final BookMetrics metrics;
  private final WorkSignal signal = new WorkSignal();
  private final Orchestrator orchestrator;
  private final WorkerPool workers;
  private final CompletableFuture<StoreUnusableException> halted = new CompletableFuture<>();
  private volatile Set<Part> parts = Set.of();
  private AutoCloseable listening;
  private StallDetector.Thresholds stallThresholds;
  private java.time.Duration stallEvery;

  public Pipeline(
      Store store,
      LlmClient llm,
      PriceTable prices,
      PipelineConfig config,
      Telemetry telemetry,
      InstantSource clock,
      Ids ids,
      RandomGenerator random) {
    this(store, llm, prices, config, telemetry, clock, ids, random, new DocumentReader.TextOnly());
  }

  /** With the document parser for reference documents (the docparse module's, in the app). */
  public Pipeline(
      Store store,
      LlmClient llm,
      PriceTable prices,
      PipelineConfig config,
      Telemetry telemetry,
      InstantSource clock,
      Ids ids,
      RandomGenerator random,
      org.bookcreator.core.docs.DocumentParser parser) {
    this(
        store,
        org.bookcreator.core.llm.LlmRouter.single(llm),
        prices,
        config,
        telemetry,
        clock,
        ids,
        random,
        parser);
  }

  /** With routing of calls to several providers by stage and role, and a fallback provider. */
  public Pipeline(
      Store store,
      org.bookcreator.core.llm.LlmRouter router,
      PriceTable prices,
      PipelineConfig config,
      Telemetry telemetry,
      InstantSource clock,
      Ids ids,
      RandomGenerator random,
      org.bookcreator.core.docs.DocumentParser parser) {
    this.store = store;
    this.clock = clock;
    this.metrics = telemetry.metrics();
    this.orchestrator =
        new Orchestrator(store, config, telemetry, clock, ids, this::workQueued, this::halt);
    AgentExecutor executor =
        new AgentExecutor(
            store, router, new OutputSchemas(), prices, config, telemetry, clock, parser);
    this.workers =
        new WorkerPool(
            store,
            executor,
            config,
            telemetry,
            clock,
            signal,
            new Backoff(config.backoffBase(), config.backoffMax(), random),
            ids.next("pool"),
            this::taskSettled,
            this::halt);
  }

  /** The orchestrator queued tasks: this process's idle workers look, and other processes'. */
  private void workQueued() {
    signal.signalOne();
    if (!parts.contains(Part.WORKERS))
      store.signals().send(StoreSignals.Kind.WORK_QUEUED, Optional.empty());
  }

  /** A worker settled a task of the run: the orchestrator looks at it, here or elsewhere. */
  private void taskSettled(String runId) {
    if (parts.contains(Part.ORCHESTRATOR)) orchestrator.poke(runId);
    else store.signals().send(StoreSignals.Kind.TASK_SETTLED, Optional.of(runId));
  }

  /** Another process's signal, for the parts this process runs. */
  private void received(StoreSignals.Signal s) {
    Set<Part> here = parts;
    switch (s.kind()) {
      case WORK_QUEUED -> {
        if (here.contains(Part.WORKERS)) signal.signalOne();
      }
      case TASK_SETTLED -> {
        if (here.contains(Part.ORCHESTRATOR)) s.runId().ifPresent(orchestrator::poke);
      }
      case RUN_WOKEN -> {
        if (here.contains(Part.ORCHESTRATOR)) s.runId().ifPresent(orchestrator::resumed);
      }
    }
  }

  /** The gauges of the orchestrating process: one process reports them, so sums stay right. */
  private void registerOrchestratorGauges() {
    metrics.gauge(
        "book_creator_runs_in_stage",
        "Books (active runs) per category and current stage.",
        List.of(SemConv.L_CATEGORY, SemConv.L_STAGE),
        () ->
            store.activeRunsByStage().stream()
                .map(c -> BookMetrics.Point.of(c.runs(), c.category(), c.stage()))
                .toList());
    metrics.gauge(
        "book_creator_task_queue_depth",
        "Tasks waiting in the queue, per agent role.",
        List.of(SemConv.L_AGENT_ROLE),
        () -> {
          Map<AgentRole, Long> byRole = new EnumMap<>(AgentRole.class);
          for (AgentRole r : AgentRole.values()) byRole.put(r, 0L);
          store.queuedTasksByKind().forEach((k, n) -> byRole.merge(k.role(), n, Long::sum));
          return byRole.entrySet().stream()
              .map(e -> BookMetrics.Point.of(e.getValue(), e.getKey().id()))
              .toList();
        });
    // Every stage, always: a fixed set of series. A stage without active runs reports 0 stalled
    // runs and "now" as its oldest progress, so an alert on time() minus it stays quiet.
    metrics.gauge(
        "book_creator_stalled_runs",
        "Active runs found stalled (no progress past the stage's threshold, an expired lease, "
            + "or a critique cap) at the last look, per stage.",
        List.of(SemConv.L_STAGE),
        () -> {
          Map<org.bookcreator.core.run.Stage, Long> stalled =
              new EnumMap<>(org.bookcreator.core.run.Stage.class);
          stallFigures.forEach(f -> stalled.put(f.stage(), f.stalledRuns()));
          return java.util.Arrays.stream(org.bookcreator.core.run.Stage.values())
              .map(st -> BookMetrics.Point.of(stalled.getOrDefault(st, 0L), st.id()))
              .toList();
        });
    metrics.gauge(
        "book_creator_lease_expired_runs",
        "Active runs with a task whose lease expired without a heartbeat (a dead or frozen worker)"
            + " at the last look, per stage; counted in book_creator_stalled_runs too.",
        List.of(SemConv.L_STAGE),
        () -> {
          Map<Stage, Long> expired = leaseExpired;
          return Stream.of(Stage.values())
              .map(st -> BookMetrics.Point.of(expired.getOrDefault(st, 0L), st.id()))
              .toList();
        });
    metrics.gauge(
        "book_creator_stage_oldest_progress_timestamp",
        "Unix time (seconds) of the oldest last progress among the stage's active runs at the last"
            + " look (now when it has none): time() minus this is how long the stage's slowest run"
            + " has made no progress.",
        List.of(SemConv.L_STAGE),
        () -> {
          Map<org.bookcreator.core.run.Stage, java.time.Instant> oldest =
              new EnumMap<>(org.bookcreator.core.run.Stage.class);
          stallFigures.forEach(f -> oldest.put(f.stage(), f.oldestProgress()));
          java.time.Instant now = clock.instant();
          return java.util.Arrays.stream(org.bookcreator.core.run.Stage.values())
              .map(
                  st ->
                      BookMetrics.Point.of(
                          oldest.getOrDefault(st, now).toEpochMilli() / 1000.0, st.id()))
              .toList();
        });
  }

  /** The heartbeat gauge of the process whose workers these are. */
  private void registerWorkerGauges() {
    metrics.gauge(
        "book_creator_worker_heartbeat_timestamp",
        "Unix time (seconds) of each worker's last heartbeat.",
        List.of(SemConv.L_WORKER),
        () ->
            workers.heartbeats().entrySet().stream()
                .map(e -> BookMetrics.Point.of(e.getValue().toEpochMilli() / 1000.0, e.getKey()))
                .toList());
  }

  private volatile List<org.bookcreator.core.ops.StallDetector.StageFigures> stallFigures =
      List.of();
  private volatile Map<Stage, Long> leaseExpired = Map.of();
  private java.util.concurrent.ScheduledExecutorService stallWatch;

  /**
   * Looks for stalled runs every {@code every}: records a {@code stalled} event once per stall,
   * logs it as a warning, and keeps the per-stage stall gauges current. Never throws into the
   * pipeline; a failed look is logged and retried at the next one.
   */
  public synchronized void watchStalls(
      org.bookcreator.core.ops.StallDetector.Thresholds thresholds, java.time.Duration every) {
    stallThresholds = thresholds;
    stallEvery = every;
    if (parts.contains(Part.ORCHESTRATOR)) startStallWatch();
  }

  /** The stall watch of the orchestrating process, once it is asked for and the process leads. */
  private synchronized void startStallWatch() {
    if (stallWatch != null || stallThresholds == null) return;
    StallDetector.Thresholds thresholds = stallThresholds;
    java.time.Duration every = stallEvery;
    stallWatch =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon(true).name("stall-watch").unstarted(r));
    stallWatch.scheduleWithFixedDelay(
        () -> lookForStalls(thresholds),
        every.toMillis(),
        every.toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** One look for stalled runs (what the watch does on each tick); returns what it found. */
  public List<org.bookcreator.core.ops.StallDetector.Stall> lookForStalls(
      org.bookcreator.core.ops.StallDetector.Thresholds thresholds) {
    try {
      java.time.Instant now = clock.instant();
      List<Run> active = store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING));
      var look = org.bookcreator.core.ops.StallDetector.look(store, active, thresholds, now);
      var stalls = look.stalls();
      stallFigures = look.figures();
      Map<Stage, Long> expired = new EnumMap<>(Stage.class);
      for (var st : stalls) {
        if (st.kind() == StallDetector.Kind.LEASE_EXPIRED)
          st.run().stage().ifPresent(stage -> expired.merge(stage, 1L, Long::sum));
      }
      leaseExpired = expired;
      if (org.bookcreator.core.ops.StallDetector.record(store, stalls, now) > 0) {
        for (var st : stalls) {
          try (var ignored =
              org.bookcreator.telemetry.LogContext.with(
                  org.bookcreator.telemetry.LogContext.RUN_ID,
                  st.run().id(),
                  org.bookcreator.telemetry.LogContext.PROJECT_ID,
                  st.run().projectId(),
                  org.bookcreator.telemetry.LogContext.STAGE,
                  st.run().stage().map(org.bookcreator.core.run.Stage::id).orElse(null))) {
            log.warn(
                "run {} is stalled ({}): {}; see docs/runbooks/stalled-workflow.md",
                st.run().id(),
                st.kind().id(),
                st.reason());
          }
        }
      }
      return stalls;
    } catch (StoreUnusableException e) {
      halt(e);
      return List.of();
    } catch (RuntimeException e) {
      log.warn("looking for stalled runs failed; trying again at the next look", e);
      return List.of();
    }
  }

  /** Starts the orchestrator and the workers, and resumes unfinished runs. */
  public void start() {
    start(false);
  }

  /**
   * Like {@link #start()}; with {@code soleProcess}, leases left by an earlier (killed) process are
   * released at once instead of waiting for them to expire. Only true when the store is locked to
   * this process.
   */
  public void start(boolean soleProcess) {
    start(EnumSet.allOf(Part.class), soleProcess);
  }

  /**
   * Starts {@code parts} of the pipeline; the orchestrator resumes unfinished runs. Once only. With
   * one part, the other runs in other processes, reached through the store's signals.
   *
   * @param soleProcess as {@link #start(boolean)}: only when the store is locked to this process
   */
  public synchronized void start(Set<Part> parts, boolean soleProcess) {
    if (parts.isEmpty()) throw new IllegalArgumentException("no part of the pipeline to start");
    if (!this.parts.isEmpty()) throw new IllegalStateException("the pipeline runs already");
    this.parts = Set.copyOf(parts);
    if (parts.size() < Part.values().length && store.signals().crossesProcesses()) {
      listening = store.signals().listen(this::received);
    }
    if (soleProcess) {
      int released =
          store.releaseLeases(
              "released at start-up: the process holding the lease is gone", clock.instant());
      if (released > 0) log.info("released {} task lease(s) left by an earlier process", released);
      // The earlier process's workers are gone with it; their leases were just released.
      store.forgetWorkers(store.workerHeartbeats().keySet());
      int interrupted = store.interruptPendingCalls(clock.instant());
      if (interrupted > 0) {
        log.warn(
            "{} model call(s) sent by an earlier process never got their answer; they stay in the"
                + " ledger as interrupted, with their estimated cost",
            interrupted);
      }
    }
    if (parts.contains(Part.WORKERS)) {
      registerWorkerGauges();
      workers.start();
    }
    if (parts.contains(Part.ORCHESTRATOR)) {
      registerOrchestratorGauges();
      orchestrator.start();
      startStallWatch();
      for (Run r : store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING)))
        orchestrator.poke(r.id());
    }
  }

  /**
   * Tells the orchestrator that a run was created or set running again (by {@link
   * org.bookcreator.core.ops.RunService}): it looks at it now rather than on its next sweep, and a
   * new completion is awaited. This is the {@link org.bookcreator.core.ops.RunService.Driver} of a
   * process that runs a pipeline.
   */
  public void wake(String runId) {
    if (parts.isEmpty() || parts.contains(Part.ORCHESTRATOR)) orchestrator.resumed(runId);
    else store.signals().send(StoreSignals.Kind.RUN_WOKEN, Optional.of(runId));
  }

  /**
   * Completes when the run completes, fails, is cancelled or pauses; fails with the store's failure
   * when the pipeline stops because the store cannot go on (see {@link #halted()}).
   */
  public CompletableFuture<Run> completion(String runId) {
    return orchestrator.completion(runId);
  }

  /**
   * Completes, with what happened, when the pipeline stopped because the store cannot go on: the
   * disk is full or a database file is damaged. The runs in flight stay as the store last recorded
   * them and resume on the next start. Never completes otherwise.
   */
  public CompletableFuture<StoreUnusableException> halted() {
    return halted.copy();
  }

  /** Stops workers and orchestrator at once, the first time the store is found unusable. */
  private void halt(StoreUnusableException e) {
    if (!halted.complete(e)) return;
    log.error("the pipeline stopped because the store cannot go on: {}", e.getMessage(), e);
    workers.stop();
    orchestrator.halt(e);
  }

  /** Stops taking work; runs in flight stay in the store and resume on the next start. */
  @Override
  public void close() {
    synchronized (this) {
      if (stallWatch != null) stallWatch.shutdownNow();
      if (listening != null) {
        try {
          listening.close();
        } catch (Exception e) {
          log.debug("could not stop listening for other processes' signals", e);
        }
      }
    }
    workers.close();
    orchestrator.close();
  }
}
