package org.bookcreator.core.view;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.store.Store;

/**
 * What the workers are doing and what waits for them, read from the store's workers and tasks
 * tables: the dashboard's Workers and queue page ({@code GET /api/workers}). Thread-safe.
 */
public final class WorkQueueQueries {
  /** At most this many leases are listed. */
  public static final int MAX_LEASES = 500;

  private final Store store;

  public WorkQueueQueries(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  public WorkQueueView now(Instant now) {
    List<Task> leased = store.leasedTasks(MAX_LEASES);
    Map<String, List<String>> byWorker = new TreeMap<>();
    List<WorkQueueView.Lease> leases = new ArrayList<>();
    for (Task t : leased) {
      String owner = t.leaseOwner().orElse("");
      byWorker.computeIfAbsent(owner, k -> new ArrayList<>()).add(t.id());
      leases.add(
          new WorkQueueView.Lease(
              t.id(),
              t.runId(),
              t.stage().id(),
              t.kind().name().toLowerCase(java.util.Locale.ROOT),
              t.role().id(),
              owner,
              t.attempt(),
              t.leaseExpiresAt(),
              t.leaseExpiresAt().map(e -> e.isBefore(now)).orElse(false),
              t.updatedAt()));
    }
    List<WorkQueueView.Worker> workers = new ArrayList<>();
    new TreeMap<>(store.workerHeartbeats())
        .forEach(
            (id, beat) ->
                workers.add(
                    new WorkQueueView.Worker(
                        id,
                        beat,
                        Duration.between(beat, now).toMillis() / 1000.0,
                        byWorker.getOrDefault(id, List.of()))));
    Map<AgentRole, Long> perRole = new java.util.EnumMap<>(AgentRole.class);
    for (AgentRole r : AgentRole.values()) perRole.put(r, 0L);
    long queued = 0;
    for (Map.Entry<TaskKind, Long> e : store.queuedTasksByKind().entrySet()) {
      perRole.merge(e.getKey().role(), e.getValue(), Long::sum);
      queued += e.getValue();
    }
    List<WorkQueueView.Queue> queue =
        perRole.entrySet().stream()
            .map(e -> new WorkQueueView.Queue(e.getKey().id(), e.getValue()))
            .toList();
    return new WorkQueueView(now, workers, queue, queued, leases, MAX_LEASES);
  }
}
