package org.bookcreator.core.run;

import org.bookcreator.core.support.Transitions;

/**
 * Lifecycle of one stage within one run. Any state back to PENDING is an operator's rewind (runs
 * restart --from-stage).
 */
public enum StageState {
  PENDING,
  RUNNING,
  COMPLETED,
  SKIPPED,
  FAILED;

  public static final Transitions<StageState> TABLE =
      Transitions.of("stage", StageState.class)
          .allow(PENDING, RUNNING, SKIPPED)
          .allow(RUNNING, COMPLETED, FAILED, SKIPPED, PENDING)
          .allow(COMPLETED, PENDING)
          .allow(SKIPPED, PENDING)
          .allow(FAILED, RUNNING, PENDING)
          .build();

  public boolean isDone() {
    return this == COMPLETED || this == SKIPPED;
  }
}
