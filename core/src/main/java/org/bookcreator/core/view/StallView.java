package org.bookcreator.core.view;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.run.Stage;

/** A stalled run: why (the detector's kind and reason), since when, and for how long by now. */
public record StallView(
    String runId,
    String projectId,
    Optional<String> stage,
    String kind,
    String reason,
    Instant lastProgress,
    long stalledSeconds) {

  static StallView of(StallDetector.Stall s, Instant now) {
    return new StallView(
        s.run().id(),
        s.run().projectId(),
        s.run().stage().map(Stage::id),
        s.kind().id(),
        s.reason(),
        s.lastProgress(),
        Duration.between(s.lastProgress(), now).toSeconds());
  }
}
