package org.bookcreator.store.jdbc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostQuery;

/**
 * The SQL of a cost report, read from the rollups (V12: {@code cost_daily}, {@code cost_hourly})
 * whenever they can answer the query, else from the ledger rows. Every statement selects the
 * query's group keys and then the same thirteen sums, in {@link #SUMS}' order, so one row mapper
 * reads them all.
 */
public final class CostReportSql {
  private CostReportSql() {}

  /** Where a report's figures come from. */
  public enum Source {
    /** {@code cost_daily}: no time filter, or one on whole UTC days (as {@code --since DATE}). */
    DAILY("cost_daily", "day", Duration.ofDays(1)),
    /** {@code cost_hourly}: a time filter on whole hours. */
    HOURLY("cost_hourly", "hour", Duration.ofHours(1)),
    /**
     * {@code run_cost} (V20): one row per run with its project and every sum, for a report by
     * project or run, or of one project or run, without a time range.
     */
    RUN("run_cost", "", Duration.ZERO),
    /** The ledger rows: a filter or grouping the rollups do not hold (see {@link #of}). */
    LEDGER("llm_calls", "at", Duration.ofMillis(1));

    final String table;
    final String bucket;
    final long bucketMillis;

    Source(String table, String bucket, Duration size) {
      this.table = table;
      this.bucket = bucket;
      this.bucketMillis = size.toMillis();
    }
  }

  record Statement(Source source, String sql, List<Object> args) {
    Statement {
      args = List.copyOf(args);
    }
  }

  /**
   * The source a query is answered from. The time rollups have no project or run, so a filter or a
   * grouping by either reads {@code run_cost}, which has no time: with a time range too, or a
   * grouping {@code run_cost} does not hold (stage, day...), it reads the ledger; so does a time
   * bound that is not on a bucket boundary, because a bucket cannot be split. The coarsest source
   * that fits is the fastest.
   */
  public static Source source(CostQuery q) {
    if (q.projectId().isPresent()
        || q.runId().isPresent()
        || q.by().contains(CostDimension.PROJECT)
        || q.by().contains(CostDimension.RUN)) {
      boolean perRun =
          q.since().isEmpty() && q.until().isEmpty() && RUN_DIMENSIONS.containsAll(q.by());
      return perRun ? Source.RUN : Source.LEDGER;
    }
    for (Source s : List.of(Source.DAILY, Source.HOURLY)) {
      if (aligned(q.since(), s) && aligned(q.until(), s)) return s;
    }
    return Source.LEDGER;
  }

  private static final java.util.Set<CostDimension> RUN_DIMENSIONS =
      java.util.EnumSet.of(CostDimension.PROJECT, CostDimension.RUN, CostDimension.CATEGORY);

  private static boolean aligned(Optional<Instant> t, Source s) {
    return t.isEmpty() || Math.floorMod(t.get().toEpochMilli(), s.bucketMillis) == 0;
  }

  /** The report's statement, from the source {@link #source} picks. */
  static Statement of(CostQuery q, Dialect dialect) {
    Source source = source(q);
    return switch (source) {
      case LEDGER -> fromLedger(q, dialect);
      case RUN -> perRun(q);
      case DAILY, HOURLY -> rollup(q, source, dialect);
    };
  }

  /** Sums over rollup rows, in the order {@link #LEDGER_SUMS} computes them over ledger rows. */
  private static final String SUMS = sums("");

