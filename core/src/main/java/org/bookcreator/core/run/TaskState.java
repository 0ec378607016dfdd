package org.bookcreator.core.run;

import org.bookcreator.core.support.Transitions;

/**
 * Lifecycle of an agent task. LEASED to LEASED is a reclaim: the previous holder's lease expired
 * without a heartbeat and another worker took the task over.
 */
public enum TaskState {
  QUEUED,
  LEASED,
  COMPLETED,
  FAILED,
  CANCELLED;

  public static final Transitions<TaskState> TABLE =
      Transitions.of("task", TaskState.class)
          .allow(QUEUED, LEASED, CANCELLED)
          .allow(LEASED, LEASED, QUEUED, COMPLETED, FAILED, CANCELLED)
          .allow(FAILED, QUEUED)
          .allow(CANCELLED, QUEUED)
          .build();
}
