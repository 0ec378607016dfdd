package org.bookcreator.core.store;

/**
 * A project may have one open run (queued, running or paused) at a time; the store refused to open
 * a second one. Thrown by {@link Store#createRun} and by any move that would open a run while
 * another run of its project is open.
 */
public final class OpenRunExistsException extends StoreException {
  private final String openRunId;

  public OpenRunExistsException(String projectId, String openRunId, String openRunState) {
    super(
        "project "
            + projectId
            + " already has run "
            + openRunId
            + " ("
            + openRunState
            + "); cancel it or restart it instead");
    this.openRunId = openRunId;
  }

  /** The run that holds the project, or "?" when the store could not tell which. */
  public String openRunId() {
    return openRunId;
  }
}
