package org.bookcreator.core.ops;

import java.time.Instant;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.IllegalTransitionException;

/**
 * Operator actions on a run that need only the store, shared by the command line and the HTTP
 * API. Each action is recorded in the run's history with its reason.
 */
public final class RunControl {
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
      throw new Conflict("run " + runId + " is " + run.state().name().toLowerCase()
          + "; only paused or failed runs restart (unfinished ones resume by themselves)");
    }
    try {
      if (run.state() == RunState.FAILED) {
        store.requeueFailedTasks(runId, reason, now);
        store.stages(runId).stream().filter(s -> s.state() == org.bookcreator.core.run.StageState.FAILED)
            .forEach(s -> store.transitionStage(runId, s.stage(), org.bookcreator.core.run.StageState.FAILED,
                org.bookcreator.core.run.StageState.RUNNING, java.util.Optional.empty(), 0, reason, now));
      }
      return store.transitionRun(runId, run.state(), RunState.RUNNING, reason, now);
    } catch (IllegalTransitionException e) {
      throw new Conflict("run " + runId + " changed state meanwhile (" + e.getMessage() + "); look again");
    }
  }

  /**
   * Cancels a run: it becomes cancelled (final), its queued tasks are cancelled, and workers take
   * nothing more from it (a task in flight finishes). {@code reason} must not be blank.
   */
  public static Cancelled cancel(Store store, String runId, String reason, Instant now) {
    if (reason == null || reason.isBlank()) throw new IllegalArgumentException("a reason is required");
    Run run = store.run(runId).orElseThrow(() -> new NotFound("no run " + runId));
    if (!RunState.TABLE.allows(run.state(), RunState.CANCELLED)) {
      throw new Conflict("run " + runId + " is " + run.state().name().toLowerCase() + " and cannot be cancelled");
    }
    String why = "cancelled by the operator: " + reason;
    Run cancelled;
    try {
      cancelled = store.transitionRun(runId, run.state(), RunState.CANCELLED, why, now);
    } catch (IllegalTransitionException e) {
      throw new Conflict("run " + runId + " changed state meanwhile (" + e.getMessage() + "); look again");
    }
    return new Cancelled(cancelled, run.state(), store.cancelOpenTasks(runId, why, now));
  }
}
