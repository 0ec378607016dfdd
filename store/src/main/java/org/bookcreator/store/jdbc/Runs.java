package org.bookcreator.store.jdbc;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.run.Transition;
import org.bookcreator.core.store.OpenRunExistsException;
import org.bookcreator.core.store.Page;
import org.bookcreator.core.store.RunFilter;
import org.bookcreator.core.store.Store.RunsEnded;
import org.bookcreator.core.store.Store.StageCount;
import org.bookcreator.core.store.Store.StageHistory;
import org.bookcreator.core.store.Store.StageIterations;
import org.bookcreator.core.store.Store.StageMoves;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.core.support.IllegalTransitionException;

/**
 * Runs and their stages: creation, the lifecycle moves (checked against the transition tables),
 * history, the run list and where runs are.
 */
final class Runs extends Part {
  Runs(Db db) {
    super(db);
  }

  public Run createRun(String runId, String projectId, long seed, String reason, Instant at) {
    return tx(
        "create run for project " + projectId,
        () -> {
          if (one("SELECT id FROM projects WHERE id = ?", r -> r.getString(1), projectId)
              .isEmpty()) {
            throw new StoreException("no project " + projectId);
          }
          requireNoOtherOpenRun(projectId, null);
          int number =
              one(
                      "SELECT COALESCE(MAX(number), 0) + 1 FROM runs WHERE project_id = ?",
                      r -> r.getInt(1),
                      projectId)
                  .orElse(1);
          update(
              "INSERT INTO runs(id, project_id, number, state, stage, seed, created_at, updated_at,"
                  + " reason) VALUES (?,?,?,?,?,?,?,?,?)",
              runId,
              projectId,
              number,
              RunState.QUEUED,
              null,
              seed,
              at,
              at,
              reason);
          for (Stage s : Stage.values()) {
            update(
                "INSERT INTO run_stages(run_id, stage, ordinal, state) VALUES (?,?,?,?)",
                runId,
                s,
                s.ordinal(),
                StageState.PENDING);
          }
          record(runId, "run", runId, null, RunState.QUEUED, reason, at);
          return one("SELECT * FROM runs WHERE id = ?", Rows::run, runId).orElseThrow();
        });
  }

  public Optional<Run> run(String runId) {
    return tx("read run", () -> one("SELECT * FROM runs WHERE id = ?", Rows::run, runId));
  }

  public List<Run> runs(Optional<String> projectId) {
    return tx(
        "list runs",
        () ->
            projectId.isPresent()
                ? query(
                    "SELECT * FROM runs WHERE project_id = ? ORDER BY created_at, id",
                    Rows::run,
                    projectId.get())
                : query("SELECT * FROM runs ORDER BY created_at, id", Rows::run));
  }

  public List<Run> runsIn(Set<RunState> states) {
    if (states.isEmpty()) return List.of();
    String in = String.join(",", states.stream().map(s -> "'" + s.name() + "'").toList());
    return tx(
        "list runs by state",
        () ->
            query(
                "SELECT * FROM runs WHERE state IN (" + in + ") ORDER BY created_at, id",
                Rows::run));
  }

  public List<Run> runsEndedSince(Instant since) {
    return tx(
        "list runs ended since",
        () ->
            query(
                "SELECT * FROM runs WHERE state IN ('COMPLETED', 'FAILED') AND updated_at >= ?"
                    + " ORDER BY updated_at, id",
                Rows::run,
                since));
  }

  public List<Run> runsChangedSince(Instant since) {
    return tx(
        "list runs changed since",
        () ->
            query(
                "SELECT * FROM runs WHERE updated_at >= ? ORDER BY updated_at, id",
                Rows::run,
                since));
  }

  public Run transitionRun(String runId, RunState from, RunState to, String reason, Instant at) {
    RunState.TABLE.require(from, to, runId);
    return tx(
        "move run " + runId,
        () -> {
          if (!from.isOpen() && to.isOpen()) requireNoOtherOpenRun(projectOf(runId), runId);
          int n =
              update(
                  "UPDATE runs SET state = ?, updated_at = ?, reason = ? WHERE id = ? AND state ="
                      + " ?",
                  to,
                  at,
                  reason,
                  runId,
                  from);
          if (n == 0) {
            String actual =
                one("SELECT state FROM runs WHERE id = ?", r -> r.getString(1), runId)
                    .orElse("absent");
            throw new IllegalTransitionException(
                "run " + runId + ": cannot move " + from + " -> " + to + ", it is " + actual);
          }
          record(runId, "run", runId, from, to, reason, at);
          return one("SELECT * FROM runs WHERE id = ?", Rows::run, runId).orElseThrow();
        });
  }

