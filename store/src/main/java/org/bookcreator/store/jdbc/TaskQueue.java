package org.bookcreator.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.run.TaskState;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.core.support.IllegalTransitionException;

/** The task queue: enqueueing, claims with a lease, settling, restarts and cancels. */
final class TaskQueue extends Part {
  /** The PostgreSQL sequence that orders tasks (a column of its own: {@code tasks.seq}). */
  static final String SEQUENCE = "tasks_seq";

  private final Runs runs;
  private final Ledger ledger;

  TaskQueue(Db db, Runs runs, Ledger ledger) {
    super(db);
    this.runs = runs;
    this.ledger = ledger;
    seq =
        db.dialect() == Dialect.POSTGRES
            ? 0
            : tx(
                "read the task order",
                () ->
                    one("SELECT COALESCE(MAX(seq), 0) FROM tasks", rs -> rs.getLong(1)).orElse(0L));
  }

  /** The order of tasks: SQLite's one writing process counts; on PostgreSQL a sequence does. */
  private long seq;

  private long nextSeq() throws SQLException {
    if (db.dialect() == Dialect.POSTGRES) {
      return one("SELECT nextval('" + SEQUENCE + "')", rs -> rs.getLong(1)).orElseThrow();
    }
    return ++seq;
  }

  public Task enqueue(String taskId, String runId, TaskSpec spec, Instant at) {
    return tx(
        "enqueue task " + spec.key(),
        () -> {
          Optional<Task> existing =
              one(
                  "SELECT * FROM tasks WHERE run_id = ? AND task_key = ?",
                  Rows::task,
                  runId,
                  spec.key());
          if (existing.isPresent()) return existing.get();
          String projectId =
              one("SELECT project_id FROM runs WHERE id = ?", r -> r.getString(1), runId)
                  .orElseThrow(() -> new StoreException("no run " + runId));
          update(
              "INSERT INTO tasks(id, run_id, project_id, task_key, stage, kind, state, input,"
                  + " not_before, seq, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
              taskId,
              runId,
              projectId,
              spec.key(),
              spec.stage(),
              spec.kind(),
              TaskState.QUEUED,
              spec.input(),
              at,
              nextSeq(),
              at,
              at);
          record(runId, "task", spec.key(), null, TaskState.QUEUED, "enqueued", at);
          return one("SELECT * FROM tasks WHERE id = ?", Rows::task, taskId).orElseThrow();
        });
  }

  public Optional<Task> task(String taskId) {
    return tx("read task", () -> one("SELECT * FROM tasks WHERE id = ?", Rows::task, taskId));
  }

  public List<Task> tasks(String runId) {
    return tx(
        "read tasks",
        () -> query("SELECT * FROM tasks WHERE run_id = ? ORDER BY seq", Rows::task, runId));
  }

  /** A task's columns without its input, which can be large and is not needed to decide. */
  private static final String TASK_OUTCOME =
      "id, run_id, project_id, task_key, stage, kind, state, '' AS input, output, attempt, claims,"
          + " lease_owner, lease_expires_at, not_before, error_type, error, seq, created_at,"
          + " updated_at";

  public List<Task> taskOutcomes(String runId) {
    return tx(
        "read task outcomes",
        () ->
            query(
                "SELECT " + TASK_OUTCOME + " FROM tasks WHERE run_id = ? ORDER BY seq",
                Rows::task,
                runId));
  }

  public Map<String, Instant> lastTaskChanges(Collection<String> runIds) {
    // One index seek per run (tasks_run_updated): MAX over an index prefix reads one entry.
    return tx(
        "read the latest task change of runs",
        () -> {
          Map<String, Instant> out = new HashMap<>();
          for (Object[] row :
              query(
                  "SELECT r.value, (SELECT MAX(updated_at) FROM tasks WHERE run_id = r.value) FROM"
                      + " "
                      + db.dialect().jsonValues()
                      + " r",
                  rs -> new Object[] {rs.getString(1), rs.getObject(2)},
                  Rows.jsonArray(runIds))) {
            if (row[1] != null)
              out.put((String) row[0], Instant.ofEpochMilli(((Number) row[1]).longValue()));
          }
          return out;
        });
  }

