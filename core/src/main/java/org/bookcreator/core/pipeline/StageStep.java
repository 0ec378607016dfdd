package org.bookcreator.core.pipeline;

import java.util.List;
import org.bookcreator.core.run.TaskSpec;

/** What a stage wants next, decided afresh from the stored tasks each time it is asked. */
sealed interface StageStep {
  /** Tasks still to run (enqueuing is idempotent), or none while waiting for running ones. */
  record Work(List<TaskSpec> enqueue) implements StageStep {}

  record Done(String result, int iterations, String reason) implements StageStep {}

  record Skip(String reason) implements StageStep {}

  record Failed(String reason) implements StageStep {}
}
