package org.bookcreator.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.bookcreator.core.store.StoreException;

/**
 * Versioned schema migrations: {@code /db/<dialect>/index.txt} lists {@code V<n>__<name>.sql} files
 * in order; each not yet applied runs in its own transaction and is recorded in {@code
 * schema_version}. A database newer than this build is refused rather than guessed at.
 */
final class Migrations {
  private Migrations() {}

  /**
   * Applies what is missing. The whole check-and-apply runs under SQLite's write lock ({@code BEGIN
   * IMMEDIATE}), so two processes opening a new data directory at once cannot both migrate it.
   */
  static int apply(Connection c, String dialect) throws SQLException {
    List<String> files = index(dialect);
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      // Most opens find the schema current: check without taking the write lock first.
      try (ResultSet rs =
          s.executeQuery(
              "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name ="
                  + " 'schema_version'")) {
        if (rs.next() && rs.getInt(1) == 1) {
          try (ResultSet v =
              s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            if (v.next() && v.getInt(1) == files.size()) return files.size();
          }
        }
      }
      s.execute("BEGIN IMMEDIATE");
      try {
        s.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT"
                + " NULL, applied_at INTEGER NOT NULL)");
        int current = 0;
        int rows = 0;
        try (ResultSet rs =
            s.executeQuery("SELECT COALESCE(MAX(version), 0), COUNT(*) FROM schema_version")) {
          if (rs.next()) {
            current = rs.getInt(1);
            rows = rs.getInt(2);
          }
        }
        // Versions are applied one by one from 1, so a database has exactly as many rows as its
        // newest version. Anything else is garbage read from a damaged page, not a newer schema.
        if (rows != current) {
          throw new SQLException(
              "its schema_version table says version "
                  + current
                  + " but holds "
                  + rows
                  + " version(s), which no Book Creator writes",
              "damaged",
              DatabaseFiles.SQLITE_CORRUPT);
        }
        if (current > files.size()) {
          throw new StoreException(
              "the store's schema is version "
                  + current
                  + " but this build knows only up to "
                  + files.size()
                  + "; use a newer Book Creator with this data directory");
        }
        for (int v = current + 1; v <= files.size(); v++) {
          String file = files.get(v - 1);
          for (String sql : statements(read(dialect, file))) s.execute(sql);
          s.execute(
              "INSERT INTO schema_version(version, name, applied_at) VALUES ("
                  + v
                  + ", '"
                  + file
                  + "', "
                  + System.currentTimeMillis()
                  + ")");
          current = v;
        }
        s.execute("COMMIT");
        return current;
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

  private static List<String> index(String dialect) {
    String text = read(dialect, "index.txt");
    List<String> files = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) continue;
      if (!l.startsWith("V" + (files.size() + 1) + "__")) {
        throw new IllegalStateException(
            "migration " + l + " is out of order in /db/" + dialect + "/index.txt");
      }
      files.add(l);
    }
    return files;
  }

  private static String read(String dialect, String file) {
    String path = "/db/" + dialect + "/" + file;
    try (InputStream in = Migrations.class.getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("missing migration resource " + path);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path, e);
    }
  }

  /** Splits a script on semicolons at line ends, dropping comment lines. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : script.split("\\R")) {
      if (line.strip().startsWith("--")) continue;
      cur.append(line).append('\n');
      if (line.strip().endsWith(";")) {
        String sql = cur.toString().strip();
        out.add(sql.substring(0, sql.length() - 1));
        cur.setLength(0);
      }
    }
    if (!cur.toString().isBlank()) out.add(cur.toString().strip());
    return out;
  }
}
