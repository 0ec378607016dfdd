package org.bookcreator.core.run;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** One attempt at writing a project's book. A project may have several runs. */
public record Run(
    String id,
    String projectId,
    int number,
    RunState state,
    Optional<Stage> stage,
    long seed,
    Instant createdAt,
    Instant updatedAt,
    Optional<String> reason) {
  public Run {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(projectId, "projectId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    stage = Objects.requireNonNullElse(stage, Optional.empty());
    reason = Objects.requireNonNullElse(reason, Optional.empty());
  }
}
