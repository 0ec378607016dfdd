package org.bookcreator.store.jdbc;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.cost.CallPrompt;
import org.bookcreator.core.cost.CallTranscript;
import org.bookcreator.core.cost.CategoryStats;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostLine;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.cost.PendingCall;
import org.bookcreator.core.cost.Repricing;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.cost.UnpricedModel;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.store.LatencyBuckets;
import org.bookcreator.core.store.Store.CallLatency;
import org.bookcreator.core.store.Store.CallProfile;
import org.bookcreator.core.store.Store.ModelCalls;

/**
 * The ledger of model calls (written ahead), repricing, and the cost queries over it and its
 * rollups.
 */
final class Ledger extends Part {
  Ledger(Db db) {
    super(db);
  }

  private static final String INSERT_CALL =
      "INSERT INTO llm_calls(call_id, project_id, run_id, task_id, stage, agent_role, attempt,"
          + " provider, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,"
          + " reasoning_tokens, cost_picousd, price_version, latency_ms, outcome, error_type, at,"
          + " logical_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(call_id)"
          + " DO NOTHING";

  /** Calls the provider answered with an error (counted whether their answer was used or not). */
  static final String FAILED =
      "COALESCE(SUM(" + Dialect.oneIf("c.error_type IS NOT NULL") + "), 0)";

  /**
   * Answered calls with no price. A call never answered has no cost either, but for another reason:
   * it is counted as interrupted.
   */
  static final String UNPRICED =
      "COALESCE(SUM("
          + Dialect.oneIf("c.cost_picousd IS NULL AND c.outcome IN ('ok', 'error', 'wasted')")
          + "), 0)";

  private static void bindCall(PreparedStatement p, LedgerEntry e) throws SQLException {
    Usage u = e.usage();
    p.setString(1, e.callId());
    p.setString(2, e.projectId());
    p.setString(3, e.runId());
    p.setString(4, e.taskId());
    p.setString(5, e.stage().name());
    p.setString(6, e.role().name());
    p.setInt(7, e.attempt());
    p.setString(8, e.provider());
    p.setString(9, e.model());
    p.setLong(10, u.inputTokens());
    p.setLong(11, u.outputTokens());
    p.setLong(12, u.cacheReadTokens());
    p.setLong(13, u.cacheWriteTokens());
    p.setLong(14, u.reasoningTokens());
    if (e.costUsd().isPresent()) p.setLong(15, Rows.picos(e.costUsd().get()));
    else p.setNull(15, Types.INTEGER);
    p.setString(16, e.priceVersion().orElse(null));
    p.setLong(17, e.latencyMs());
    p.setString(18, e.outcome());
    p.setString(19, e.errorType().orElse(null));
    p.setLong(20, e.at().toEpochMilli());
    p.setString(21, e.callId());
  }

  public boolean recordCall(LedgerEntry e) {
    return tx("record model call " + e.callId(), () -> insertCall(e));
  }

  private boolean insertCall(LedgerEntry e) throws SQLException {
    int n;
    try (PreparedStatement p = db.connection().prepareStatement(INSERT_CALL)) {
      bindCall(p, e);
      n = p.executeUpdate();
    }
    if (n > 0 && e.response().isPresent()) {
      update(
          "INSERT INTO llm_responses(call_id, response) VALUES (?, ?)",
          e.callId(),
          e.response().get());
    }
    return n > 0;
  }

  public void openCall(PendingCall c) {
    tx(
        "record model call " + c.callId() + " before sending it",
        () -> {
          update(
              "INSERT INTO llm_calls(call_id, logical_id, project_id, run_id, task_id, stage,"
                  + " agent_role, attempt, claim, worker, provider, model, input_tokens,"
                  + " output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,"
                  + " est_input_tokens, est_cost_picousd, latency_ms, outcome, at) VALUES"
                  + " (?,?,?,?,?,?,?,?,?,?,?,?,0,0,0,0,0,?,?,0,'pending',?) ON CONFLICT(call_id)"
                  + " DO NOTHING",
              c.callId(),
              c.logicalId(),
              c.projectId(),
              c.runId(),
              c.taskId(),
              c.stage(),
              c.role(),
              c.attempt(),
              c.claim(),
              c.worker(),
              c.provider(),
              c.model(),
              c.estInputTokens(),
              c.estCostUsd().map(Rows::picos).orElse(null),
              c.at());
          // In the same transaction: a call in the ledger always has what it sent beside it.
          if (c.prompt().isPresent()) {
            update(
                "INSERT INTO llm_prompts(call_id, prompt, chars) VALUES (?,?,?) ON"
                    + " CONFLICT(call_id) DO NOTHING",
                c.callId(),
                c.prompt().get().text(),
                c.prompt().get().chars());
          }
          return null;
        });
  }