  /**
   * One open run per project: the check inside the transaction gives the message a person needs;
   * the partial unique index {@code runs_one_open_per_project} is what makes it hold across
   * processes.
   */
  void requireNoOtherOpenRun(String projectId, String exceptRunId) throws SQLException {
    lock("open run of " + projectId);
    Optional<String[]> open =
        one(
            "SELECT id, state FROM runs WHERE project_id = ? AND state IN ('QUEUED', 'RUNNING',"
                + " 'PAUSED') AND id <> ? LIMIT 1",
            r -> new String[] {r.getString(1), r.getString(2)},
            projectId,
            exceptRunId == null ? "" : exceptRunId);
    if (open.isPresent()) {
      throw new OpenRunExistsException(
          projectId, open.get()[0], open.get()[1].toLowerCase(java.util.Locale.ROOT));
    }
  }

  private String projectOf(String runId) throws SQLException {
    return one("SELECT project_id FROM runs WHERE id = ?", r -> r.getString(1), runId)
        .orElseThrow(() -> new IllegalTransitionException("no run " + runId));
  }

  public List<StageRecord> stages(String runId) {
    return tx(
        "read stages",
        () ->
            query(
                "SELECT * FROM run_stages WHERE run_id = ? ORDER BY ordinal", Rows::stage, runId));
  }

  public StageRecord transitionStage(
      String runId,
      Stage stage,
      StageState from,
      StageState to,
      Optional<String> result,
      int iterations,
      String reason,
      Instant at) {
    StageState.TABLE.require(from, to, runId + "/" + stage.id());
    return tx(
        "move stage " + stage.id() + " of run " + runId,
        () -> {
          int n;
          if (to == StageState.RUNNING) {
            n =
                update(
                    "UPDATE run_stages SET state = ?, started_at = ?, finished_at = NULL, reason ="
                        + " ? WHERE run_id = ? AND stage = ? AND state = ?",
                    to,
                    at,
                    reason,
                    runId,
                    stage,
                    from);
            if (n > 0)
              update("UPDATE runs SET stage = ?, updated_at = ? WHERE id = ?", stage, at, runId);
          } else {
            n =
                update(
                    "UPDATE run_stages SET state = ?, started_at = COALESCE(started_at, ?),"
                        + " finished_at = ?, result = ?, iterations = ?, reason = ? WHERE run_id ="
                        + " ? AND stage = ? AND state = ?",
                    to,
                    at,
                    at,
                    result,
                    iterations,
                    reason,
                    runId,
                    stage,
                    from);
            if (n > 0) update("UPDATE runs SET updated_at = ? WHERE id = ?", at, runId);
          }
          if (n == 0) {
            String actual =
                one(
                        "SELECT state FROM run_stages WHERE run_id = ? AND stage = ?",
                        r -> r.getString(1),
                        runId,
                        stage)
                    .orElse("absent");
            throw new IllegalTransitionException(
                "stage "
                    + runId
                    + "/"
                    + stage.id()
                    + ": cannot move "
                    + from
                    + " -> "
                    + to
                    + ", it is "
                    + actual);
          }
          record(runId, "stage", stage.id(), from, to, reason, at);
          return one(
                  "SELECT * FROM run_stages WHERE run_id = ? AND stage = ?",
                  Rows::stage,
                  runId,
                  stage)
              .orElseThrow();
        });
  }

  public List<Run> stallCandidates(Instant quietSince, Instant now) {
    // runs_state finds the active runs; tasks_run_updated answers "a task changed since" with one
    // index seek per run; tasks_leased and run_events_kind_at the other two conditions.
    return tx(
        "read the runs that may be stalled",
        () ->
            query(
                "SELECT * FROM runs r WHERE r.state IN ('QUEUED', 'RUNNING') AND ((r.updated_at < ?"
                    + " AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = r.id AND"
                    + " t.updated_at >= ?)) OR r.id IN (SELECT run_id FROM tasks WHERE state ="
                    + " 'LEASED' AND lease_expires_at < ?) OR r.id IN (SELECT run_id FROM"
                    + " run_events WHERE kind = ?)) ORDER BY r.created_at, r.id",
                Rows::run,
                quietSince,
                quietSince,
                now,
                RunEvent.CRITIQUE_CAP));
  }