  public List<Task> leasedTasks(int limit) {
    return tx(
        "read leased tasks",
        () ->
            query(
                "SELECT "
                    + TASK_OUTCOME
                    + " FROM tasks WHERE state = 'LEASED' ORDER BY updated_at, seq LIMIT ?",
                Rows::task,
                limit));
  }

  public List<Task> expiredLeases(Instant now) {
    return tx(
        "read expired leases",
        () ->
            query(
                "SELECT "
                    + TASK_OUTCOME
                    + " FROM tasks WHERE state = 'LEASED' AND lease_expires_at < ? ORDER BY seq",
                Rows::task,
                now));
  }

  public Optional<Task> claim(String workerId, Instant now, Instant leaseUntil) {
    if (db.dialect() == Dialect.POSTGRES) {
      return db.oneStatement("claim a task", () -> claimInOneStatement(workerId, now, leaseUntil));
    }
    return tx("claim a task", () -> claimStepByStep(workerId, now, leaseUntil));
  }

  /**
   * SQLite's claim: its one writer at a time holds the queue for the transaction, and a statement
   * costs no round trip.
   */
  private Optional<Task> claimStepByStep(String workerId, Instant now, Instant leaseUntil)
      throws SQLException {
    // Expired leases first (their work is the oldest), then the queue in order; each walks a
    // partial index (V16) and stops at the first row.
    Optional<Task> next = one(nextExpired(db.dialect()), Rows::task, now);
    if (next.isEmpty()) next = one(nextQueued(db.dialect()), Rows::task, now);
    if (next.isEmpty()) return Optional.empty();
    Task t = next.get();
    TaskState.TABLE.require(t.state(), TaskState.LEASED, t.key());
    // updated_at keeps the time the task was queued, so the wait before this claim can be measured
    update(
        "UPDATE tasks SET state = ?, lease_owner = ?, lease_expires_at = ?, claims = claims + 1"
            + " WHERE id = ?",
        TaskState.LEASED,
        workerId,
        leaseUntil,
        t.id());
    String reason = claimedBy(workerId);
    if (t.state() == TaskState.LEASED) {
      ledger.interruptCallsOf(t.id(), t.claims());
      reason =
          reclaimedBy(workerId)
              + t.leaseOwner().orElse("?")
              + " expired at "
              + t.leaseExpiresAt().map(Instant::toString).orElse("?");
    }
    record(t.runId(), "task", t.key(), t.state(), TaskState.LEASED, reason, now);
    return one("SELECT * FROM tasks WHERE id = ?", Rows::task, t.id());
  }

  /**
   * PostgreSQL's claim: one message, one round trip, committed as it ends ({@link
   * Db#oneStatement}), where a claim step by step took seven. The claim's settings ({@link
   * Dialect#claimSettings}) go first in the message, then {@link #claimStatement}.
   */
  private Optional<Task> claimInOneStatement(String workerId, Instant now, Instant leaseUntil)
      throws SQLException {
    // The two moves the statement can make, checked as SQLite's claim checks the one it makes
    TaskState.TABLE.require(TaskState.QUEUED, TaskState.LEASED, "a queued task");
    TaskState.TABLE.require(TaskState.LEASED, TaskState.LEASED, "a task whose lease expired");
    try (PreparedStatement p =
        ps(
            CLAIM_MESSAGE,
            now,
            now,
            workerId,
            leaseUntil,
            claimedBy(workerId),
            reclaimedBy(workerId),
            now)) {
      p.execute(); // the settings' one row
      if (!p.getMoreResults()) throw new SQLException("a claim returned no rows to read");
      try (ResultSet rs = p.getResultSet()) {
        return rs.next() ? Optional.of(readBack(() -> Rows.task(rs))) : Optional.empty();
      }
    }
  }