  public List<CallTranscript> transcript(String taskId) {
    return tx(
        "read the model calls of task " + taskId,
        () ->
            query(
                "SELECT c.*, r.response, p.prompt AS sent_prompt, p.chars AS sent_chars FROM"
                    + " llm_calls c LEFT JOIN llm_responses r ON r.call_id = c.call_id LEFT JOIN"
                    + " llm_prompts p ON p.call_id = c.call_id WHERE c.task_id = ? ORDER BY c.at,"
                    + " c.call_id",
                rs -> {
                  String prompt = rs.getString("sent_prompt");
                  return new CallTranscript(
                      Rows.entry(rs),
                      prompt == null
                          ? Optional.empty()
                          : Optional.of(new CallPrompt(prompt, rs.getLong("sent_chars"))));
                },
                taskId));
  }

  public String completeCall(LedgerEntry e) {
    return tx(
        "record the answer of model call " + e.callId(),
        () -> {
          Optional<Object[]> open =
              one(
                  "SELECT c.outcome, CASE WHEN t.state = 'LEASED' AND t.lease_owner = c.worker AND"
                      + " t.claims = c.claim THEN 1 ELSE 0 END FROM llm_calls c LEFT JOIN tasks t"
                      + " ON t.id = c.task_id WHERE c.call_id = ?",
                  rs -> new Object[] {rs.getString(1), rs.getInt(2) == 1},
                  e.callId());
          if (open.isEmpty()) {
            insertCall(e);
            return e.outcome();
          }
          String was = (String) open.get()[0];
          if (!was.equals(LedgerEntry.PENDING) && !was.equals(LedgerEntry.INTERRUPTED)) return was;
          String outcome = (Boolean) open.get()[1] ? e.outcome() : LedgerEntry.WASTED;
          Usage u = e.usage();
          update(
              "UPDATE llm_calls SET model = ?, input_tokens = ?, output_tokens = ?,"
                  + " cache_read_tokens = ?, cache_write_tokens = ?, reasoning_tokens = ?,"
                  + " cost_picousd = ?, price_version = ?, latency_ms = ?, outcome = ?, error_type"
                  + " = ?, at = ? WHERE call_id = ?",
              e.model(),
              u.inputTokens(),
              u.outputTokens(),
              u.cacheReadTokens(),
              u.cacheWriteTokens(),
              u.reasoningTokens(),
              e.costUsd().map(Rows::picos).orElse(null),
              e.priceVersion().orElse(null),
              e.latencyMs(),
              outcome,
              e.errorType().orElse(null),
              e.at(),
              e.callId());
          if (e.response().isPresent()) {
            update(
                "INSERT INTO llm_responses(call_id, response) VALUES (?, ?) ON CONFLICT(call_id) DO"
                    + " NOTHING",
                e.callId(),
                e.response().get());
          }
          return outcome;
        });
  }

  public Optional<LedgerEntry> answeredCall(String logicalId) {
    return tx(
        "read model call",
        () ->
            one(
                "SELECT c.*, r.response FROM llm_calls c LEFT JOIN llm_responses r ON r.call_id ="
                    + " c.call_id WHERE c.logical_id = ? AND c.outcome IN ('ok', 'error') ORDER BY"
                    + " c.at DESC, c.call_id DESC LIMIT 1",
                Rows::entry,
                logicalId));
  }

  public int interruptPendingCalls(Instant at) {
    return tx(
        "mark unanswered model calls interrupted",
        () -> update("UPDATE llm_calls SET outcome = 'interrupted' WHERE outcome = 'pending'"));
  }

