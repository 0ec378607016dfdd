package org.bookcreator.store.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.bookcreator.core.store.StoreException;

/**
 * Copies a whole library from one store into an empty PostgreSQL one: every table of the library,
 * the span store and the logs' copy, row for row, rollups included (their triggers are off while
 * the rows they would add up arrive), in one transaction of the target that is committed only when
 * each table's count and the ledger's cost totals equal the source's. A target that holds anything
 * is refused before a row is written; a failure part way leaves it as it was.
 *
 * <p>Both stores must be at the same schema version (opening a store migrates it to this version)
 * and should be open exclusively, so that no pipeline writes to either during the copy.
 */
public final class StoreCopy {
  /** One table copied: which, and how many rows it holds on both sides. */
  public record Table(String name, long rows) {}

  /** What was copied and checked. */
  public record Report(List<Table> tables, long ledgerRows, long ledgerCostPicousd) {
    public long rows() {
      return tables.stream().mapToLong(Table::rows).sum();
    }

    /** The ledger's total cost in US dollars, exact. */
    public java.math.BigDecimal ledgerCostUsd() {
      return Rows.usd(ledgerCostPicousd);
    }
  }

  private static final int BATCH = 1000;

  private StoreCopy() {}

  /**
   * Copies everything in {@code from} into {@code to}, telling {@code progress} of each table as it
   * is done.
   *
   * @throws StoreException when the target is not PostgreSQL, is at another schema version, is not
   *     empty, lacks a table or column of the source, or when a count or total differs after the
   *     copy (nothing is then left in the target)
   */
  public static Report copy(JdbcStore from, JdbcStore to, Consumer<String> progress) {
    if (to.db.dialect() != Dialect.POSTGRES)
      throw new StoreException("store copy writes into PostgreSQL only");
    if (from.schemaVersion() != to.schemaVersion()) {
      throw new StoreException(
          "the source store is at schema version "
              + from.schemaVersion()
              + " and the target at "
              + to.schemaVersion()
              + "; both must be at this version's ("
              + Migrations.latest("postgres")
              + ")");
    }
    return to.db.tx(
        "copy the library into",
        () -> {
          Map<String, Db> sources = sourceTables(from);
          List<String> order = insertionOrder(to.db, sources.keySet());
          refuseUnlessEmpty(to.db, order);
          List<Table> copied = new ArrayList<>();
          for (String table : order) {
            Db source = sources.get(table);
            long rows = source.tx("read " + table + " from", () -> copyTable(source, to.db, table));
            long there = count(to.db, table);
            if (there != rows) {
              throw new StoreException(
                  "copied " + rows + " rows of " + table + " but the target counts " + there);
            }
            copied.add(new Table(table, rows));
            progress.accept(table + ": " + rows + " rows");
          }
          restartSequences(to.db);
          long[] before = from.db.tx("total the ledger of", () -> ledgerTotals(from.db));
          long[] after = ledgerTotals(to.db);
          if (before[0] != after[0] || before[1] != after[1]) {
            throw new StoreException(
                "the ledger differs after the copy: "
                    + before[0]
                    + " calls costing "
                    + before[1]
                    + " pico-USD in the source, "
                    + after[0]
                    + " costing "
                    + after[1]
                    + " in the target");
          }
          return new Report(List.copyOf(copied), after[0], after[1]);
        });
  }

  /** Every table of the source's databases, with the database that holds it. */
  private static Map<String, Db> sourceTables(JdbcStore from) {
    Map<String, Db> tables = new LinkedHashMap<>();
    for (Db source : new LinkedHashSet<>(List.of(from.db, from.spanDb, from.logDb))) {
      for (String t : source.tx("list the tables of", () -> tables(source))) tables.put(t, source);
    }
    return tables;
  }

  private static List<String> tables(Db db) throws SQLException {
    List<String> out = new ArrayList<>();
    DatabaseMetaData meta = db.connection().getMetaData();
    try (ResultSet rs = meta.getTables(null, schema(db), "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
        if (!name.startsWith("schema_version") && !name.startsWith("sqlite_")) out.add(name);
      }
    }
    return out;
  }

  private static String schema(Db db) throws SQLException {
    return db.dialect() == Dialect.POSTGRES ? db.connection().getSchema() : null;
  }

  /**
   * The target's tables, each after those its foreign keys name; fails naming any table one side
   * has and the other lacks.
   */
  private static List<String> insertionOrder(Db target, Set<String> wanted) throws SQLException {
    Set<String> present = new TreeSet<>(tables(target));
    if (!present.equals(new TreeSet<>(wanted))) {
      Set<String> onlySource = new TreeSet<>(wanted);
      onlySource.removeAll(present);
      Set<String> onlyTarget = new TreeSet<>(present);
      onlyTarget.removeAll(wanted);
      throw new StoreException(
          "the two stores' tables differ (only in the source: "
              + onlySource
              + "; only in the target: "
              + onlyTarget
              + ")");
    }
    DatabaseMetaData meta = target.connection().getMetaData();
    Map<String, Set<String>> parents = new LinkedHashMap<>();
    for (String t : present) {
      Set<String> p = new TreeSet<>();
      try (ResultSet rs = meta.getImportedKeys(null, schema(target), t)) {
        while (rs.next()) p.add(rs.getString("PKTABLE_NAME"));
      }
      p.remove(t);
      parents.put(t, p);
    }
    List<String> order = new ArrayList<>();
    while (order.size() < present.size()) {
      int before = order.size();
      for (var e : parents.entrySet()) {
        if (!order.contains(e.getKey()) && order.containsAll(e.getValue())) order.add(e.getKey());
      }
      if (order.size() == before) throw new StoreException("the tables' foreign keys form a cycle");
    }
    return order;
  }

