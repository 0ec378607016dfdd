package org.bookcreator.core.ops;

import java.time.Instant;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.IllegalTransitionException;

/**
 * Operator actions on a run that need only the store, shared by the command line and the HTTP API.
 * Each action is recorded in the run's history with its reason.
 */
public final class RunControl {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RunControl.class);

  /** No run with that id. */
  public static final class NotFound extends RuntimeException {
    public NotFound(String message) {
      super(message);
    }
  }

  /** The run's state does not allow the action (or changed meanwhile). */
  public static final class Conflict extends RuntimeException {
    public Conflict(String message) {
      super(message);
    }
  }

  /** A cancelled run and how many of its queued tasks were cancelled with it. */
  public record Cancelled(Run run, RunState was, int tasksCancelled) {}

  private RunControl() {}

  /**
   * Lets a paused (budget) or failed run go on from its last completed task: a failed run's failed
   * and cancelled tasks are queued again and its failed stages run again; the run becomes running
   * with {@code reason} in its history. An orchestrator (in this process or another one sharing the
   * store) picks it up on its next sweep. Completed tasks and recorded calls are kept, so nothing
   * is paid twice.
   */
  public static Run resume(Store store, String runId, String reason, Instant now) {
    Run run = store.run(runId).orElseThrow(() -> new NotFound("no run " + runId));
    if (run.state() != RunState.PAUSED && run.state() != RunState.FAILED) {
      throw new Conflict(
          "run "
              + runId
              + " is "
              + run.state().name().toLowerCase()
              + "; only paused or failed runs resume (unfinished ones resume by themselves)");
    }
    return restart(store, planRestart(store, runId, java.util.Optional.empty()), reason, now);
  }

  /**
   * What {@link #restart} would change (nothing is changed): for a running (stuck), paused or
   * failed run. Without {@code fromStage}, the run goes on from its last completed task; with it,
   * that stage and every later one run again.
   */
  public static org.bookcreator.core.run.RestartPlan planRestart(
      Store store, String runId, java.util.Optional<org.bookcreator.core.run.Stage> fromStage) {
    Run run = store.run(runId).orElseThrow(() -> new NotFound("no run " + runId));
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
                  + run.state().name().toLowerCase()
                  + " and cannot restart; start a new run of its project instead");
    }
    java.util.List<org.bookcreator.core.run.Task> revoke = new java.util.ArrayList<>();
    java.util.List<org.bookcreator.core.run.Task> requeue = new java.util.ArrayList<>();
    java.util.List<org.bookcreator.core.run.Task> supersede = new java.util.ArrayList<>();
    for (var t : store.taskOutcomes(runId)) {
      if (t.state() == org.bookcreator.core.run.TaskState.SUPERSEDED) continue;
      if (fromStage.isPresent() && t.stage().compareTo(fromStage.get()) >= 0) {
        supersede.add(t);
      } else if (t.state() == org.bookcreator.core.run.TaskState.LEASED) {
        revoke.add(t);
      } else if (t.state() == org.bookcreator.core.run.TaskState.FAILED
          || t.state() == org.bookcreator.core.run.TaskState.CANCELLED) {
        requeue.add(t);
      }
    }
    java.util.List<org.bookcreator.core.run.StageRecord> rewind = new java.util.ArrayList<>();
    for (var st : store.stages(runId)) {
      boolean rerun = fromStage.isPresent() && st.stage().compareTo(fromStage.get()) >= 0;
      if ((rerun && st.state() != org.bookcreator.core.run.StageState.PENDING)
          || st.state() == org.bookcreator.core.run.StageState.FAILED) {
        rewind.add(st);
      }
    }
    return new org.bookcreator.core.run.RestartPlan(
        run, fromStage, revoke, requeue, supersede, rewind);
  }

  /** A restart as carried out: the plan applied, and the run, now running. */
  public record Restarted(org.bookcreator.core.run.RestartPlan plan, Run run) {}

  /**
   * Plans a restart and applies it with {@code apply}, planning again (three tries in all) when the
   * run moved in between: live workers keep settling tasks while an operator restarts.
   */
  public static Restarted planAndApply(
      Store store,
      String runId,
      java.util.Optional<org.bookcreator.core.run.Stage> fromStage,
      java.util.function.Function<org.bookcreator.core.run.RestartPlan, Run> apply) {
    for (int attempt = 1; ; attempt++) {
      org.bookcreator.core.run.RestartPlan plan = planRestart(store, runId, fromStage);
      try {
        return new Restarted(plan, apply.apply(plan));
      } catch (Conflict e) {
        if (attempt >= 3 || !String.valueOf(e.getMessage()).contains("changed while restarting"))
          throw e;
      }
    }
  }

  /**
   * Carries out a plan of {@link #planRestart} atomically, recording every change with {@code
   * reason} (the whole text); an orchestrator picks the run up on its next sweep. Throws {@link
   * Conflict} when anything changed since the plan was made (plan again).
   */
  public static Run restart(
      Store store, org.bookcreator.core.run.RestartPlan plan, String reason, Instant now) {
    if (reason == null || reason.isBlank())
      throw new IllegalArgumentException("a reason is required");
    try {
      Run run = store.applyRestart(plan, reason, now);
      try (var ignored =
          org.bookcreator.telemetry.LogContext.with(
              org.bookcreator.telemetry.LogContext.RUN_ID,
              run.id(),
              org.bookcreator.telemetry.LogContext.PROJECT_ID,
              run.projectId())) {
        log.info("run {} restarted ({}): {}", run.id(), reason, String.join("; ", plan.describe()));
      }
      return run;
    } catch (IllegalTransitionException e) {
      throw new Conflict(
          "run "
              + plan.run().id()
              + " changed while restarting ("
              + e.getMessage()
              + "); nothing was changed, plan again");
    }
  }

  /**
   * Cancels a run: it becomes cancelled (final), its queued tasks are cancelled, and workers take
   * nothing more from it (a task in flight finishes). {@code reason} must not be blank.
   */
  public static Cancelled cancel(Store store, String runId, String reason, Instant now) {
    if (reason == null || reason.isBlank())
      throw new IllegalArgumentException("a reason is required");
    Run run = store.run(runId).orElseThrow(() -> new NotFound("no run " + runId));
    if (!RunState.TABLE.allows(run.state(), RunState.CANCELLED)) {
      throw new Conflict(
          "run " + runId + " is " + run.state().name().toLowerCase() + " and cannot be cancelled");
    }
    String why = "cancelled by the operator: " + reason;
    Run cancelled;
    try {
      cancelled = store.transitionRun(runId, run.state(), RunState.CANCELLED, why, now);
    } catch (IllegalTransitionException e) {
      throw new Conflict(
          "run " + runId + " changed state meanwhile (" + e.getMessage() + "); look again");
    }
    int tasks = store.cancelOpenTasks(runId, why, now);
    try (var ignored =
        org.bookcreator.telemetry.LogContext.with(
            org.bookcreator.telemetry.LogContext.RUN_ID,
            runId,
            org.bookcreator.telemetry.LogContext.PROJECT_ID,
            run.projectId())) {
      log.info(
          "run {} {} (was {}; {} queued task(s) cancelled)",
          runId,
          why,
          run.state().name().toLowerCase(),
          tasks);
    }
    return new Cancelled(cancelled, run.state(), tasks);
  }
}
