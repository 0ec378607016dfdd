package org.bookcreator.core.run;

import java.time.Instant;
import java.util.Optional;

/** Where one stage of one run stands, with its result once done. */
public record StageRecord(
    String runId,
    Stage stage,
    StageState state,
    Optional<Instant> startedAt,
    Optional<Instant> finishedAt,
    int iterations,
    Optional<String> result,
    Optional<String> reason) {}
