package org.bookcreator.core.run;

import org.bookcreator.core.support.Transitions;

/** Lifecycle of one stage within one run. */
public enum StageState {
  PENDING,
  RUNNING,
  COMPLETED,
  SKIPPED,
  FAILED;

  public static final Transitions<StageState> TABLE =
      Transitions.of("stage", StageState.class)
          .allow(PENDING, RUNNING, SKIPPED)
          .allow(RUNNING, COMPLETED, FAILED, SKIPPED)
          .allow(FAILED, RUNNING)
          .build();

  public boolean isDone() {
    return this == COMPLETED || this == SKIPPED;
  }
}
