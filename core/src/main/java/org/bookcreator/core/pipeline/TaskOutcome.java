package org.bookcreator.core.pipeline;

import java.time.Duration;
import java.util.Optional;

/** How the work on one task ended, as decided by the agent executor. */
sealed interface TaskOutcome {
  record Done(String output) implements TaskOutcome {}

  record Retry(String errorType, String message, Optional<Duration> retryAfter)
      implements TaskOutcome {}

  record Fail(String errorType, String message) implements TaskOutcome {}

  /** The worker lost its lease: another worker owns the task now; drop the result. */
  record LeaseLost() implements TaskOutcome {}
}
