package org.bookcreator.core.ops;

import java.math.BigDecimal;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.project.Brief;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.RestartPlan;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskState;
import org.bookcreator.core.store.OpenRunExistsException;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Ids;
import org.bookcreator.core.support.IllegalTransitionException;
import org.bookcreator.telemetry.LogContext;
import org.bookcreator.telemetry.Redactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change a person can ask for: create a project, start a run, cancel, restart (from a stage,
 * as a dry run, with a new budget), resume, change a budget. The command line and the HTTP API call
 * these and nothing else; besides the pipeline itself, this is the only writer of runs.
 *
 * <p>Each use case is atomic where it must be: the store opens at most one run per project (a
 * second start fails with {@link Conflict}, whatever the concurrency), and a restart with a new
 * budget sets the budget and moves the run in one transaction. Budgets are read by the pipeline at
 * every priced call, so a change reaches every live pipeline of the project, in this process or
 * another one sharing the store.
 *
 * <p>After a change, the {@link Driver} is told which run to look at: the pipeline of this process,
 * or nobody when another process's orchestrator drives the runs (it finds them on its next sweep).
 * Thread-safe.
 */
public final class RunService {
  private static final Logger log = LoggerFactory.getLogger(RunService.class);
  private static final int RESTART_TRIES = 3;

  /** Whoever carries runs out in this process: told when a run was started or set going again. */
  @FunctionalInterface
  public interface Driver {
    /** The run was created or set running: look at it now. Cheap; never throws. */
    void wake(String runId);

    /** For a process that drives no runs: another process's orchestrator sweeps the store. */
    Driver NONE = runId -> {};
  }

  /** No such project or run. */
  public static final class NotFound extends RuntimeException {
    public NotFound(String message) {
      super(message);
    }
  }

  /** The state of the run or project does not allow the change (or changed meanwhile). */
  public static final class Conflict extends RuntimeException {
    public Conflict(String message) {
      super(message);
    }
  }

  /** A cancelled run and how many of its waiting tasks were cancelled with it. */
  public record Cancelled(Run run, RunState was, int tasksCancelled) {}

  /** A restart as planned and, unless it was a dry run, as carried out. */
  public record Restarted(RestartPlan plan, Optional<Run> run) {
    public boolean dryRun() {
      return run.isEmpty();
    }
  }

  /**
   * What an operator asks of a restart.
   *
   * @param fromStage re-run this stage and every later one; empty: go on from the last completed
   *     task
   * @param budgetUsd set the project's budget in the same transaction; empty: unchanged
   * @param reason why, recorded in the run's history; must not be blank
   */
  public record RestartRequest(
      String runId,
      Optional<Stage> fromStage,
      Optional<BigDecimal> budgetUsd,
      String reason,
      boolean dryRun) {
    public RestartRequest {
      Objects.requireNonNull(runId, "runId");
      fromStage = Objects.requireNonNullElse(fromStage, Optional.empty());
      budgetUsd = Objects.requireNonNullElse(budgetUsd, Optional.empty());
      requireReason(reason);
      budgetUsd.ifPresent(RunService::requirePositive);
    }

    /** Go on from the last completed task, budget unchanged. */
    public static RestartRequest of(String runId, String reason) {
      return new RestartRequest(runId, Optional.empty(), Optional.empty(), reason, false);
    }
  }

  private final Store store;
  private final Ids ids;
  private final InstantSource clock;
  private final long seed;
  private final Redactor redactor;
  private final Driver driver;

  /**
   * @param seed the simulated provider's seed for runs started without one
   * @param redactor masks secrets in the briefs accepted (the one the logs use)
   */
  public RunService(
      Store store, Ids ids, InstantSource clock, long seed, Redactor redactor, Driver driver) {
    this.store = Objects.requireNonNull(store, "store");
    this.ids = Objects.requireNonNull(ids, "ids");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.seed = seed;
    this.redactor = Objects.requireNonNull(redactor, "redactor");
    this.driver = Objects.requireNonNull(driver, "driver");
  }