  public Page<Run> runPage(RunFilter f) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    f.projectId().ifPresent(id -> clause(where, args, " AND r.project_id = ?", id));
    f.state().ifPresent(st -> clause(where, args, " AND r.state = ?", st.name()));
    f.stage().ifPresent(st -> clause(where, args, " AND r.stage = ?", st.name()));
    // The category's projects, not a join of every run to its project: with the state, index
    // runs_state_project (V22) finds the runs of each.
    f.category()
        .ifPresent(
            c ->
                clause(
                    where,
                    args,
                    " AND r.project_id IN (SELECT id FROM projects WHERE category = ?)",
                    c));
    f.search()
        .ifPresent(
            q -> {
              // Both sides of the OR use an index (the run id, the runs of a project), so the
              // matches are found without reading every run joined to its project.
              where.append(
                  " AND (r.id = ? OR r.project_id IN (SELECT id FROM projects WHERE title "
                      + db.dialect().likeIgnoringCase()
                      + " ? ESCAPE '\\'))");
              args.add(q);
              args.add("%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            });
    boolean byCost = f.sort() == RunFilter.Sort.COST;
    String from = " FROM runs r";
    // Every run has a run_cost row (V19), indexed by cost: sorted by cost, a page walks that index
    // from one end and looks each run up, instead of sorting every run by its cost. The count
    // reads the runs alone.
    String pages = byCost ? " FROM run_cost rc JOIN runs r ON r.id = rc.run_id" : from;
    String direction = f.ascending() ? " ASC" : " DESC";
    String order =
        switch (f.sort()) {
              case STARTED -> "r.created_at";
              case UPDATED -> "r.updated_at";
              case COST -> "rc.cost_picousd";
            }
            + direction
            + (byCost ? ", rc.run_id" : ", r.id")
            + direction;
    return page(
        "list runs",
        "r.*",
        from + where,
        pages + where,
        order,
        args,
        Rows::run,
        f.limit(),
        f.offset());
  }

  public Map<String, Run> latestRuns(Collection<String> projectIds) {
    Map<String, Run> out = new HashMap<>();
    for (List<String> chunk : Rows.chunks(projectIds)) {
      out.putAll(
          tx(
              "read latest runs",
              () ->
                  query(
                          "SELECT r.* FROM runs r WHERE r.project_id IN ("
                              + Rows.marks(chunk.size())
                              + ") AND r.number = (SELECT MAX(number) FROM runs m WHERE"
                              + " m.project_id = r.project_id)",
                          Rows::run,
                          chunk.toArray())
                      .stream()
                      .collect(Collectors.toMap(Run::projectId, r -> r))));
    }
    return out;
  }

  // ---- history, events, workers

  public List<Transition> history(String runId) {
    return tx(
        "read history",
        () ->
            query(
                "SELECT * FROM transitions WHERE run_id = ? ORDER BY id",
                rs ->
                    new Transition(
                        rs.getString("run_id"),
                        rs.getString("entity"),
                        rs.getString("entity_id"),
                        rs.getString("from_state"),
                        rs.getString("to_state"),
                        rs.getString("reason"),
                        Instant.ofEpochMilli(rs.getLong("at"))),
                runId));
  }

  public List<StageMoves> stageMoves(Optional<Instant> since, boolean byDay) {
    // A day's line is at its first hour: 24 hours of the rollup summed (UTC days; epoch hours).
    String hour = byDay ? "(hour / 24) * 24" : "hour";
    return tx(
        "read runs' moves between stages",
        () -> {
          List<StageMoves> out = new ArrayList<>();
          long from = since.map(t -> Math.floorDiv(t.toEpochMilli(), 3_600_000L)).orElse(0L);
          if (since.isPresent()) {
            out.addAll(
                query(
                    "SELECT category, stage, SUM(entered), SUM(left_) FROM stage_moves_hourly"
                        + " WHERE hour < ? GROUP BY category, stage ORDER BY category, stage",
                    rs ->
                        new StageMoves(
                            Optional.empty(),
                            rs.getString(1),
                            Stage.valueOf(rs.getString(2)).id(),
                            rs.getLong(3),
                            rs.getLong(4)),
                    from));
          }
          out.addAll(
              query(
                  "SELECT "
                      + hour
                      + " AS h, category, stage, SUM(entered), SUM(left_) FROM stage_moves_hourly"
                      + " WHERE hour >= ? GROUP BY h, category, stage ORDER BY h, category, stage",
                  rs ->
                      new StageMoves(
                          Optional.of(Instant.ofEpochMilli(rs.getLong(1) * 3_600_000L)),
                          rs.getString(2),
                          Stage.valueOf(rs.getString(3)).id(),
                          rs.getLong(4),
                          rs.getLong(5)),
                  since.isPresent() ? from : Long.MIN_VALUE));
          return out;
        });
  }

  public Optional<Instant> firstStageMove() {
    return tx(
        "read the first move between stages",
        () ->
            one(
                "SELECT hour FROM stage_moves_hourly ORDER BY hour LIMIT 1",
                rs -> Instant.ofEpochMilli(rs.getLong(1) * 3_600_000L)));
  }

  public List<StageIterations> completedIterations() {
    return tx(
        "average iterations of completed runs",
        () ->
            query(
                // The rollup of V21 (stage_iterations), kept as runs complete: a few rows.
                "SELECT category, stage, stages, iterations FROM stage_iterations WHERE stage IN"
                    + " ('STRUCTURE_CRITIQUE', 'CHAPTER_WRITING') AND stages <> 0"
                    + " ORDER BY category, stage",
                rs ->
                    new StageIterations(
                        rs.getString(1),
                        Stage.valueOf(rs.getString(2)).id(),
                        rs.getLong(3),
                        (double) rs.getLong(4) / rs.getLong(3))));
  }

  public List<RunsEnded> runsEnded(Instant since) {
    return tx(
        "read runs ended per hour",
        () ->
            query(
                "SELECT hour, category, outcome, runs, cost_picousd FROM runs_ended_hourly WHERE"
                    + " hour >= ? ORDER BY hour, category, outcome",
                rs ->
                    new RunsEnded(
                        Instant.ofEpochMilli(rs.getLong(1) * 3_600_000L),
                        rs.getString(2),
                        RunState.valueOf(rs.getString(3)),
                        rs.getLong(4),
                        Rows.usd(rs.getLong(5))),
                Math.floorDiv(since.toEpochMilli(), 3_600_000L)));
  }

  public List<StageHistory> stageHistory() {
    return tx(
        "read completed stages' history",
        () ->
            query(
                "SELECT category, stage, stages, duration_ms, cost_picousd FROM stage_history"
                    + " ORDER BY category, stage",
                rs ->
                    new StageHistory(
                        rs.getString(1),
                        Stage.valueOf(rs.getString(2)),
                        rs.getLong(3),
                        rs.getLong(4),
                        Rows.usd(rs.getLong(5)))));
  }

  public List<StageCount> activeRunsByStage() {
    return tx(
        "count runs by stage",
        () -> {
          java.util.Map<String, Long> counts = new java.util.HashMap<>();
          for (StageCount c :
              query(
                  "SELECT p.category, COALESCE(r.stage, 'INTAKE') AS stage, COUNT(*) FROM runs r"
                      + " JOIN projects p ON p.id = r.project_id WHERE r.state IN ('QUEUED',"
                      + " 'RUNNING') GROUP BY p.category, COALESCE(r.stage, 'INTAKE')",
                  rs ->
                      new StageCount(
                          rs.getString(1), Stage.valueOf(rs.getString(2)).id(), rs.getLong(3)))) {
            counts.put(c.category() + "/" + c.stage(), c.runs());
          }
          List<StageCount> out = new ArrayList<>();
          for (String category :
              query(
                  "SELECT DISTINCT category FROM projects ORDER BY category",
                  rs -> rs.getString(1))) {
            for (Stage stage : Stage.values()) {
              out.add(
                  new StageCount(
                      category, stage.id(), counts.getOrDefault(category + "/" + stage.id(), 0L)));
            }
          }
          return out;
        });
  }
}
