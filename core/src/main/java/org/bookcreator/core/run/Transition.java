package org.bookcreator.core.run;

import java.time.Instant;
import java.util.Objects;

/**
 * One recorded state change: which entity ({@code run}, {@code stage} or {@code task}), from what,
 * to what, when and why. The history of a run is the list of these.
 */
public record Transition(
    String runId,
    String entity,
    String entityId,
    String from,
    String to,
    String reason,
    Instant at) {
  public Transition {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(entityId, "entityId");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(at, "at");
  }
}