  private static void refuseUnlessEmpty(Db target, List<String> tables) throws SQLException {
    List<String> holding = new ArrayList<>();
    for (String t : tables) {
      if (target.one("SELECT 1 FROM " + t + " LIMIT 1", rs -> true).isPresent()) holding.add(t);
    }
    if (!holding.isEmpty()) {
      throw new StoreException(
          "the target database is not empty ("
              + String.join(", ", holding)
              + " hold rows); store copy fills only an empty store: create a new database, or"
              + " drop and recreate this one if nothing in it is needed");
    }
  }

  /** Copies one table's rows, its user triggers off meanwhile; returns how many. */
  private static long copyTable(Db source, Db target, String table) throws SQLException {
    Map<String, Integer> columns = columns(target, table);
    Set<String> theirs = columns(source, table).keySet();
    if (!theirs.containsAll(columns.keySet())) {
      Set<String> missing = new TreeSet<>(columns.keySet());
      missing.removeAll(theirs);
      throw new StoreException("the source's " + table + " lacks the columns " + missing);
    }
    List<String> names = List.copyOf(columns.keySet());
    List<Integer> types = List.copyOf(columns.values());
    String list = String.join(", ", names);
    String marks = String.join(", ", names.stream().map(n -> "?").toList());
    try (Statement s = target.connection().createStatement()) {
      s.execute("ALTER TABLE " + table + " DISABLE TRIGGER USER");
    }
    long rows = 0;
    try (PreparedStatement read =
            source.connection().prepareStatement("SELECT " + list + " FROM " + table);
        ResultSet rs = read.executeQuery();
        PreparedStatement write =
            target
                .connection()
                .prepareStatement(
                    "INSERT INTO " + table + " (" + list + ") VALUES (" + marks + ")")) {
      while (rs.next()) {
        for (int i = 0; i < names.size(); i++) {
          bind(write, i + 1, rs.getObject(i + 1), types.get(i), table, names.get(i));
        }
        write.addBatch();
        if (++rows % BATCH == 0) write.executeBatch();
      }
      write.executeBatch();
    }
    try (Statement s = target.connection().createStatement()) {
      s.execute("ALTER TABLE " + table + " ENABLE TRIGGER USER");
    }
    return rows;
  }

  /** A table's columns in their order, with their JDBC types. */
  private static Map<String, Integer> columns(Db db, String table) throws SQLException {
    Map<String, Integer> out = new LinkedHashMap<>();
    DatabaseMetaData meta = db.connection().getMetaData();
    try (ResultSet rs = meta.getColumns(null, schema(db), table, "%")) {
      while (rs.next()) {
        out.put(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT), rs.getInt("DATA_TYPE"));
      }
    }
    return out;
  }

  private static void bind(
      PreparedStatement p, int i, Object v, int type, String table, String column)
      throws SQLException {
    if (v == null) {
      p.setNull(i, type);
      return;
    }
    switch (type) {
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT -> {
        if (!(v instanceof Number n)) {
          throw new StoreException(
              "the source's " + table + "." + column + " holds a non-number: " + clip(v));
        }
        p.setLong(i, n.longValue());
      }
      case Types.BOOLEAN, Types.BIT ->
          p.setBoolean(
              i, v instanceof Number n ? n.longValue() != 0 : Boolean.parseBoolean(v.toString()));
      case Types.VARCHAR, Types.LONGVARCHAR, Types.CHAR, Types.NVARCHAR, Types.CLOB ->
          p.setString(i, Db.text(v.toString()));
      default -> p.setObject(i, v);
    }
  }

  private static String clip(Object v) {
    String s = String.valueOf(v);
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  private static long count(Db db, String table) throws SQLException {
    return db.one("SELECT COUNT(*) FROM " + table, rs -> rs.getLong(1)).orElse(0L);
  }

  /** The ledger's calls and their total cost in pico-USD. */
  private static long[] ledgerTotals(Db db) throws SQLException {
    return db.one(
            "SELECT COUNT(*), COALESCE(SUM(cost_picousd), 0) FROM llm_calls",
            rs -> new long[] {rs.getLong(1), rs.getLong(2)})
        .orElseThrow();
  }

  /**
   * Moves each identity column's sequence, and the task queue's, past the rows copied, so the next
   * row written gets a number of its own.
   */
  private static void restartSequences(Db target) throws SQLException {
    List<String[]> identities =
        target.query(
            "SELECT table_name, column_name FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND is_identity = 'YES'",
            rs -> new String[] {rs.getString(1), rs.getString(2)});
    for (String[] tc : identities) {
      target.query(
          "SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX("
              + tc[1]
              + "), 0) + 1, false) FROM "
              + tc[0],
          rs -> null,
          tc[0],
          tc[1]);
    }
    target.query(
        "SELECT setval('" + TaskQueue.SEQUENCE + "', COALESCE(MAX(seq), 0) + 1, false) FROM tasks",
        rs -> null);
  }
}