  /** What a claim sends PostgreSQL, built once: its settings, then {@link #claimStatement}. */
  private static final String CLAIM_MESSAGE =
      Dialect.POSTGRES.claimSettings().orElseThrow() + ";\n" + claimStatement();

  /**
   * The claim as one statement, PostgreSQL's. It picks the task (an expired lease first, as its
   * work is the oldest, then the queue in order; each walks a partial index of V16, skipping rows
   * other claimers hold), leases it, records the claim in the history and, for a reclaim, marks the
   * calls the lease's last holder left pending as interrupted; it returns the leased task.
   * Parameters: {@code now} (expired before), {@code now} (queued not before), the worker, the
   * lease's end, the reason of a claim, the start of the reason of a reclaim, the time.
   */
  static String claimStatement() {
    String picked =
        "SELECT t.id, t.state, t.claims, t.lease_owner, t.lease_expires_at FROM tasks t";
    // Instant.toString of the lease's end, as SQLite's claim writes it (years 1 to 9999; the
    // seconds rounded down and the milliseconds counted up from them, before 1970 too)
    String millis = "MOD(MOD(was_expires_at, 1000) + 1000, 1000)";
    String expiredAt =
        "to_char(to_timestamp(FLOOR(was_expires_at / 1000.0)) AT TIME ZONE 'UTC',"
            + " 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
            + millis
            + " = 0 THEN '' ELSE '.' || lpad(CAST("
            + millis
            + " AS text), 3, '0') END || 'Z'";
    return "WITH expired AS ("
        + nextExpired(Dialect.POSTGRES).replace("SELECT t.* FROM tasks t", picked)
        + "), queued AS ("
        + nextQueued(Dialect.POSTGRES).replace("SELECT t.* FROM tasks t", picked)
        + "), next AS MATERIALIZED (SELECT * FROM expired UNION ALL SELECT * FROM queued LIMIT 1),"
        // updated_at keeps the time the task was queued, so the wait before a claim can be measured
        + " claimed AS (UPDATE tasks t SET state = 'LEASED', lease_owner = ?, lease_expires_at"
        + " = ?, claims = t.claims + 1 FROM next WHERE t.id = next.id RETURNING t.*, next.state AS"
        + " was_state, next.claims AS was_claims, next.lease_owner AS was_owner,"
        + " next.lease_expires_at AS was_expires_at),"
        + " interrupted AS (UPDATE llm_calls SET outcome = 'interrupted' WHERE outcome ="
        + " 'pending' AND task_id = (SELECT id FROM claimed WHERE was_state = 'LEASED') AND claim"
        + " <= (SELECT was_claims FROM claimed)),"
        + " noted AS (INSERT INTO transitions(run_id, entity, entity_id, from_state, to_state,"
        + " reason, at) SELECT run_id, 'task', task_key, was_state, 'LEASED', CASE WHEN was_state"
        + " = 'QUEUED' THEN ? ELSE ? || COALESCE(was_owner, '?') || ' expired at ' || COALESCE("
        + expiredAt
        + ", '?') END, ? FROM claimed) SELECT * FROM claimed";
  }

  private static String reclaimedBy(String workerId) {
    return "reclaimed by " + workerId + ": lease of ";
  }

  private static String claimedBy(String workerId) {
    return "claimed by " + workerId;
  }

  /**
   * Whether the run of task {@code t} is running: its row looked up by key for each task the walk
   * of the queue meets. A join let the planner read every running run for each task instead, on
   * tables autovacuum had not analyzed yet (all 500 running runs a claim, EXPLAIN ANALYZE after
   * {@code bench --claims}).
   */
  private static final String RUN_IS_RUNNING =
      "(SELECT r.state FROM runs r WHERE r.id = t.run_id) = 'RUNNING'";