  /**
   * The calls a worker of this task sent under an earlier claim will never be used: the task has
   * been taken from that worker. Call inside the transaction that takes it.
   */
  void interruptCallsOf(String taskId, int claimsBefore) throws SQLException {
    update(
        "UPDATE llm_calls SET outcome = 'interrupted' WHERE task_id = ? AND outcome = 'pending' AND"
            + " claim <= ?",
        taskId,
        claimsBefore);
  }

  public int recordCalls(List<LedgerEntry> entries) {
    if (entries.isEmpty()) return 0;
    return tx(
        "record " + entries.size() + " model calls",
        () -> {
          int added = 0;
          try (PreparedStatement p = db.connection().prepareStatement(INSERT_CALL)) {
            for (LedgerEntry e : entries) {
              bindCall(p, e);
              p.addBatch();
            }
            for (int n : p.executeBatch()) added += Math.max(n, 0);
          }
          return added;
        });
  }

  public List<LedgerEntry> callsBetween(Instant since, Instant until) {
    return tx(
        "read calls",
        () ->
            query(
                "SELECT c.*, NULL AS response FROM llm_calls c WHERE c.at >= ? AND c.at < ? AND"
                    + " c.outcome IN ('ok', 'error', 'wasted') ORDER BY c.at, c.call_id",
                Rows::entry,
                since,
                until));
  }

  public void applyRepricing(List<Repricing.Change> changes, String reason, Instant at) {
    tx(
        "reprice " + changes.size() + " calls",
        () -> {
          try (PreparedStatement upd =
                  db.connection()
                      .prepareStatement(
                          "UPDATE llm_calls SET cost_picousd = ?, price_version = ? WHERE call_id ="
                              + " ?");
              PreparedStatement hist =
                  db.connection()
                      .prepareStatement(
                          "INSERT INTO ledger_history(call_id, old_cost_picousd, old_price_version,"
                              + " new_cost_picousd, new_price_version, reason, at) VALUES"
                              + " (?,?,?,?,?,?,?)")) {
            for (Repricing.Change c : changes) {
              if (c.newCost().isPresent()) upd.setLong(1, Rows.picos(c.newCost().get()));
              else upd.setNull(1, Types.INTEGER);
              upd.setString(2, c.newVersion().orElse(null));
              upd.setString(3, c.callId());
              upd.addBatch();
              hist.setString(1, c.callId());
              if (c.oldCost().isPresent()) hist.setLong(2, Rows.picos(c.oldCost().get()));
              else hist.setNull(2, Types.INTEGER);
              hist.setString(3, c.oldVersion().orElse(null));
              if (c.newCost().isPresent()) hist.setLong(4, Rows.picos(c.newCost().get()));
              else hist.setNull(4, Types.INTEGER);
              hist.setString(5, c.newVersion().orElse(null));
              hist.setString(6, reason);
              hist.setLong(7, at.toEpochMilli());
              hist.addBatch();
            }
            upd.executeBatch();
            hist.executeBatch();
          }
          return null;
        });
  }

  public List<Repricing.Change> repricingHistory(String callId) {
    return tx(
        "read repricing history",
        () ->
            query(
                "SELECT * FROM ledger_history WHERE call_id = ? ORDER BY id",
                rs -> {
                  long oc = rs.getLong("old_cost_picousd");
                  Optional<BigDecimal> old =
                      rs.wasNull() ? Optional.empty() : Optional.of(Rows.usd(oc));
                  long nc = rs.getLong("new_cost_picousd");
                  Optional<BigDecimal> neu =
                      rs.wasNull() ? Optional.empty() : Optional.of(Rows.usd(nc));
                  return new Repricing.Change(
                      rs.getString("call_id"),
                      old,
                      Rows.str(rs, "old_price_version"),
                      neu,
                      Rows.str(rs, "new_price_version"));
                },
                callId));
  }

  /**
   * A cost report.
   *
   * <p>Read from the rollups when they hold the answer, else from the ledger rows ({@link
   * CostReportSql#source} says which); both give the same lines.
   */
  public List<CostLine> costReport(CostQuery q) {
    return costReport(q, CostReportSql.of(q, db.dialect()));
  }

