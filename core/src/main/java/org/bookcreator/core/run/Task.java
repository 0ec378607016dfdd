package org.bookcreator.core.run;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An agent task as stored. {@code attempt} counts failed attempts so far (0 on the first try);
 * {@code claims} counts how often a worker took it (a reclaim after a lost lease adds one without
 * adding an attempt). {@code updatedAt} is when the task last changed state other than by a claim:
 * for a leased task, when it was queued.
 */
public record Task(
    String id,
    String runId,
    String projectId,
    String key,
    Stage stage,
    TaskKind kind,
    TaskState state,
    String input,
    Optional<String> output,
    int attempt,
    int claims,
    Optional<String> leaseOwner,
    Optional<Instant> leaseExpiresAt,
    Instant notBefore,
    Optional<String> errorType,
    Optional<String> error,
    Instant createdAt,
    Instant updatedAt) {
  public Task {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(state, "state");
    output = Objects.requireNonNullElse(output, Optional.empty());
    leaseOwner = Objects.requireNonNullElse(leaseOwner, Optional.empty());
    leaseExpiresAt = Objects.requireNonNullElse(leaseExpiresAt, Optional.empty());
    errorType = Objects.requireNonNullElse(errorType, Optional.empty());
    error = Objects.requireNonNullElse(error, Optional.empty());
  }

  public AgentRole role() {
    return kind.role();
  }
}