  /** The task whose lease expired first, of a running run, that no other claimer holds. */
  static String nextExpired(Dialect dialect) {
    return "SELECT t.* FROM tasks t WHERE t.state = 'LEASED' AND t.lease_expires_at < ? AND "
        + RUN_IS_RUNNING
        + " ORDER BY t.lease_expires_at, t.seq LIMIT 1"
        + dialect.skipLocked("t");
  }

  /** The first queued task, in order, of a running run, that no other claimer holds. */
  static String nextQueued(Dialect dialect) {
    return "SELECT t.* FROM tasks t WHERE t.state = 'QUEUED' AND t.not_before <= ? AND "
        + RUN_IS_RUNNING
        + " ORDER BY t.seq LIMIT 1"
        + dialect.skipLocked("t");
  }

  public boolean renewLease(String taskId, String workerId, Instant leaseUntil) {
    return db.oneStatement(
        "renew lease",
        () ->
            update(
                    "UPDATE tasks SET lease_expires_at = ? WHERE id = ? AND state = 'LEASED' AND"
                        + " lease_owner = ?",
                    leaseUntil,
                    taskId,
                    workerId)
                > 0);
  }

  /** PostgreSQL's settle statement of each UPDATE of {@link #settle}, built once. */
  private static final Map<String, String> SETTLE_STATEMENTS = new ConcurrentHashMap<>();

