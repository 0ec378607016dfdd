package org.bookcreator.core.view;

import java.time.Instant;
import java.util.Optional;

/**
 * Something recorded about a run that is not a state change ({@code GET /api/runs/{id}/events}): a
 * retry, a schema violation, a document that could not be parsed, a critique loop at its cap, a
 * stall, a budget threshold. {@code taskKey} names the task when there is one.
 */
public record RunEventView(
    Instant at, String kind, Optional<String> taskId, Optional<String> taskKey, String detail) {}
