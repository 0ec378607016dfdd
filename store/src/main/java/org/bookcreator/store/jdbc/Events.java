package org.bookcreator.store.jdbc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.store.Store.RoleChecks;

/** Run events (retries, violations, ...) and worker heartbeats. */
final class Events extends Part {
  Events(Db db) {
    super(db);
  }

  public Map<String, RunEvent> latestEvents(String kind, Collection<String> runIds) {
    return tx(
        "read the latest events of runs",
        () -> {
          Map<String, RunEvent> out = new HashMap<>();
          Set<String> wanted = Set.copyOf(runIds);
          // Through run_events_kind_at: the events of one kind are few next to all of them.
          for (RunEvent e :
              query("SELECT * FROM run_events WHERE kind = ? ORDER BY at, id", Rows::event, kind)) {
            if (wanted.contains(e.runId())) out.put(e.runId(), e);
          }
          return out;
        });
  }

  public void recordEvent(RunEvent e) {
    tx(
        "record event",
        () ->
            update(
                "INSERT INTO run_events(run_id, task_id, kind, detail, at) VALUES (?,?,?,?,?)",
                e.runId(),
                e.taskId(),
                e.kind(),
                e.detail(),
                e.at()));
  }

  public boolean recordEventOnce(RunEvent e, String key) {
    return tx(
        "record event",
        () -> {
          lock("event " + e.runId() + " " + e.kind() + " " + key);
          boolean seen =
              one(
                      "SELECT 1 FROM run_events WHERE run_id = ? AND kind = ? AND substr(detail,"
                          + " length(detail) - length(?) + 1) = ? LIMIT 1",
                      rs -> true,
                      e.runId(),
                      e.kind(),
                      key,
                      key)
                  .isPresent();
          if (seen) return false;
          update(
              "INSERT INTO run_events(run_id, task_id, kind, detail, at) VALUES (?,?,?,?,?)",
              e.runId(),
              e.taskId(),
              e.kind(),
              e.detail(),
              e.at());
          return true;
        });
  }

  public List<RunEvent> events(String runId) {
    return tx(
        "read events",
        () -> query("SELECT * FROM run_events WHERE run_id = ? ORDER BY id", Rows::event, runId));
  }

  public void heartbeat(String workerId, Instant at) {
    db.oneStatement(
        "record heartbeat",
        () ->
            update(
                "INSERT INTO workers(id, started_at, last_heartbeat) VALUES (?,?,?) ON CONFLICT(id)"
                    + " DO UPDATE SET last_heartbeat = excluded.last_heartbeat",
                workerId,
                at,
                at));
  }

  public java.util.Map<String, Instant> workerHeartbeats() {
    return tx(
        "read heartbeats",
        () -> {
          java.util.Map<String, Instant> out = new java.util.HashMap<>();
          for (Object[] row :
              query(
                  "SELECT id, last_heartbeat FROM workers",
                  rs -> new Object[] {rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))})) {
            out.put((String) row[0], (Instant) row[1]);
          }
          return out;
        });
  }

  public void forgetWorkers(Collection<String> workerIds) {
    if (workerIds.isEmpty()) return;
    tx(
        "forget stopped workers",
        () ->
            update(
                "DELETE FROM workers WHERE id IN (SELECT value FROM "
                    + db.dialect().jsonValues()
                    + ")",
                Rows.jsonArray(workerIds)));
  }

  public List<RoleChecks> roleChecks(Instant since) {
    return tx(
        "count checked answers and schema violations per role",
        () -> {
          Map<AgentRole, long[]> byRole = new java.util.EnumMap<>(AgentRole.class);
          for (Object[] row :
              query(
                  "SELECT agent_role, COUNT(*) FROM llm_calls WHERE at >= ? AND outcome IN ('ok',"
                      + " 'wasted') AND error_type IS NULL GROUP BY agent_role",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)},
                  since)) {
            byRole.computeIfAbsent(AgentRole.valueOf((String) row[0]), k -> new long[2])[0] +=
                (Long) row[1];
          }
          for (Object[] row :
              query(
                  "SELECT t.kind, COUNT(*) FROM run_events e JOIN tasks t ON t.id = e.task_id"
                      + " WHERE e.kind = ? AND e.at >= ? GROUP BY t.kind",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)},
                  RunEvent.SCHEMA_VIOLATION,
                  since)) {
            AgentRole role = TaskKind.valueOf((String) row[0]).role();
            byRole.computeIfAbsent(role, k -> new long[2])[1] += (Long) row[1];
          }
          List<RoleChecks> out = new ArrayList<>();
          byRole.forEach((r, n) -> out.add(new RoleChecks(r, n[0], n[1])));
          return out;
        });
  }

  public Map<AgentRole, Long> roleEvents(Instant since, String kind) {
    return tx(
        "count events per role",
        () -> {
          Map<AgentRole, Long> byRole = new java.util.EnumMap<>(AgentRole.class);
          for (Object[] row :
              query(
                  "SELECT t.kind, COUNT(*) FROM run_events e JOIN tasks t ON t.id = e.task_id"
                      + " WHERE e.kind = ? AND e.at >= ? GROUP BY t.kind",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)},
                  kind,
                  since)) {
            byRole.merge(TaskKind.valueOf((String) row[0]).role(), (Long) row[1], Long::sum);
          }
          return byRole;
        });
  }
}