  /**
   * Moves a task its worker holds to {@code to} with {@code update} (an UPDATE of tasks, without
   * its WHERE, whose parameters are {@code args}) and records the move: false, and nothing changed,
   * when the worker's lease is gone. On PostgreSQL it is one statement, one round trip committed as
   * it ends ({@link Db#oneStatement}); SQLite reads the task first (its one writer holds the
   * queue).
   */
  private boolean settle(
      String what,
      String taskId,
      String workerId,
      TaskState to,
      String update,
      String reason,
      Instant at,
      Object... args) {
    TaskState.TABLE.require(TaskState.LEASED, to, taskId);
    String held = " WHERE id = ? AND state = 'LEASED' AND lease_owner = ?";
    Object[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = taskId;
    all[args.length + 1] = workerId;
    if (db.dialect() == Dialect.POSTGRES) {
      Object[] withHistory = Arrays.copyOf(all, all.length + 3);
      withHistory[all.length] = to;
      withHistory[all.length + 1] = reason;
      withHistory[all.length + 2] = at;
      String sql =
          SETTLE_STATEMENTS.computeIfAbsent(
              update,
              u ->
                  "WITH settled AS ("
                      + u
                      + held
                      + " RETURNING run_id, task_key), noted AS (INSERT INTO transitions(run_id,"
                      + " entity, entity_id, from_state, to_state, reason, at) SELECT run_id,"
                      + " 'task', task_key, 'LEASED', ?, ?, ? FROM settled) SELECT COUNT(*) FROM"
                      + " settled");
      return db.oneStatement(what, () -> one(sql, rs -> rs.getInt(1), withHistory).orElseThrow())
          > 0;
    }
    return tx(
        what,
        () -> {
          Optional<Task> task =
              one("SELECT " + TASK_OUTCOME + " FROM tasks" + held, Rows::task, taskId, workerId);
          if (task.isEmpty()) return false;
          update(update + held, all);
          record(task.get().runId(), "task", task.get().key(), TaskState.LEASED, to, reason, at);
          return true;
        });
  }

  public boolean complete(String taskId, String workerId, String output, Instant at) {
    return settle(
        "complete task",
        taskId,
        workerId,
        TaskState.COMPLETED,
        "UPDATE tasks SET state = 'COMPLETED', output = ?, lease_owner = NULL,"
            + " lease_expires_at = NULL, updated_at = ?",
        "completed by " + workerId,
        at,
        output,
        at);
  }

  public boolean retry(
      String taskId,
      String workerId,
      String errorType,
      String error,
      Instant notBefore,
      Instant at) {
    return settle(
        "requeue task",
        taskId,
        workerId,
        TaskState.QUEUED,
        "UPDATE tasks SET state = 'QUEUED', attempt = attempt + 1, not_before = ?,"
            + " error_type = ?, error = ?, lease_owner = NULL, lease_expires_at = NULL,"
            + " updated_at = ?",
        "retry after " + errorType + ": " + error,
        at,
        notBefore,
        errorType,
        error,
        at);
  }

  public boolean fail(String taskId, String workerId, String errorType, String error, Instant at) {
    return settle(
        "fail task",
        taskId,
        workerId,
        TaskState.FAILED,
        "UPDATE tasks SET state = 'FAILED', attempt = attempt + 1, error_type = ?, error ="
            + " ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?",
        errorType + ": " + error,
        at,
        errorType,
        error,
        at);
  }

  public int releaseLeases(String reason, Instant at) {
    return tx(
        "release leases",
        () -> {
          List<Task> leased = query("SELECT * FROM tasks WHERE state = 'LEASED'", Rows::task);
          for (Task t : leased) {
            update(
                "UPDATE tasks SET state = 'QUEUED', lease_owner = NULL, lease_expires_at = NULL,"
                    + " updated_at = ? WHERE id = ?",
                at,
                t.id());
            record(
                t.runId(),
                "task",
                t.key(),
                TaskState.LEASED,
                TaskState.QUEUED,
                reason + " (was held by " + t.leaseOwner().orElse("?") + ")",
                at);
          }
          return leased.size();
        });
  }

  public Run applyRestart(org.bookcreator.core.run.RestartPlan plan, String reason, Instant at) {
    String runId = plan.run().id();
    RunState from = plan.run().state();
    RunState.TABLE.require(from, RunState.RUNNING, runId);
    return tx(
        "restart run " + runId,
        () -> {
          if (!from.isOpen()) runs.requireNoOtherOpenRun(plan.run().projectId(), runId);
          if (plan.budgetUsd().isPresent()
              && update(
                      "UPDATE projects SET budget_usd = ? WHERE id = ?",
                      plan.budgetUsd().get().toPlainString(),
                      plan.run().projectId())
                  == 0) {
            throw new StoreException("no project " + plan.run().projectId());
          }
          for (Task t : plan.revoke()) {
            expectTask(
                runId,
                t,
                TaskState.QUEUED,
                update(
                    "UPDATE tasks SET state = 'QUEUED', lease_owner = NULL, lease_expires_at ="
                        + " NULL, updated_at = ? WHERE id = ? AND state = 'LEASED'",
                    at,
                    t.id()));
            record(
                runId,
                "task",
                t.key(),
                TaskState.LEASED,
                TaskState.QUEUED,
                reason + " (lease of " + t.leaseOwner().orElse("?") + " taken back)",
                at);
            ledger.interruptCallsOf(t.id(), Integer.MAX_VALUE);
          }
          for (Task t : plan.requeue()) {
            // attempt is kept: call ids of the new attempt differ from the recorded ones, so
            // nothing is replayed
            expectTask(
                runId,
                t,
                TaskState.QUEUED,
                update(
                    "UPDATE tasks SET state = 'QUEUED', not_before = ?, updated_at = ? WHERE id = ?"
                        + " AND state = ?",
                    at,
                    at,
                    t.id(),
                    t.state()));
            record(runId, "task", t.key(), t.state(), TaskState.QUEUED, reason, at);
          }
          for (Task t : plan.supersede()) {
            TaskState.TABLE.require(t.state(), TaskState.SUPERSEDED, t.key());
            // A new key frees the original for the task the orchestrator plans in its place.
            expectTask(
                runId,
                t,
                TaskState.SUPERSEDED,
                update(
                    "UPDATE tasks SET state = 'SUPERSEDED', task_key = ?, lease_owner = NULL, "
                        + "lease_expires_at = NULL, updated_at = ? WHERE id = ? AND state = ?",
                    t.key() + "~superseded~" + t.id(),
                    at,
                    t.id(),
                    t.state()));
            record(runId, "task", t.key(), t.state(), TaskState.SUPERSEDED, reason, at);
          }
          for (StageRecord st : plan.rewind()) {
            StageState.TABLE.require(st.state(), StageState.PENDING, runId + "/" + st.stage().id());
            int n =
                update(
                    "UPDATE run_stages SET state = 'PENDING', started_at = NULL, finished_at ="
                        + " NULL, result = NULL, iterations = 0, reason = ? WHERE run_id = ? AND"
                        + " stage = ? AND state = ?",
                    reason,
                    runId,
                    st.stage(),
                    st.state());
            if (n == 0)
              throw new IllegalTransitionException(
                  "stage " + runId + "/" + st.stage().id() + " is no longer " + st.state());
            record(runId, "stage", st.stage().id(), st.state(), StageState.PENDING, reason, at);
          }
          int n =
              update(
                  "UPDATE runs SET state = 'RUNNING', updated_at = ?, reason = ? WHERE id = ? AND"
                      + " state = ?",
                  at,
                  reason,
                  runId,
                  from);
          if (n == 0)
            throw new IllegalTransitionException("run " + runId + " is no longer " + from);
          if (plan.fromStage().isPresent())
            update("UPDATE runs SET stage = ? WHERE id = ?", plan.fromStage().get(), runId);
          record(runId, "run", runId, from, RunState.RUNNING, reason, at);
          return one("SELECT * FROM runs WHERE id = ?", Rows::run, runId).orElseThrow();
        });
  }

  private static void expectTask(String runId, Task t, TaskState to, int updated) {
    if (updated == 0) {
      throw new IllegalTransitionException(
          "task "
              + t.key()
              + " of run "
              + runId
              + " is no longer "
              + t.state()
              + " (wanted to move it to "
              + to
              + ")");
    }
  }

  public int requeueFailedTasks(String runId, String reason, Instant at) {
    return tx(
        "requeue failed tasks of run " + runId,
        () -> {
          List<Task> ended =
              query(
                  "SELECT * FROM tasks WHERE run_id = ? AND state IN ('FAILED', 'CANCELLED')",
                  Rows::task,
                  runId);
          for (Task t : ended) {
            // attempt is kept: call ids of the new attempt differ from the recorded ones, so
            // nothing is replayed
            update(
                "UPDATE tasks SET state = 'QUEUED', not_before = ?, updated_at = ? WHERE id = ?",
                at,
                at,
                t.id());
            record(runId, "task", t.key(), t.state(), TaskState.QUEUED, reason, at);
          }
          return ended.size();
        });
  }

  public int cancelOpenTasks(String runId, String reason, Instant at) {
    return tx(
        "cancel tasks of run " + runId,
        () -> {
          List<Task> open =
              query(
                  "SELECT * FROM tasks WHERE run_id = ? AND state IN ('QUEUED', 'LEASED')",
                  Rows::task,
                  runId);
          for (Task t : open) {
            update(
                "UPDATE tasks SET state = 'CANCELLED', lease_owner = NULL, lease_expires_at = NULL,"
                    + " updated_at = ? WHERE id = ?",
                at,
                t.id());
            record(runId, "task", t.key(), t.state(), TaskState.CANCELLED, reason, at);
          }
          return open.size();
        });
  }

  public java.util.Map<TaskKind, Long> queuedTasksByKind() {
    return tx(
        "count queued tasks",
        () -> {
          java.util.Map<TaskKind, Long> out = new java.util.EnumMap<>(TaskKind.class);
          for (Object[] row :
              query(
                  "SELECT kind, COUNT(*) FROM tasks WHERE state = 'QUEUED' GROUP BY kind",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)})) {
            out.put(TaskKind.valueOf((String) row[0]), (Long) row[1]);
          }
          return out;
        });
  }
}
