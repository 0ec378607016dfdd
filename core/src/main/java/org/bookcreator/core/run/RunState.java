package org.bookcreator.core.run;

import org.bookcreator.core.support.Transitions;

/**
 * Lifecycle of a run. {@link #TABLE} is the only place that says which moves are legal. RUNNING to
 * RUNNING is an operator's restart of a stuck run, kept in its history with the reason.
 */
public enum RunState {
  QUEUED,
  RUNNING,
  PAUSED,
  COMPLETED,
  FAILED,
  CANCELLED;

  public static final Transitions<RunState> TABLE =
      Transitions.of("run", RunState.class)
          .allow(QUEUED, RUNNING, CANCELLED)
          .allow(RUNNING, RUNNING, COMPLETED, FAILED, CANCELLED, PAUSED)
          .allow(PAUSED, RUNNING, CANCELLED)
          .allow(FAILED, RUNNING, CANCELLED)
          .build();

  public boolean isTerminal() {
    return this == COMPLETED || this == CANCELLED;
  }

  /**
   * A run that holds its project: queued, running or paused. A project has at most one open run at
   * a time (the store enforces it).
   */
  public boolean isOpen() {
    return this == QUEUED || this == RUNNING || this == PAUSED;
  }

  /** A run the orchestrator should drive (or resume after a restart). */
  public boolean isActive() {
    return this == QUEUED || this == RUNNING;
  }
}
