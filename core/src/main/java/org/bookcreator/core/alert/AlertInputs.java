package org.bookcreator.core.alert;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.store.Store;

/**
 * What the rules of one evaluation read: the store, the time of the evaluation, the stall
 * detector's look at the active runs (shared, so the runs' tasks are read once per evaluation) and
 * the measurements of the process the evaluator runs in.
 */
public record AlertInputs(
    Store store, Instant now, List<Run> activeRuns, StallDetector.Look stalls, ProcessProbe probe) {
  public AlertInputs {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(now, "now");
    activeRuns = List.copyOf(activeRuns);
    Objects.requireNonNull(stalls, "stalls");
    Objects.requireNonNull(probe, "probe");
  }
}
