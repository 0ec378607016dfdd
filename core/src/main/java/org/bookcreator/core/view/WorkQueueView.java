package org.bookcreator.core.view;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The workers and the task queue now: each worker with its last heartbeat and the tasks it holds,
 * the runnable tasks waiting per agent role, and every lease held.
 *
 * @param maxLeases at most this many leases are listed, the longest held first
 */
public record WorkQueueView(
    Instant at,
    List<Worker> workers,
    List<Queue> queue,
    long queued,
    List<Lease> leases,
    int maxLeases) {

  /**
   * A worker that sent a heartbeat and has not stopped.
   *
   * @param heartbeatAgeSeconds seconds since its last heartbeat
   * @param currentTasks the ids of the tasks it holds now
   */
  public record Worker(
      String id, Instant lastHeartbeat, double heartbeatAgeSeconds, List<String> currentTasks) {}

  /** Runnable tasks waiting for a worker, for one agent role. */
  public record Queue(String agentRole, long queued) {}

  /** A task held by a worker until {@code expiresAt}; {@code expired} once that has passed. */
  public record Lease(
      String taskId,
      String runId,
      String stage,
      String kind,
      String agentRole,
      String worker,
      int attempt,
      Optional<Instant> expiresAt,
      boolean expired,
      Instant heldSince) {}
}
