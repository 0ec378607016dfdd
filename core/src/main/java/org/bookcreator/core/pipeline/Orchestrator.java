package org.bookcreator.core.pipeline;

import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoreUnusableException;
import org.bookcreator.core.support.Ids;
import org.bookcreator.core.support.IllegalTransitionException;
import org.bookcreator.telemetry.BookMetrics;
import org.bookcreator.telemetry.LogContext;
import org.bookcreator.telemetry.SemConv;
import org.bookcreator.telemetry.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Drives every active run through its stages as a state machine. One thread advances runs one at a
 * time when a worker settles one of their tasks (and on a periodic sweep); each advance re-reads
 * the run from the store and asks the current stage what comes next, so a restart resumes where the
 * store says the run is.
 */
final class Orchestrator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Orchestrator.class);

  private final Store store;
  private final BookMetrics metrics;
  private final Telemetry telemetry;
  private final PipelineConfig config;
  private final InstantSource clock;
  private final Ids ids;
  private final Runnable workQueued;
  private final StagePlanner planner = new StagePlanner();
  private final RunSummaryWriter summaries;
  private final LinkedBlockingQueue<String> dirty = new LinkedBlockingQueue<>();
  private final Set<String> queued = ConcurrentHashMap.newKeySet();
  private final Map<String, CompletableFuture<Run>> completions = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private final Consumer<StoreUnusableException> onStoreUnusable;
  private volatile StoreUnusableException halted;
  private Thread thread;

  Orchestrator(
      Store store,
      PipelineConfig config,
      Telemetry telemetry,
      InstantSource clock,
      Ids ids,
      Runnable workQueued,
      Consumer<StoreUnusableException> onStoreUnusable) {
    this.store = store;
    this.onStoreUnusable = onStoreUnusable;
    this.metrics = telemetry.metrics();
    this.telemetry = telemetry;
    this.config = config;
    this.clock = clock;
    this.ids = ids;
    this.workQueued = workQueued;
    this.summaries = new RunSummaryWriter(store, config.outputDir());
  }

  void start() {
    if (!running.compareAndSet(false, true)) return;
    thread = Thread.ofPlatform().name("orchestrator").daemon(true).start(this::loop);
  }

  /** Marks a run as needing a look. Cheap and safe from any thread. */
  void poke(String runId) {
    if (queued.add(runId)) dirty.add(runId);
  }

  CompletableFuture<Run> completion(String runId) {
    CompletableFuture<Run> f = completions.computeIfAbsent(runId, k -> new CompletableFuture<>());
    StoreUnusableException stoppedBy = halted;
    if (stoppedBy != null) f.completeExceptionally(stoppedBy);
    else store.run(runId).filter(r -> !r.state().isActive()).ifPresent(f::complete);
    return f;
  }

  /**
   * Stops driving runs because the store cannot go on: every awaited completion fails with {@code
   * e}, and the runs stay as the store last recorded them, to resume once it is usable again.
   */
  void halt(StoreUnusableException e) {
    if (halted != null) return;
    halted = e;
    running.set(false);
    completions.values().forEach(f -> f.completeExceptionally(e));
  }

  /** When the store cannot go on, stops the pipeline and says so; true when it did. */
  private boolean stopsThePipeline(RuntimeException e) {
    if (!(e instanceof StoreUnusableException unusable)) return false;
    onStoreUnusable.accept(unusable);
    return true;
  }

  private void loop() {
    long lastSweep = 0;
    while (running.get()) {
      try {
        String runId = dirty.poll(config.sweep().toMillis(), TimeUnit.MILLISECONDS);
        if (runId != null) {
          queued.remove(runId);
          advanceSafely(runId);
        }
        long now = System.nanoTime();
        if (now - lastSweep > config.sweep().toNanos()) {
          lastSweep = now;
          for (Run r : store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING))) poke(r.id());
          settleAwaited();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (stopsThePipeline(e)) return;
        log.error("orchestrator sweep failed; retrying on the next sweep", e);
      }
    }
  }

  /**
   * Completes the wait for runs that another process ended (cancelled over the API, completed by
   * the process that held the store before): this process may never touch them again, and whoever
   * waits for them must not wait forever.
   */
  private void settleAwaited() {
    completions.forEach(
        (runId, f) -> {
          if (!f.isDone())
            store.run(runId).filter(r -> !r.state().isActive()).ifPresent(f::complete);
        });
  }

  private void advanceSafely(String runId) {
    try (LogContext.Scope ignored = LogContext.with(LogContext.RUN_ID, runId)) {
      advance(runId);
    } catch (IllegalTransitionException e) {
      log.warn("run {} changed while being advanced; looking again: {}", runId, e.getMessage());
      poke(runId);
    } catch (RuntimeException e) {
      if (!stopsThePipeline(e))
        log.error("could not advance run {}; will retry on the next sweep", runId, e);
    }
  }

  /** One look at a run: start it, enqueue what its current stage needs, or move it on. */
  void advance(String runId) {
    Optional<Run> found = store.run(runId);
    if (found.isEmpty()) return;
    Run run = found.get();
    Project project =
        store
            .project(run.projectId())
            .orElseThrow(() -> new IllegalStateException("run " + runId + " has no project"));
    MDC.put(LogContext.PROJECT_ID, project.id());
    MDC.put(LogContext.TRACE_ID, Telemetry.traceIdFor(runId));
    if (run.state() == RunState.QUEUED) {
      run =
          store.transitionRun(runId, RunState.QUEUED, RunState.RUNNING, "started", clock.instant());
      metrics.runStarted(project.category());
      log.info(
          "run {} of \"{}\" ({}, {} chapters) started",
          runId,
          project.title(),
          project.category(),
          project.chapters());
    }
    if (run.state() != RunState.RUNNING) {
      finished(run, project);
      return;
    }
    Map<Stage, StageRecord> stages = new EnumMap<>(Stage.class);
    store.stages(runId).forEach(s -> stages.put(s.stage(), s));
    Map<String, Task> tasks = new HashMap<>();
    store.taskOutcomes(runId).forEach(t -> tasks.put(t.key(), t));

    for (Stage stage : Stage.values()) {
      StageRecord record = stages.get(stage);
      if (record.state().isDone()) continue;
      MDC.put(LogContext.STAGE, stage.id());
      Instant now = clock.instant();
      if (record.state() == StageState.FAILED) {
        failRun(
            run,
            project,
            "stage " + stage.id() + " had failed: " + record.reason().orElse("no reason"));
        return;
      }
      if (record.state() == StageState.PENDING) {
        record =
            store.transitionStage(
                runId,
                stage,
                StageState.PENDING,
                StageState.RUNNING,
                Optional.empty(),
                0,
                "started",
                now);
        stages.put(stage, record);
        log.info("run {} entered stage {}", runId, stage.id());
      }
      StageStep step = planner.step(stage, new RunContext(project, run, config, tasks, stages));
      switch (step) {
        case StageStep.Work w -> {
          for (TaskSpec spec : w.enqueue()) store.enqueue(ids.next("task"), runId, spec, now);
          if (!w.enqueue().isEmpty()) workQueued.run();
          return;
        }
        case StageStep.Done d -> {
          stages.put(
              stage,
              store.transitionStage(
                  runId,
                  stage,
                  StageState.RUNNING,
                  StageState.COMPLETED,
                  Optional.of(d.result()),
                  d.iterations(),
                  d.reason(),
                  now));
          stageEnded(record, project, "completed", now);
          if (stage == Stage.STRUCTURE_CRITIQUE || stage == Stage.CHAPTER_WRITING)
            metrics.stageIterations(stage.id(), d.iterations());
          if (stage == Stage.STRUCTURE_CRITIQUE && d.reason().startsWith("iteration cap")) {
            store.recordEvent(
                new RunEvent(runId, Optional.empty(), RunEvent.CRITIQUE_CAP, d.reason(), now));
          }
          log.info("run {} finished stage {}: {}", runId, stage.id(), d.reason());
        }
        case StageStep.Skip s -> {
          stages.put(
              stage,
              store.transitionStage(
                  runId,
                  stage,
                  StageState.RUNNING,
                  StageState.SKIPPED,
                  Optional.empty(),
                  0,
                  s.reason(),
                  now));
          stageEnded(record, project, "skipped", now);
          log.info("run {} skipped stage {}: {}", runId, stage.id(), s.reason());
        }
        case StageStep.Failed f -> {
          store.transitionStage(
              runId,
              stage,
              StageState.RUNNING,
              StageState.FAILED,
              Optional.empty(),
              0,
              f.reason(),
              now);
          stageEnded(record, project, "failed", now);
          failRun(run, project, "stage " + stage.id() + " failed: " + f.reason());
          return;
        }
      }
    }
    MDC.remove(LogContext.STAGE);
    Run done =
        store.transitionRun(
            runId, RunState.RUNNING, RunState.COMPLETED, "all stages done", clock.instant());
    metrics.runFinished(project.category(), "completed");
    runSpan(done, project, null);
    log.info("run {} completed", runId);
    finished(done, project);
  }

  private void stageEnded(StageRecord started, Project project, String outcome, Instant now) {
    double seconds =
        started
            .startedAt()
            .map(t -> java.time.Duration.between(t, now).toNanos() / 1e9)
            .orElse(0.0);
    metrics.stageDuration(started.stage().id(), project.category(), outcome, seconds);
    String runId = started.runId();
    telemetry.recordSpan(
        "stage " + started.stage().id(),
        runId,
        Tracing.stageKey(runId, started.stage()),
        runId,
        started.startedAt().orElse(now),
        now,
        Tracing.runAttributes(project, runId).toBuilder()
            .put(SemConv.STAGE, started.stage().id())
            .put(
                io.opentelemetry.api.common.AttributeKey.stringKey("book_creator.stage.outcome"),
                outcome)
            .build(),
        outcome.equals("failed") ? "stage_failed" : null);
  }

  private void runSpan(Run run, Project project, String errorType) {
    telemetry.recordSpan(
        "run",
        run.id(),
        run.id(),
        null,
        run.createdAt(),
        run.updatedAt(),
        Tracing.runAttributes(project, run.id()),
        errorType);
  }

  private void failRun(Run run, Project project, String reason) {
    Instant now = clock.instant();
    store.cancelOpenTasks(run.id(), "run failed", now);
    Run failed = store.transitionRun(run.id(), RunState.RUNNING, RunState.FAILED, reason, now);
    metrics.runFinished(project.category(), "failed");
    runSpan(failed, project, "run_failed");
    log.warn("run {} failed: {}", run.id(), reason);
    finished(failed, project);
  }

  /** A paused or failed run was set running again: a new completion is awaited. */
  void resumed(String runId) {
    completions.remove(runId);
    completions.computeIfAbsent(runId, k -> new CompletableFuture<>());
    poke(runId);
  }

  private void finished(Run run, Project project) {
    if (run.state().isActive()) return;
    CompletableFuture<Run> f = completions.get(run.id());
    if (f != null && f.isDone()) return;
    try {
      summaries.write(run);
    } catch (RuntimeException e) {
      if (stopsThePipeline(e)) return;
      log.warn("could not write the summary of run {}", run.id(), e);
    }
    completions.computeIfAbsent(run.id(), k -> new CompletableFuture<>()).complete(run);
  }

  @Override
  public void close() {
    running.set(false);
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
