package org.bookcreator.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.store.Page;

/** One part of the store (what it keeps: runs, the task queue, the ledger, ...) over the core. */
abstract class Part {
  protected final Db db;

  Part(Db db) {
    this.db = db;
  }

  protected final <T> T tx(String what, Db.Work<T> work) {
    return db.tx(what, work);
  }

  protected final PreparedStatement ps(String sql, Object... args) throws SQLException {
    return db.ps(sql, args);
  }

  protected final int update(String sql, Object... args) throws SQLException {
    return db.update(sql, args);
  }

  protected final <T> List<T> query(String sql, Db.Row<T> row, Object... args) throws SQLException {
    return db.query(sql, row, args);
  }

  protected final <T> Optional<T> one(String sql, Db.Row<T> row, Object... args)
      throws SQLException {
    return db.one(sql, row, args);
  }

  protected final <T> T readBack(Db.Work<T> row) throws SQLException {
    return db.readBack(row);
  }

  /**
   * Holds {@code key} until this transaction ends, so that a check and the write it allows are one
   * step for every process: PostgreSQL's transaction-scoped advisory lock. SQLite has one writer at
   * a time already.
   */
  protected final void lock(String key) throws SQLException {
    if (db.dialect() == Dialect.POSTGRES) {
      one("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(?))) AS locked", rs -> 1, key);
    }
  }

  /** Records a move of a run, stage or task in the run's history. */
  protected final void record(
      String runId,
      String entity,
      String entityId,
      Object from,
      Object to,
      String reason,
      Instant at)
      throws SQLException {
    update(
        "INSERT INTO transitions(run_id, entity, entity_id, from_state, to_state, reason, at)"
            + " VALUES (?,?,?,?,?,?,?)",
        runId,
        entity,
        entityId,
        from == null ? null : from.toString(),
        to.toString(),
        reason,
        at);
  }

  /** One page of {@code SELECT columns from ORDER BY order}, and how many rows match in all. */
  protected final <T> Page<T> page(
      String what,
      String columns,
      String from,
      String order,
      List<Object> args,
      Db.Row<T> row,
      int limit,
      int offset) {
    return page(what, columns, from, from, order, args, row, limit, offset);
  }

  /** As above, counting the rows of {@code countFrom} and reading the page from {@code from}. */
  protected final <T> Page<T> page(
      String what,
      String columns,
      String countFrom,
      String from,
      String order,
      List<Object> args,
      Db.Row<T> row,
      int limit,
      int offset) {
    return tx(
        what,
        () -> {
          long total =
              one("SELECT COUNT(*)" + countFrom, rs -> rs.getLong(1), args.toArray()).orElse(0L);
          List<Object> paged = new ArrayList<>(args);
          paged.add(limit);
          paged.add(offset);
          List<T> items =
              query(
                  "SELECT " + columns + from + " ORDER BY " + order + " LIMIT ? OFFSET ?",
                  row,
                  paged.toArray());
          return new Page<>(items, total, limit, offset);
        });
  }

  protected static void clause(StringBuilder where, List<Object> args, String sql, Object arg) {
    where.append(sql);
    args.add(arg);
  }
}
