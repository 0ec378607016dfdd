package org.bookcreator.core.view;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;

/**
 * One agent task of a run as the run page lists it ({@code GET /api/runs/{id}/tasks}): what it is,
 * how far it got, how often it was tried and what its model calls cost.
 *
 * @param attempts failed attempts so far (0 on the first try)
 * @param calls the task's model calls in the ledger, retries included
 * @param costUsd what those calls cost (unpriced calls count as nothing)
 */
public record TaskView(
    String id,
    String key,
    String stage,
    String kind,
    String role,
    String state,
    int attempts,
    int claims,
    long calls,
    BigDecimal costUsd,
    Optional<String> errorType,
    Optional<String> error,
    Instant createdAt,
    Instant updatedAt) {}
