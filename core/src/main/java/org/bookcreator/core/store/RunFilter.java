package org.bookcreator.core.store;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;

/**
 * Which runs a list shows and in what order: of one project, in one state, of one category, in one
 * current stage, matching a search (a run id, or text in the project's title), sorted by start,
 * last change or cost. Filtered, sorted and paged in the store, so a page of 100,000 runs costs one
 * query.
 *
 * @param search a run id (exact) or text the project's title contains (case-insensitive for ASCII)
 */
public record RunFilter(
    Optional<String> projectId,
    Optional<RunState> state,
    Optional<String> category,
    Optional<Stage> stage,
    Optional<String> search,
    Sort sort,
    boolean ascending,
    int limit,
    int offset) {
  public static final int MAX_LIMIT = 500;

  /** At most this many characters of search text. */
  public static final int MAX_SEARCH = 200;

  /** What a list of runs is ordered by; ties go by run id. */
  public enum Sort {
    /** When the run was created (queued). */
    STARTED,
    /** The run's last change. */
    UPDATED,
    /** What the run's model calls cost so far. */
    COST;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The sort an id names; {@link IllegalArgumentException} naming the known ones otherwise. */
    public static Sort parse(String id) {
      for (Sort s : values()) if (s.id().equals(id.strip().toLowerCase(Locale.ROOT))) return s;
      throw new IllegalArgumentException(
          "unknown sort '" + id + "' (one of: started, updated, cost)");
    }
  }

  public RunFilter {
    projectId = Objects.requireNonNullElse(projectId, Optional.empty());
    state = Objects.requireNonNullElse(state, Optional.empty());
    category = Objects.requireNonNullElse(category, Optional.empty());
    stage = Objects.requireNonNullElse(stage, Optional.empty());
    search =
        Objects.requireNonNullElse(search, Optional.<String>empty())
            .map(String::strip)
            .filter(s -> !s.isEmpty());
    sort = Objects.requireNonNullElse(sort, Sort.STARTED);
    if (search.isPresent() && search.get().length() > MAX_SEARCH)
      throw new IllegalArgumentException("search must be at most " + MAX_SEARCH + " characters");
    if (limit < 1 || limit > MAX_LIMIT)
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", was " + limit);
    if (offset < 0) throw new IllegalArgumentException("offset must be 0 or more, was " + offset);
  }

  /** Runs of one project and in one state, newest first. */
  public RunFilter(Optional<String> projectId, Optional<RunState> state, int limit, int offset) {
    this(
        projectId,
        state,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Sort.STARTED,
        false,
        limit,
        offset);
  }
}
