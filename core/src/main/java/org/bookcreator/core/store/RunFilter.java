package org.bookcreator.core.store;

import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.run.RunState;

/** Which runs a list shows, newest first: of one project, in one state. */
public record RunFilter(
    Optional<String> projectId, Optional<RunState> state, int limit, int offset) {
  public static final int MAX_LIMIT = 500;

  public RunFilter {
    projectId = Objects.requireNonNullElse(projectId, Optional.empty());
    state = Objects.requireNonNullElse(state, Optional.empty());
    if (limit < 1 || limit > MAX_LIMIT)
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", was " + limit);
    if (offset < 0) throw new IllegalArgumentException("offset must be 0 or more, was " + offset);
  }
}
