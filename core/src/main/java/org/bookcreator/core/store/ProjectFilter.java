package org.bookcreator.core.store;

import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;

/**
 * Which projects a list shows, newest first: by category, by the current stage of their latest run,
 * by the state of their latest run (or those with no run at all).
 *
 * @param latestState the latest run's state; with {@code noRun}, only projects without a run
 */
public record ProjectFilter(
    Optional<String> category,
    Optional<Stage> latestStage,
    Optional<RunState> latestState,
    boolean noRun,
    int limit,
    int offset) {
  public static final int MAX_LIMIT = 500;

  public ProjectFilter {
    category = Objects.requireNonNullElse(category, Optional.empty());
    latestStage = Objects.requireNonNullElse(latestStage, Optional.empty());
    latestState = Objects.requireNonNullElse(latestState, Optional.empty());
    if (limit < 1 || limit > MAX_LIMIT)
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", was " + limit);
    if (offset < 0) throw new IllegalArgumentException("offset must be 0 or more, was " + offset);
    if (noRun && latestState.isPresent())
      throw new IllegalArgumentException("a project without a run has no latest state");
  }

  /** Every project, a page as large as allowed. */
  public static ProjectFilter all(int limit, int offset) {
    return new ProjectFilter(
        Optional.empty(), Optional.empty(), Optional.empty(), false, limit, offset);
  }
}