  /** The report summed from the ledger rows, never the rollups: what tests compare them with. */
  List<CostLine> costReportFromLedger(CostQuery q) {
    return costReport(q, CostReportSql.fromLedger(q, db.dialect()));
  }

  private List<CostLine> costReport(CostQuery q, CostReportSql.Statement statement) {
    int n = q.by().size();
    return tx(
        "build a cost report",
        () -> {
          List<CostLine> lines =
              query(
                  statement.sql(),
                  rs -> {
                    List<String> keys = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                      String k = rs.getString(i);
                      CostDimension d = q.by().get(i - 1);
                      keys.add(
                          k == null
                              ? ""
                              : (d == CostDimension.STAGE
                                  ? Stage.valueOf(k).id()
                                  : d == CostDimension.AGENT ? AgentRole.valueOf(k).id() : k));
                    }
                    return new CostLine(
                        keys,
                        rs.getLong(n + 1),
                        rs.getLong(n + 2),
                        rs.getLong(n + 3),
                        rs.getLong(n + 4),
                        rs.getLong(n + 5),
                        rs.getLong(n + 6),
                        rs.getLong(n + 7),
                        rs.getLong(n + 8),
                        Rows.usd(rs.getLong(n + 9)),
                        rs.getLong(n + 10),
                        Rows.usd(rs.getLong(n + 11)),
                        rs.getLong(n + 12),
                        Rows.usd(rs.getLong(n + 13)));
                  },
                  statement.args().toArray());
          if (n == 0 && lines.size() == 1 && lines.get(0).calls() == 0)
            return List.<CostLine>of(CostLine.zero());
          return lines;
        });
  }

  public List<UnpricedModel> unpricedModels() {
    return tx(
        "list unpriced models",
        () ->
            query(
                // Answered calls only, as UNPRICED counts them: an interrupted call has no cost
                // because its answer never came, not for want of a price.
                "SELECT provider, model, COUNT(*), MIN(at), MAX(at) FROM llm_calls WHERE"
                    + " cost_picousd IS NULL AND outcome IN ('ok', 'error', 'wasted') GROUP BY"
                    + " provider, model ORDER BY provider, model",
                rs ->
                    new UnpricedModel(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getLong(3),
                        Instant.ofEpochMilli(rs.getLong(4)),
                        Instant.ofEpochMilli(rs.getLong(5)))));
  }

  public List<CategoryStats> categoryStats() {
    return tx(
        "compute category statistics",
        () -> {
          // The outcomes of finished runs are kept per category by the database as runs end
          // (category_runs, V19); the projects and the active runs are counted here (10,000 and a
          // thousand or so rows through the category and state indexes).
          Map<String, long[]> ended = new HashMap<>();
          for (Object[] r :
              query(
                  "SELECT category, completed_runs, failed_runs, completed_ms,"
                      + " completed_cost_picousd, completed_words FROM category_runs",
                  rs ->
                      new Object[] {
                        rs.getString(1),
                        new long[] {
                          rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)
                        }
                      })) {
            ended.put((String) r[0], (long[]) r[1]);
          }
          Map<String, Long> active = new HashMap<>();
          for (Object[] r :
              query(
                  "SELECT p.category, COUNT(*) FROM runs r JOIN projects p ON p.id = r.project_id"
                      + " WHERE r.state IN ('QUEUED', 'RUNNING', 'PAUSED') GROUP BY p.category",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)})) {
            active.put((String) r[0], (Long) r[1]);
          }
          return query(
              "SELECT category, COUNT(*) FROM projects GROUP BY category ORDER BY category",
              rs -> {
                String category = rs.getString(1);
                long[] e = ended.getOrDefault(category, new long[5]);
                return new CategoryStats(
                    category,
                    rs.getLong(2),
                    active.getOrDefault(category, 0L),
                    e[0],
                    e[1],
                    e[0] == 0 ? 0 : (double) e[2] / e[0] / 1000.0,
                    Rows.usd(e[3]),
                    e[4]);
              });
        });
  }

  public Optional<LedgerEntry> call(String callId) {
    return tx(
        "read model call",
        () ->
            one(
                "SELECT c.*, r.response FROM llm_calls c LEFT JOIN llm_responses r ON r.call_id ="
                    + " c.call_id WHERE c.call_id = ?",
                Rows::entry,
                callId));
  }

  public List<LedgerEntry> calls(String runId) {
    return tx(
        "read model calls",
        () ->
            query(
                "SELECT c.*, NULL AS response FROM llm_calls c WHERE c.run_id = ? ORDER BY c.at,"
                    + " c.call_id",
                Rows::entry,
                runId));
  }

  public RunTotals totals(String runId) {
    return tx(
        "sum model calls",
        () ->
            one(
                    "SELECT COUNT(*), "
                        + FAILED
                        + ", "
                        + UNPRICED
                        + ", COALESCE(SUM(input_tokens + cache_read_tokens + cache_write_tokens),"
                        + " 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cost_picousd), 0)"
                        + " FROM llm_calls c WHERE run_id = ?",
                    rs ->
                        new RunTotals(
                            rs.getLong(1),
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getLong(5),
                            Rows.usd(rs.getLong(6))),
                    runId)
                .orElse(RunTotals.ZERO));
  }

  public Map<String, RunTotals> totals(Collection<String> runIds) {
    Map<String, RunTotals> out = new HashMap<>();
    for (String id : runIds) out.put(id, RunTotals.ZERO);
    for (List<String> chunk : Rows.chunks(runIds)) {
      tx(
          "sum model calls of runs",
          () -> {
            query(
                "SELECT run_id, COUNT(*), "
                    + FAILED
                    + ", "
                    + UNPRICED
                    + ", COALESCE(SUM(input_tokens + cache_read_tokens + cache_write_tokens), 0),"
                    + " COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cost_picousd), 0) FROM"
                    + " llm_calls c WHERE run_id IN ("
                    + Rows.marks(chunk.size())
                    + ") GROUP BY run_id",
                rs ->
                    out.put(
                        rs.getString(1),
                        new RunTotals(
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getLong(5),
                            rs.getLong(6),
                            Rows.usd(rs.getLong(7)))),
                chunk.toArray());
            return null;
          });
    }
    return out;
  }

  // ---- alerts

  public List<CallLatency> callLatency(Instant since, double quantile) {
    if (!(quantile > 0 && quantile <= 1))
      throw new IllegalArgumentException("quantile must be in (0, 1]: " + quantile);
    // Nearest rank: the ceil(q * n)-th smallest latency, in integers (q in millionths) so that 95%
    // of 20 is the 19th, not the 20th by a rounding error. The window is read once through the
    // time index and sorted per provider; SQLite has no percentile function.
    long millionths = Math.round(quantile * 1_000_000);
    return tx(
        "latency quantile per provider",
        () ->
            query(
                "SELECT provider, n, latency_ms FROM (SELECT provider, latency_ms, ROW_NUMBER()"
                    + " OVER (PARTITION BY provider ORDER BY latency_ms) AS rn, COUNT(*) OVER"
                    + " (PARTITION BY provider) AS n FROM llm_calls WHERE at >= ? AND outcome IN"
                    + " ('ok', 'error', 'wasted')) AS ranked WHERE rn = "
                    + db.dialect().greatest("1", "(n * ? + 999999) / 1000000")
                    + " ORDER BY provider",
                rs -> new CallLatency(rs.getString(1), rs.getLong(2), rs.getLong(3)),
                since,
                millionths));
  }

  /**
   * From the latency rollups (V20): {@code call_latency_daily} for the whole UTC days from {@code
   * since} on, {@code call_latency_hourly} for the whole hours before the first of them, and the
   * ledger rows of the partial hour before those, bucketed alike. Calls, errors by type and the
   * mean are exact, p50 and p95 exact to a bucket ({@link LatencyBuckets}).
   */
  public List<CallProfile> callProfiles(Instant since, boolean byRole) {
    String keys = byRole ? "agent_role" : "provider, model";
    int width = byRole ? 1 : 2;
    long hourMs = Duration.ofHours(1).toMillis();
    long firstHour = Math.ceilDiv(since.toEpochMilli(), hourMs);
    long firstDay = Math.ceilDiv(since.toEpochMilli(), Duration.ofDays(1).toMillis());
    return tx(
        "profile calls per " + (byRole ? "role" : "provider and model"),
        () -> {
          record Group(long[] sums, Map<String, Long> errors, long[] histogram) {}
          Map<List<String>, Group> groups = new java.util.LinkedHashMap<>();
          for (Object[] row :
              query(
                  "SELECT "
                      + keys
                      + ", error_type, bucket, SUM(calls), SUM(latency_ms) FROM (SELECT"
                      + " agent_role, provider, model, error_type, bucket, calls, latency_ms FROM"
                      + " call_latency_daily WHERE day >= ? UNION ALL SELECT agent_role,"
                      + " provider, model, error_type, bucket, calls, latency_ms FROM"
                      + " call_latency_hourly WHERE hour >= ? AND hour < ? UNION ALL SELECT"
                      + " agent_role,"
                      + " provider, model, COALESCE(error_type, ''), "
                      + latencyBucket("latency_ms")
                      + ", 1, latency_ms FROM llm_calls WHERE at >= ? AND at < ? AND outcome IN"
                      + " ('ok', 'error', 'wasted')) AS h GROUP BY "
                      + keys
                      + ", error_type, bucket ORDER BY "
                      + keys
                      + ", error_type, bucket",
                  rs ->
                      new Object[] {
                        Rows.keys(rs, width),
                        rs.getString(width + 1),
                        rs.getInt(width + 2),
                        rs.getLong(width + 3),
                        rs.getLong(width + 4)
                      },
                  firstDay,
                  firstHour,
                  firstDay * 24,
                  since.toEpochMilli(),
                  firstHour * hourMs)) {
            @SuppressWarnings("unchecked")
            List<String> k = (List<String>) row[0];
            String errorType = (String) row[1];
            int bucket = (Integer) row[2];
            long calls = (Long) row[3];
            if (calls == 0) continue; // a bucket whose rows all moved away
            Group g =
                groups.computeIfAbsent(
                    k,
                    x ->
                        new Group(
                            new long[2],
                            new java.util.TreeMap<>(),
                            new long[LatencyBuckets.count()]));
            g.sums()[0] += calls;
            g.sums()[1] += (Long) row[4];
            g.histogram()[bucket] += calls;
            if (!errorType.isEmpty()) g.errors().merge(errorType, calls, Long::sum);
          }
          List<CallProfile> out = new ArrayList<>();
          groups.forEach(
              (k, g) ->
                  out.add(
                      new CallProfile(
                          k,
                          g.sums()[0],
                          g.errors(),
                          LatencyBuckets.quantileMs(g.histogram(), 50),
                          LatencyBuckets.quantileMs(g.histogram(), 95),
                          (double) g.sums()[1] / g.sums()[0])));
          return out;
        });
  }

  /** The SQL expression of a column's {@link LatencyBuckets} bucket, as the migrations' (V20). */
  static String latencyBucket(String column) {
    long[] bounds = LatencyBuckets.boundsMs();
    StringBuilder sql = new StringBuilder("CASE");
    for (int i = 0; i < bounds.length; i++)
      sql.append(" WHEN ")
          .append(column)
          .append(" <= ")
          .append(bounds[i])
          .append(" THEN ")
          .append(i);
    return sql.append(" ELSE ").append(bounds.length).append(" END").toString();
  }

  public List<ModelCalls> modelCalls(Instant since) {
    return tx(
        "count calls per provider and model",
        () ->
            query(
                "SELECT provider, model, COUNT(*), COALESCE(SUM("
                    + Dialect.oneIf("error_type IS NOT NULL")
                    + "), 0), COALESCE(SUM("
                    + Dialect.oneIf("error_type = 'rate_limited'")
                    + "), 0), COALESCE(SUM("
                    + Dialect.oneIf("cost_picousd IS NULL")
                    + "), 0) FROM llm_calls WHERE at >= ? AND outcome IN ('ok', 'error',"
                    + " 'wasted') GROUP BY provider, model ORDER BY provider, model",
                rs ->
                    new ModelCalls(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6)),
                since));
  }
}
