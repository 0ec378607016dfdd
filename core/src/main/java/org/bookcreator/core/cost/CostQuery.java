package org.bookcreator.core.cost;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which ledger rows a cost report covers and how it groups them. Times are a half-open range {@code
 * [since, until)} on the call time.
 */
public record CostQuery(
    Optional<String> projectId,
    Optional<String> runId,
    Optional<String> category,
    Optional<Instant> since,
    Optional<Instant> until,
    List<CostDimension> by) {
  public CostQuery {
    projectId = Objects.requireNonNullElse(projectId, Optional.empty());
    runId = Objects.requireNonNullElse(runId, Optional.empty());
    category = Objects.requireNonNullElse(category, Optional.empty());
    since = Objects.requireNonNullElse(since, Optional.empty());
    until = Objects.requireNonNullElse(until, Optional.empty());
    by = List.copyOf(by);
    if (by.stream().distinct().count() != by.size())
      throw new IllegalArgumentException("a dimension is repeated in " + by);
  }

  public static CostQuery all(List<CostDimension> by) {
    return new CostQuery(
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        by);
  }
}
