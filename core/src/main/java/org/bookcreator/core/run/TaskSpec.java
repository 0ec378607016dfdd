package org.bookcreator.core.run;

import java.util.Objects;

/**
 * A task the orchestrator wants done. {@code key} is unique within the run and deterministic (for
 * example {@code chapter-3/draft-1}), so enqueuing the same spec twice creates one task.
 */
public record TaskSpec(String key, Stage stage, TaskKind kind, String input) {
  public TaskSpec {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(input, "input");
  }

  public AgentRole role() {
    return kind.role();
  }
}
