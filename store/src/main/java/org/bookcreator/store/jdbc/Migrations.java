package org.bookcreator.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.bookcreator.core.store.StoreException;

/**
 * Versioned schema migrations, one runner for both engines: {@code /db/<set>/index.txt} lists
 * {@code V<n>__<name>.sql} files in order; each not yet applied runs in the migrating transaction
 * and is recorded in the set's version table. A database newer than this build is refused rather
 * than guessed at.
 *
 * <p>Sets: {@code sqlite}, {@code sqlite-logs}, {@code sqlite-spans} (three database files, each
 * with its own {@code schema_version}); {@code postgres}, {@code postgres-logs}, {@code
 * postgres-spans} (one database, version tables {@code schema_version}, {@code
 * schema_version_logs}, {@code schema_version_spans}). A version number means the same tables,
 * columns and indexes on either engine.
 *
 * <p>Why not Flyway: this runner is 200 lines with no dependency, takes each engine's write lock
 * around check-and-apply (so concurrent first opens are safe on both), and tells a damaged version
 * table apart from a newer schema, which a damaged SQLite file needs; Flyway would add a
 * dependency, a second history table format, and none of these.
 */
public final class Migrations {
  /** SQLite's result code for a damaged file, which the SQLite store reports with its runbook. */
  public static final int SQLITE_CORRUPT = 11;

  private Migrations() {}

  /**
   * Applies what is missing of {@code set} and returns the schema version. The whole
   * check-and-apply runs under the engine's write lock (SQLite's {@code BEGIN IMMEDIATE}, a
   * PostgreSQL transaction-scoped advisory lock), so two processes opening a new store at once
   * cannot both migrate it.
   */
  public static int apply(Connection c, String set) throws SQLException {
    List<String> files = index(set);
    boolean postgres = set.startsWith("postgres");
    String table = versionTable(set);
    boolean auto = c.getAutoCommit();
    try (Statement s = c.createStatement()) {
      if (postgres) {
        c.setAutoCommit(false);
        try {
          int current = currentIfExists(c, s, table, "to_regclass('" + table + "') IS NOT NULL");
          if (current == files.size()) {
            c.commit();
            return current;
          }
          s.execute(
              "SELECT pg_advisory_xact_lock(hashtext('book-creator migrations " + set + "'))");
          int version = migrate(s, set, table, files);
          c.commit();
          return version;
        } catch (SQLException | RuntimeException e) {
          Quietly.rollback(c);
          throw e;
        }
      }
      c.setAutoCommit(true);
      // Most opens find the schema current: check without taking the write lock first.
      String exists =
          "(SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '"
              + table
              + "') = 1";
      if (currentIfExists(c, s, table, exists) == files.size()) return files.size();
      s.execute("BEGIN IMMEDIATE");
      try {
        int version = migrate(s, set, table, files);
        s.execute("COMMIT");
        return version;
      } catch (SQLException | RuntimeException e) {
        try {
          s.execute("ROLLBACK");
        } catch (SQLException ignored) {
          // the original failure is what matters
        }
        throw e;
      }
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /** The version recorded in {@code table}, or -1 when the table is not there. */
  private static int currentIfExists(Connection c, Statement s, String table, String exists)
      throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT " + exists)) {
      if (!rs.next() || !rs.getBoolean(1)) return -1;
    }
    try (PreparedStatement p =
            c.prepareStatement("SELECT COALESCE(MAX(version), 0) FROM " + table);
        ResultSet v = p.executeQuery()) {
      return v.next() ? v.getInt(1) : -1;
    }
  }

  private static int migrate(Statement s, String set, String table, List<String> files)
      throws SQLException {
    s.execute(
        "CREATE TABLE IF NOT EXISTS "
            + table
            + " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    int current = 0;
    int rows = 0;
    try (ResultSet rs =
        s.executeQuery("SELECT COALESCE(MAX(version), 0), COUNT(*) FROM " + table)) {
      if (rs.next()) {
        current = rs.getInt(1);
        rows = rs.getInt(2);
      }
    }
    // Versions are applied one by one from 1, so a database has exactly as many rows as its
    // newest version. Anything else is garbage read from a damaged page, not a newer schema.
    if (rows != current) {
      throw new SQLException(
          "its "
              + table
              + " table says version "
              + current
              + " but holds "
              + rows
              + " version(s), which no Book Creator writes",
          "damaged",
          SQLITE_CORRUPT);
    }
    if (current > files.size()) {
      throw new StoreException(
          "the store's schema is version "
              + current
              + " but this build knows only up to "
              + files.size()
              + "; use a newer Book Creator with this "
              + (set.startsWith("postgres") ? "database" : "data directory"));
    }
    for (int v = current + 1; v <= files.size(); v++) {
      String file = files.get(v - 1);
      for (String sql : statements(read(set, file))) s.execute(sql);
      s.execute(
          "INSERT INTO "
              + table
              + "(version, name, applied_at) VALUES ("
              + v
              + ", '"
              + file
              + "', "
              + System.currentTimeMillis()
              + ")");
      current = v;
    }
    return current;
  }

  /** {@code schema_version}, or for a PostgreSQL side set ({@code postgres-logs}) its own table. */
  static String versionTable(String set) {
    int dash = set.indexOf('-');
    if (!set.startsWith("postgres") || dash < 0) return "schema_version";
    return "schema_version_" + set.substring(dash + 1);
  }

  /** The number of versions {@code set} has in this build. */
  public static int latest(String set) {
    return index(set).size();
  }

  private static List<String> index(String set) {
    String text = read(set, "index.txt");
    List<String> files = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) continue;
      if (!l.startsWith("V" + (files.size() + 1) + "__")) {
        throw new IllegalStateException(
            "migration " + l + " is out of order in /db/" + set + "/index.txt");
      }
      files.add(l);
    }
    return files;
  }

  private static String read(String set, String file) {
    String path = "/db/" + set + "/" + file;
    try (InputStream in = Migrations.class.getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("missing migration resource " + path);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path, e);
    }
  }

  /**
   * Splits a script on semicolons at line ends, dropping comment lines. Inside a dollar-quoted body
   * ({@code $$ ... $$}, PostgreSQL's function bodies) a semicolon does not end the statement.
   */
  public static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inBody = false;
    for (String line : script.split("\\R")) {
      if (!inBody && line.strip().startsWith("--")) continue;
      cur.append(line).append('\n');
      if (dollarQuotes(line) % 2 == 1) inBody = !inBody;
      if (!inBody && line.strip().endsWith(";")) {
        String sql = cur.toString().strip();
        out.add(sql.substring(0, sql.length() - 1));
        cur.setLength(0);
      }
    }
    if (!cur.toString().isBlank()) out.add(cur.toString().strip());
    return out;
  }

  private static int dollarQuotes(String line) {
    int n = 0;
    for (int i = line.indexOf("$$"); i >= 0; i = line.indexOf("$$", i + 2)) n++;
    return n;
  }
}