  /**
   * Accepts a brief as a new project, with credential-shaped text in its title, audience and text
   * masked first (docs/briefs.md), whichever door it came in by.
   */
  public Project createProject(Brief brief, String origin) {
    Project p = Project.from(ids.next("prj"), brief.masked(redactor), clock.instant());
    store.createProject(p);
    try (LogContext.Scope ignored = LogContext.with(LogContext.PROJECT_ID, p.id())) {
      log.info("project {} \"{}\" ({}) created {}", p.id(), p.title(), p.category(), origin);
    }
    return p;
  }

  /** Starts a run of the project with this service's seed. */
  public Run start(String projectId, String reason) {
    return start(projectId, seed, reason);
  }

  /**
   * Starts a new run of the project.
   *
   * @throws NotFound when there is no such project
   * @throws Conflict when the project already has an open (queued, running or paused) run
   */
  public Run start(String projectId, long runSeed, String reason) {
    requireReason(reason);
    if (store.project(projectId).isEmpty()) throw new NotFound("no project " + projectId);
    Run run;
    try {
      run = store.createRun(ids.next("run"), projectId, runSeed, reason, clock.instant());
    } catch (OpenRunExistsException e) {
      throw new Conflict(e.getMessage());
    }
    driver.wake(run.id());
    return run;
  }

  /**
   * Cancels a run: it becomes cancelled (final), its waiting tasks are cancelled, and workers take
   * nothing more from it (a task in flight finishes).
   */
  public Cancelled cancel(String runId, String reason) {
    requireReason(reason);
    Run run = run(runId);
    if (!RunState.TABLE.allows(run.state(), RunState.CANCELLED)) {
      throw new Conflict("run " + runId + " is " + name(run.state()) + " and cannot be cancelled");
    }
    String why = "cancelled by the operator: " + reason;
    Run cancelled;
    try {
      cancelled = store.transitionRun(runId, run.state(), RunState.CANCELLED, why, clock.instant());
    } catch (IllegalTransitionException e) {
      throw new Conflict(
          "run " + runId + " changed state meanwhile (" + e.getMessage() + "); look again");
    }
    int tasks = store.cancelOpenTasks(runId, why, clock.instant());
    try (LogContext.Scope ignored = runContext(run)) {
      log.info(
          "run {} {} (was {}; {} queued task(s) cancelled)", runId, why, name(run.state()), tasks);
    }
    return new Cancelled(cancelled, run.state(), tasks);
  }

  /**
   * What a restart would change, changing nothing: for a running (stuck), paused or failed run.
   * Without {@code fromStage}, the run goes on from its last completed task; with it, that stage
   * and every later one run again.
   */
  public RestartPlan planRestart(String runId, Optional<Stage> fromStage) {
    Run run = run(runId);
    switch (run.state()) {
      case RUNNING, PAUSED, FAILED -> {}
      case QUEUED ->
          throw new Conflict(
              "run " + runId + " is queued: it starts by itself; nothing to restart");
      default ->
          throw new Conflict(
              "run "
                  + runId
                  + " is "
                  + name(run.state())
                  + " and cannot restart; start a new run of its project instead");
    }
    List<Task> revoke = new ArrayList<>();
    List<Task> requeue = new ArrayList<>();
    List<Task> supersede = new ArrayList<>();
    for (Task t : store.taskOutcomes(runId)) {
      if (t.state() == TaskState.SUPERSEDED) continue;
      if (fromStage.isPresent() && t.stage().compareTo(fromStage.get()) >= 0) {
        supersede.add(t);
      } else if (t.state() == TaskState.LEASED) {
        revoke.add(t);
      } else if (t.state() == TaskState.FAILED || t.state() == TaskState.CANCELLED) {
        requeue.add(t);
      }
    }
    List<StageRecord> rewind = new ArrayList<>();
    for (StageRecord st : store.stages(runId)) {
      boolean rerun = fromStage.isPresent() && st.stage().compareTo(fromStage.get()) >= 0;
      if ((rerun && st.state() != StageState.PENDING) || st.state() == StageState.FAILED) {
        rewind.add(st);
      }
    }
    return new RestartPlan(run, fromStage, revoke, requeue, supersede, rewind, Optional.empty());
  }

