package org.bookcreator.core.run;

import org.bookcreator.core.support.Transitions;

/**
 * Lifecycle of an agent task. LEASED to LEASED is a reclaim: the previous holder's lease expired
 * without a heartbeat and another worker took the task over. SUPERSEDED is final: an operator
 * re-ran the task's stage ({@code runs restart --from-stage}), and a new task took its place.
 */
public enum TaskState {
  QUEUED,
  LEASED,
  COMPLETED,
  FAILED,
  CANCELLED,
  SUPERSEDED;

  public static final Transitions<TaskState> TABLE =
      Transitions.of("task", TaskState.class)
          .allow(QUEUED, LEASED, CANCELLED, SUPERSEDED)
          .allow(LEASED, LEASED, QUEUED, COMPLETED, FAILED, CANCELLED, SUPERSEDED)
          .allow(COMPLETED, SUPERSEDED)
          .allow(FAILED, QUEUED, SUPERSEDED)
          .allow(CANCELLED, QUEUED, SUPERSEDED)
          .build();
}