  private static String sums(String prefix) {
    return java.util.stream.Stream.of(
            "calls",
            "failed_calls",
            "unpriced_calls",
            "input_tokens",
            "output_tokens",
            "cache_read_tokens",
            "cache_write_tokens",
            "reasoning_tokens",
            "cost_picousd",
            "wasted_calls",
            "wasted_cost_picousd",
            "interrupted_calls",
            "interrupted_est_picousd")
        .map(c -> "COALESCE(SUM(" + prefix + c + "), 0)")
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /** The same sums over ledger rows (what failed and unpriced mean: see {@link SqliteStore}). */
  private static final String LEDGER_SUMS =
      "COUNT(*), "
          + Ledger.FAILED
          + ", "
          + Ledger.UNPRICED
          + ", SUM(c.input_tokens), SUM(c.output_tokens), SUM(c.cache_read_tokens),"
          + " SUM(c.cache_write_tokens), SUM(c.reasoning_tokens), COALESCE(SUM(c.cost_picousd),"
          + " 0), SUM(CASE WHEN c.outcome = 'wasted' THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN"
          + " c.outcome = 'wasted' THEN c.cost_picousd END), 0), SUM(CASE WHEN c.outcome IN"
          + " ('pending', 'interrupted') THEN 1 ELSE 0 END),"
          + " COALESCE(SUM(CASE WHEN c.outcome IN ('pending', 'interrupted') THEN"
          + " c.est_cost_picousd END), 0)";

  private static Statement rollup(CostQuery q, Source s, Dialect dialect) {
    List<String> dims = q.by().stream().map(d -> rollupColumn(d, s, dialect)).toList();
    Where where = new Where();
    // The ledger report joins projects for a category; a row of an unknown project, kept under
    // '' in the rollups, is left out the same way.
    if (q.category().isPresent() || q.by().contains(CostDimension.CATEGORY))
      where.always("category <> ''");
    where
        .when(q.category(), "category = ?", v -> v)
        .when(q.since(), s.bucket + " >= ?", v -> Math.floorDiv(v.toEpochMilli(), s.bucketMillis))
        .when(q.until(), s.bucket + " < ?", v -> Math.floorDiv(v.toEpochMilli(), s.bucketMillis));
    StringBuilder sql = select(dims, SUMS).append(" FROM ").append(s.table);
    where.appendTo(sql);
    // A bucket whose rows all moved to another key (a completed call's answering model, say)
    // keeps zeros; a group with no calls has no ledger rows, so it is not a line of the report.
    groupAndOrder(sql, dims, " HAVING SUM(calls) <> 0");
    return new Statement(s, sql.toString(), where.args);
  }

  /**
   * Sums over {@code run_cost} rows: grouped by their project or run, filtered by them, and by
   * category through the project as the ledger report does (a run of an unknown project is in no
   * category).
   */
  private static Statement perRun(CostQuery q) {
    boolean join = q.category().isPresent() || q.by().contains(CostDimension.CATEGORY);
    List<String> dims =
        q.by().stream()
            .map(
                d ->
                    switch (d) {
                      case PROJECT -> "rc.project_id";
                      case RUN -> "rc.run_id";
                      case CATEGORY -> "p.category";
                      default -> throw new IllegalArgumentException("run_cost has no " + d.id());
                    })
            .toList();
    Where where = Where.ofRows(q, "rc");
    StringBuilder sql = select(dims, sums("rc.")).append(" FROM run_cost rc");
    if (join) sql.append(" JOIN projects p ON p.id = rc.project_id");
    where.appendTo(sql);
    // A run row without calls (a run not yet at a model, or whose calls all moved) is no line.
    groupAndOrder(sql, dims, " HAVING SUM(rc.calls) <> 0");
    return new Statement(Source.RUN, sql.toString(), where.args);
  }

  private static String rollupColumn(CostDimension d, Source s, Dialect dialect) {
    return switch (d) {
      case STAGE -> "stage";
      case AGENT -> "agent_role";
      case PROVIDER -> "provider";
      case MODEL -> "model";
      case CATEGORY -> "category";
      case DAY -> dialect.utcDay(s.bucket + " * " + s.bucketMillis / 1000);
      case PROJECT, RUN -> throw new IllegalArgumentException("the rollups have no " + d.id());
    };
  }

  /** The report from the ledger rows, whatever the query: what the rollups must equal. */
  static Statement fromLedger(CostQuery q, Dialect dialect) {
    boolean join = q.category().isPresent() || q.by().contains(CostDimension.CATEGORY);
    List<String> dims = q.by().stream().map(d -> ledgerColumn(d, dialect)).toList();
    Where where =
        Where.ofRows(q, "c")
            .when(q.since(), "c.at >= ?", Instant::toEpochMilli)
            .when(q.until(), "c.at < ?", Instant::toEpochMilli);
    StringBuilder sql = select(dims, LEDGER_SUMS).append(" FROM llm_calls c");
    if (join) sql.append(" JOIN projects p ON p.id = c.project_id");
    where.appendTo(sql);
    groupAndOrder(sql, dims, "");
    return new Statement(Source.LEDGER, sql.toString(), where.args);
  }

  private static String ledgerColumn(CostDimension d, Dialect dialect) {
    return switch (d) {
      case PROJECT -> "c.project_id";
      case RUN -> "c.run_id";
      case STAGE -> "c.stage";
      case AGENT -> "c.agent_role";
      case PROVIDER -> "c.provider";
      case MODEL -> "c.model";
      case CATEGORY -> "p.category";
      case DAY -> dialect.utcDay("c.at / 1000");
    };
  }

  /** The conditions of a statement's WHERE and their arguments, in order. */
  private static final class Where {
    private final List<String> conditions = new ArrayList<>();
    final List<Object> args = new ArrayList<>();

    /**
     * The project, run and category filters of a query over rows aliased {@code alias}, the
     * category through the projects joined as {@code p}.
     */
    static Where ofRows(CostQuery q, String alias) {
      return new Where()
          .when(q.projectId(), alias + ".project_id = ?", v -> v)
          .when(q.runId(), alias + ".run_id = ?", v -> v)
          .when(q.category(), "p.category = ?", v -> v);
    }

    /** Adds {@code condition}, bound to {@code value} as {@code arg} maps it, if there is one. */
    <T> Where when(Optional<T> value, String condition, Function<T, Object> arg) {
      value.ifPresent(
          v -> {
            conditions.add(condition);
            args.add(arg.apply(v));
          });
      return this;
    }

    void always(String condition) {
      conditions.add(condition);
    }

    void appendTo(StringBuilder sql) {
      if (!conditions.isEmpty()) sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
  }

  private static StringBuilder select(List<String> dims, String sums) {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (String d : dims) sql.append(d).append(", ");
    return sql.append(sums);
  }

  private static void groupAndOrder(StringBuilder sql, List<String> dims, String having) {
    if (dims.isEmpty()) return;
    sql.append(" GROUP BY ")
        .append(String.join(", ", dims))
        .append(having)
        .append(" ORDER BY ")
        .append(String.join(", ", dims));
  }
}