  /**
   * Restarts a stuck, paused or failed run without losing work or paying twice: leases are taken
   * back, failed tasks queued again, re-run stages rewound, the budget changed if asked, all in one
   * transaction, every change recorded with the reason. Workers keep settling tasks while an
   * operator restarts, so when the run moved between plan and apply, it is planned again (three
   * tries). A dry run only plans.
   */
  public Restarted restart(RestartRequest request) {
    String why =
        "restarted by the operator: "
            + request.reason()
            + request.fromStage().map(st -> " (from stage " + st.id() + ")").orElse("")
            + request
                .budgetUsd()
                .map(b -> " (budget set to $" + b.toPlainString() + ")")
                .orElse("");
    for (int attempt = 1; ; attempt++) {
      RestartPlan plan =
          planRestart(request.runId(), request.fromStage()).withBudget(request.budgetUsd());
      if (request.dryRun()) return new Restarted(plan, Optional.empty());
      try {
        return new Restarted(plan, Optional.of(apply(plan, why)));
      } catch (IllegalTransitionException e) {
        if (attempt >= RESTART_TRIES) {
          throw new Conflict(
              "run "
                  + request.runId()
                  + " kept changing while restarting ("
                  + e.getMessage()
                  + "); nothing was changed, try again");
        }
      }
    }
  }

  /**
   * Lets a paused (budget) or failed run go on from its last completed task, optionally with a new
   * budget: a restart without a stage.
   */
  public Run resume(String runId, Optional<BigDecimal> budgetUsd, String reason) {
    Run run = run(runId);
    if (run.state() != RunState.PAUSED && run.state() != RunState.FAILED) {
      throw new Conflict(
          "run "
              + runId
              + " is "
              + name(run.state())
              + "; only paused or failed runs resume (unfinished ones resume by themselves)");
    }
    requireReason(reason);
    String why =
        reason + budgetUsd.map(b -> " (budget set to $" + b.toPlainString() + ")").orElse("");
    RestartPlan plan = planRestart(runId, Optional.empty()).withBudget(budgetUsd);
    try {
      return apply(plan, why);
    } catch (IllegalTransitionException e) {
      throw new Conflict(
          "run " + runId + " changed while resuming (" + e.getMessage() + "); nothing changed");
    }
  }

  /**
   * Sets or clears a project's budget. Live pipelines read budgets at every priced call, so the new
   * one holds from the next call on.
   */
  public Project changeBudget(String projectId, Optional<BigDecimal> budgetUsd, String reason) {
    requireReason(reason);
    budgetUsd.ifPresent(RunService::requirePositive);
    if (store.project(projectId).isEmpty()) throw new NotFound("no project " + projectId);
    store.setBudget(projectId, budgetUsd);
    try (LogContext.Scope ignored = LogContext.with(LogContext.PROJECT_ID, projectId)) {
      log.info(
          "budget of project {} {}: {}",
          projectId,
          budgetUsd.map(b -> "set to $" + b.toPlainString()).orElse("cleared"),
          reason);
    }
    return store.project(projectId).orElseThrow();
  }

  private Run apply(RestartPlan plan, String why) {
    Run run;
    try {
      run = store.applyRestart(plan, why, clock.instant());
    } catch (OpenRunExistsException e) {
      throw new Conflict(e.getMessage());
    }
    try (LogContext.Scope ignored = runContext(run)) {
      log.info("run {} restarted ({}): {}", run.id(), why, String.join("; ", plan.describe()));
    }
    driver.wake(run.id());
    return run;
  }

  private Run run(String runId) {
    return store.run(runId).orElseThrow(() -> new NotFound("no run " + runId));
  }

  private static LogContext.Scope runContext(Run run) {
    return LogContext.with(LogContext.RUN_ID, run.id(), LogContext.PROJECT_ID, run.projectId());
  }

  private static String name(RunState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  private static void requireReason(String reason) {
    if (reason == null || reason.isBlank())
      throw new IllegalArgumentException("a reason is required");
  }

  private static void requirePositive(BigDecimal budget) {
    if (budget.signum() <= 0)
      throw new IllegalArgumentException("budget_usd must be greater than 0");
  }
}
