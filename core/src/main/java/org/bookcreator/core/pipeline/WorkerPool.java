package org.bookcreator.core.pipeline;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoreUnreachableException;
import org.bookcreator.core.store.StoreUnusableException;
import org.bookcreator.telemetry.BookMetrics;
import org.bookcreator.telemetry.LogContext;
import org.bookcreator.telemetry.Redactor;
import org.bookcreator.telemetry.SemConv;
import org.bookcreator.telemetry.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Agent workers on virtual threads. Each claims a task with a lease, renews the lease by heartbeat
 * while it works, and completes, retries or fails it. A worker that loses its lease drops its
 * result: the store fences every completion by lease owner.
 */
final class WorkerPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

  private final Store store;
  private final AgentExecutor executor;
  private final PipelineConfig config;
  private final BookMetrics metrics;
  private final Telemetry telemetry;
  private final Redactor redactor;
  private final Map<String, Instant> heartbeats = new ConcurrentHashMap<>();
  private final InstantSource clock;
  private final WorkSignal signal;
  private final Backoff backoff;
  private final Consumer<String> onTaskSettled;
  private final Consumer<StoreUnusableException> onStoreUnusable;
  private final String poolId;
  private final AtomicBoolean running = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final ScheduledExecutorService scheduler;

  WorkerPool(
      Store store,
      AgentExecutor executor,
      PipelineConfig config,
      Telemetry telemetry,
      InstantSource clock,
      WorkSignal signal,
      Backoff backoff,
      String poolId,
      Consumer<String> onTaskSettled,
      Consumer<StoreUnusableException> onStoreUnusable) {
    this.store = store;
    this.executor = executor;
    this.config = config;
    this.metrics = telemetry.metrics();
    this.telemetry = telemetry;
    this.redactor = telemetry.redactor();
    this.clock = clock;
    this.signal = signal;
    this.backoff = backoff;
    this.poolId = poolId;
    this.onTaskSettled = onTaskSettled;
    this.onStoreUnusable = onStoreUnusable;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "heartbeat-" + poolId);
              t.setDaemon(true);
              return t;
            });
  }

  void start() {
    if (!running.compareAndSet(false, true)) return;
    for (int i = 0; i < config.workers(); i++) {
      String workerId = poolId + "-w" + i;
      threads.add(Thread.ofVirtual().name("worker-" + workerId).start(() -> loop(workerId)));
    }
    long hb = config.heartbeat().toMillis();
    scheduler.scheduleAtFixedRate(this::reportAlive, 0, hb, TimeUnit.MILLISECONDS);
    log.info(
        "{} agent workers started: {}-w0 to {}-w{}",
        config.workers(),
        poolId,
        poolId,
        config.workers() - 1);
  }

  /** The last heartbeat of each worker of this pool. */
  Map<String, Instant> heartbeats() {
    return Map.copyOf(heartbeats);
  }

  private void reportAlive() {
    try {
      Instant now = clock.instant();
      for (int i = 0; i < config.workers(); i++) {
        if (!threads.isEmpty() && !threads.get(i).isAlive()) continue;
        store.heartbeat(poolId + "-w" + i, now);
        heartbeats.put(poolId + "-w" + i, now);
      }
    } catch (RuntimeException e) {
      if (stopsThePool(e)) return;
      log.warn("could not record worker heartbeats", e);
    }
  }

  private void loop(String workerId) {
    int emptyClaims = 0;
    while (running.get()) {
      try {
        long seen = signal.generation();
        Instant now = clock.instant();
        Optional<Task> claimed = store.claim(workerId, now, now.plus(config.lease()));
        if (claimed.isEmpty()) {
          signal.awaitChange(seen, idleWait(config.idlePoll(), ++emptyClaims));
          continue;
        }
        emptyClaims = 0;
        // More may be queued: the next idle worker looks (WorkSignal).
        signal.signalOne();
        work(workerId, claimed.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (stopsThePool(e)) return;
        log.error("worker {} hit an unexpected error; it keeps going", workerId, e);
        try {
          WorkSignal.sleep(config.idlePoll());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** The longest an idle worker waits between two looks at the queue when nothing wakes it. */
  static final Duration MAX_IDLE_WAIT = Duration.ofSeconds(1);

  /**
   * How long an idle worker waits after its {@code emptyClaims}-th empty claim in a row unless new
   * work wakes it: {@code idlePoll}, doubling with each further empty claim up to {@link
   * #MAX_IDLE_WAIT} (or {@code idlePoll} when that is longer). Waking is what starts work; the wait
   * only bounds how late a worker finds a task nothing announced (a retry whose delay has passed, a
   * signal lost between processes), so an idle pool does not query the store 20 times a second per
   * worker.
   */
  static Duration idleWait(Duration idlePoll, int emptyClaims) {
    Duration max = idlePoll.compareTo(MAX_IDLE_WAIT) > 0 ? idlePoll : MAX_IDLE_WAIT;
    Duration wait = idlePoll;
    for (int i = 1; i < emptyClaims && wait.compareTo(max) < 0; i++) wait = wait.multipliedBy(2);
    return wait.compareTo(max) > 0 ? max : wait;
  }

  private void work(String workerId, Task task) {
    try (LogContext.Scope ignored =
        LogContext.with(
            LogContext.PROJECT_ID,
            task.projectId(),
            LogContext.RUN_ID,
            task.runId(),
            LogContext.STAGE,
            task.stage().id(),
            LogContext.AGENT_ROLE,
            task.role().id(),
            LogContext.TASK_ID,
            task.id(),
            LogContext.WORKER,
            workerId)) {
      Instant queuedSince =
          task.notBefore().isAfter(task.updatedAt()) ? task.notBefore() : task.updatedAt();
      metrics.taskWait(
          task.role().id(), Duration.between(queuedSince, clock.instant()).toNanos() / 1e9);
      Span span =
          telemetry.startSpan(
              SemConv.OPERATION_INVOKE_AGENT + " " + task.role().id(),
              SpanKind.INTERNAL,
              telemetry.contextOf(task.runId(), Tracing.stageKey(task.runId(), task.stage())),
              Attributes.builder()
                  .put(SemConv.GEN_AI_OPERATION_NAME, SemConv.OPERATION_INVOKE_AGENT)
                  .put(SemConv.GEN_AI_AGENT_NAME, task.role().id())
                  .put(SemConv.PROJECT_ID, task.projectId())
                  .put(SemConv.RUN_ID, task.runId())
                  .put(SemConv.STAGE, task.stage().id())
                  .put(SemConv.TASK_ID, task.id())
                  .put(SemConv.TASK_KEY, task.key())
                  .put(SemConv.ATTEMPT, (long) task.attempt())
                  .build());
      MDC.put(LogContext.TRACE_ID, Telemetry.traceIdFor(task.runId()));
      if (span.getSpanContext().isValid())
        MDC.put(LogContext.SPAN_ID, span.getSpanContext().getSpanId());
      try (Scope current = span.makeCurrent()) {
        TaskOutcome outcome = workLeased(workerId, task);
        switch (outcome) {
          case TaskOutcome.Done d -> {}
          case TaskOutcome.Retry r -> fail(span, r.errorType());
          case TaskOutcome.Fail f -> fail(span, f.errorType());
          case TaskOutcome.LeaseLost l -> fail(span, "lease_lost");
        }
      } finally {
        span.end();
      }
    }
  }

  private static void fail(Span span, String errorType) {
    span.setAttribute(SemConv.ERROR_TYPE, errorType);
    span.setStatus(StatusCode.ERROR);
  }

  private TaskOutcome workLeased(String workerId, Task task) {
    AtomicBoolean lost = new AtomicBoolean();
    Duration every = config.heartbeat();
    ScheduledFuture<?> renewal =
        scheduler.scheduleAtFixedRate(
            () -> {
              try {
                if (!store.renewLease(task.id(), workerId, clock.instant().plus(config.lease()))) {
                  lost.set(true);
                }
              } catch (RuntimeException e) {
                if (!stopsThePool(e)) log.warn("lease renewal of task {} failed", task.key(), e);
              }
            },
            every.toMillis(),
            every.toMillis(),
            TimeUnit.MILLISECONDS);
    TaskOutcome outcome;
    try {
      outcome = executor.execute(task, lost::get);
    } catch (StoreUnusableException | StoreUnreachableException e) {
      // Nothing is settled: the task stays leased, and a later start (or, once the database
      // answers again, the reclaim of its expired lease) runs it.
      throw e;
    } catch (RuntimeException e) {
      log.error("task {} of run {} failed unexpectedly", task.key(), task.runId(), e);
      outcome = new TaskOutcome.Fail("internal", "unexpected error: " + e);
    } finally {
      renewal.cancel(false);
    }
    settle(workerId, task, outcome);
    onTaskSettled.accept(task.runId());
    return outcome;
  }

  private void settle(String workerId, Task task, TaskOutcome outcome) {
    Instant now = clock.instant();
    switch (outcome) {
      case TaskOutcome.Done d -> {
        if (!store.complete(task.id(), workerId, d.output(), now)) {
          metrics.agentTask(task.role().id(), "lease_lost");
          log.warn(
              "task {} finished but worker {} had lost its lease; result dropped",
              task.key(),
              workerId);
        } else {
          metrics.agentTask(task.role().id(), "completed");
        }
      }
      case TaskOutcome.Retry r -> {
        int failed = task.attempt() + 1;
        if (failed >= config.maxAttempts()) {
          metrics.agentTask(task.role().id(), "failed");
          store.fail(
              task.id(),
              workerId,
              r.errorType(),
              redactor.redact(
                  "gave up after " + failed + " attempt(s); last error: " + r.message()),
              now);
          log.warn(
              "task {} failed for good after {} attempts: {} {}",
              task.key(),
              failed,
              r.errorType(),
              r.message());
        } else {
          Duration delay = backoff.delay(failed, r.retryAfter());
          metrics.agentTask(task.role().id(), "retried");
          // The event first: once the task is back in the queue, another worker may take it, fail
          // and record its own retry, and the history must keep the attempts in order.
          store.recordEvent(
              new RunEvent(
                  task.runId(),
                  Optional.of(task.id()),
                  RunEvent.RETRY,
                  redactor.redact(
                      task.key()
                          + " attempt "
                          + failed
                          + " failed ("
                          + r.errorType()
                          + ": "
                          + r.message()
                          + "); retrying in "
                          + delay.toMillis()
                          + " ms"),
                  now));
          store.retry(
              task.id(),
              workerId,
              r.errorType(),
              redactor.redact(r.message()),
              now.plus(delay),
              now);
          log.info(
              "task {} attempt {} failed ({}); retrying in {} ms",
              task.key(),
              failed,
              r.errorType(),
              delay.toMillis());
          signal.signalOne();
        }
      }
      case TaskOutcome.Fail f -> {
        metrics.agentTask(task.role().id(), "failed");
        store.fail(task.id(), workerId, f.errorType(), redactor.redact(f.message()), now);
        log.warn("task {} failed: {} {}", task.key(), f.errorType(), f.message());
      }
      case TaskOutcome.LeaseLost l -> {
        metrics.agentTask(task.role().id(), "lease_lost");
        log.warn(
            "worker {} lost the lease on task {}; another worker owns it now",
            workerId,
            task.key());
      }
    }
  }

  /**
   * When the store cannot go on (a full disk, a damaged file), stops the pool and says so; true
   * when it did. Other failures are the caller's to handle.
   */
  private boolean stopsThePool(RuntimeException e) {
    if (!(e instanceof StoreUnusableException unusable)) return false;
    stop();
    onStoreUnusable.accept(unusable);
    return true;
  }

  /** Stops claiming tasks; what is in hand ends as it ends. {@link #close} waits for it. */
  void stop() {
    running.set(false);
    signal.signalAll();
  }

  @Override
  public void close() {
    stop();
    for (Thread t : threads) {
      try {
        t.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    scheduler.shutdownNow();
    // Stopped cleanly: these workers are not missing, so WorkerHeartbeatMissing must not see them.
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < config.workers(); i++) ids.add(poolId + "-w" + i);
    try {
      store.forgetWorkers(ids);
    } catch (RuntimeException e) {
      log.warn("could not remove the stopped workers from the store", e);
    }
  }
}
