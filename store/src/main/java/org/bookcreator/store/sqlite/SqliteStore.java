package org.bookcreator.store.sqlite;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.core.store.StoreLockedException;
import org.bookcreator.store.jdbc.Db;
import org.bookcreator.store.jdbc.Dialect;
import org.bookcreator.store.jdbc.JdbcStore;
import org.bookcreator.store.jdbc.Migrations;
import org.bookcreator.store.jdbc.Quietly;

/**
 * The embedded default store: one SQLite database ({@code book-creator.db}) in the data directory,
 * in WAL mode. One connection, guarded by a {@link ReentrantLock}, serialises all access from this
 * process; a lock file keeps a second pipeline process out of the same directory (read-only
 * commands may still open it).
 */
public final class SqliteStore extends JdbcStore {
  public static final String DB_FILE = "book-creator.db";
  public static final String LOCK_FILE = "book-creator.lock";
  public static final String SPANS_FILE = "spans.db";
  public static final String LOGS_FILE = "logs.db";

  private final Db db;
  private final Db spanDb;
  private final Db logDb;
  private final int schemaVersion;
  private final Owner owner;

  private SqliteStore(Path dataDir, Db db, int schemaVersion, Owner owner) {
    this(
        db,
        side(dataDir, SPANS_FILE, "sqlite-spans"),
        side(dataDir, LOGS_FILE, "sqlite-logs"),
        schemaVersion,
        owner);
  }

  private SqliteStore(Db db, Db spanDb, Db logDb, int schemaVersion, Owner owner) {
    super(db, spanDb, logDb);
    this.db = db;
    this.spanDb = spanDb;
    this.logDb = logDb;
    this.schemaVersion = schemaVersion;
    this.owner = owner;
  }

  /**
   * Opens (creating and migrating as needed) the store in {@code dataDir}. With {@code exclusive},
   * the directory is locked for this process: a second process asking for it gets a {@link
   * StoreLockedException}.
   */
  public static SqliteStore open(Path dataDir, boolean exclusive) {
    try {
      Files.createDirectories(dataDir);
    } catch (AccessDeniedException e) {
      throw new StoreException("cannot create data directory " + dataDir + ": permission denied");
    } catch (IOException e) {
      throw new StoreException("cannot create data directory " + dataDir + ": " + e);
    }
    if (!Files.isDirectory(dataDir))
      throw new StoreException("data directory " + dataDir + " is not a directory");
    if (!Files.isReadable(dataDir) || !Files.isWritable(dataDir) || !Files.isExecutable(dataDir)) {
      throw new StoreException(
          "data directory "
              + dataDir
              + " is not readable and writable by this user; fix its permissions or choose another"
              + " with --data-dir");
    }
    Path db = dataDir.resolve(DB_FILE);
    checkFiles(db);
    Connection c = null;
    Owner owner = null;
    try {
      c = connect(db);
      if (exclusive) owner = Owner.take(dataDir, db);
      int version = Migrations.apply(c, "sqlite");
      c.setAutoCommit(false);
      return new SqliteStore(
          dataDir, new Db(Dialect.SQLITE, new OneConnection(c), failures(db)), version, owner);
    } catch (SQLException e) {
      Quietly.close(c);
      if (owner != null) owner.release();
      String msg = e.getMessage() == null ? "" : e.getMessage();
      if (msg.contains("SQLITE_BUSY") || msg.contains("locked")) {
        throw new StoreLockedException("store " + db + " is locked by another process: " + msg);
      }
      throw DatabaseFiles.failure(db, "open " + db, e);
    } catch (RuntimeException e) {
      Quietly.close(c);
      if (owner != null) owner.release();
      throw e;
    }
  }

  /**
   * This process's ownership of the data directory: a lock on one byte of the database file itself,
   * far past anything SQLite locks or writes. Deleting a file cannot take it away (a lock file
   * could be deleted and locked again by a newcomer while its holder still ran); only the end of
   * the process or {@link #release} does. The pid is written to {@link #LOCK_FILE} for the messages
   * of whoever is refused.
   *
   * <p>The lock is a POSIX record lock: closing any other descriptor of the database file in this
   * process would drop it, so nothing in a pipeline process opens the file a second time.
   */
  private record Owner(FileChannel channel, FileLock lock) {
    /** Far past any real database size and SQLite's own lock bytes (around 1 GiB). */
    private static final long BYTE = Long.MAX_VALUE - 1;

    static Owner take(Path dataDir, Path db) {
      FileChannel channel = null;
      try {
        channel = FileChannel.open(db, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
          lock = channel.tryLock(BYTE, 1, false);
        } catch (OverlappingFileLockException e) {
          lock = null; // held by this very process, through another store
        }
        if (lock == null) {
          channel.close();
          throw new StoreLockedException(
              "data directory "
                  + dataDir
                  + " is in use by another Book Creator process"
                  + holder(dataDir)
                  + "; wait for it to finish, stop it, or use another --data-dir");
        }
        Files.writeString(
            dataDir.resolve(LOCK_FILE),
            "pid " + ProcessHandle.current().pid(),
            StandardCharsets.UTF_8);
        return new Owner(channel, lock);
      } catch (IOException e) {
        Quietly.close(channel);
        throw new StoreException("cannot lock data directory " + dataDir + ": " + e);
      }
    }

    private static String holder(Path dataDir) {
      try {
        String pid = Files.readString(dataDir.resolve(LOCK_FILE), StandardCharsets.UTF_8).strip();
        return pid.isEmpty() ? "" : " (" + pid + ")";
      } catch (IOException e) {
        return ""; // the message is clear without the pid
      }
    }

    void release() {
      try {
        lock.release();
      } catch (IOException ignored) {
        // the OS releases it with the process anyway
      }
      Quietly.close(channel);
    }
  }

  /**
   * What is checked before the store is opened: a missing database is created (whole, so another
   * process never finds it empty); one that is there must look like a database. Only a missing file
   * means a new store: an empty or damaged one is refused, naming it and the runbook, and left as
   * it is.
   */
  private static void checkFiles(Path db) {
    DatabaseFiles.checkHeader(db, true);
    DatabaseFiles.createIfMissing(db);
  }

  /**
   * One database file of the store as {@link #checkIntegrity} found it.
   *
   * @param file the file's name in the data directory
   * @param bytes its length
   * @param damage empty when it passes; else what is wrong with it and what to do
   */
  public record FileCheck(String file, long bytes, Optional<String> damage) {}

  /**
   * SQLite's integrity check of each database file in {@code dataDir} that exists (the store,
   * {@code logs.db}, {@code spans.db}), without opening the store: nothing is created, migrated,
   * locked or written, so it is safe beside a running process and on a damaged file. Reads each
   * file whole: about 0.8 s per 50 MB from a cold disk.
   */
  public static List<FileCheck> checkIntegrity(Path dataDir) {
    List<FileCheck> checks = new ArrayList<>();
    for (String name : List.of(DB_FILE, LOGS_FILE, SPANS_FILE)) {
      Path file = dataDir.resolve(name);
      if (!Files.exists(file)) continue;
      long bytes;
      try {
        bytes = Files.size(file);
      } catch (IOException e) {
        throw new StoreException("cannot read the store file " + file + ": " + e, e);
      }
      checks.add(new FileCheck(name, bytes, DatabaseFiles.integrity(file)));
    }
    return checks;
  }

  private static Connection connect(Path db) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
    try {
      configure(c);
      return c;
    } catch (SQLException e) {
      Quietly.close(c);
      throw e;
    }
  }

  private static void configure(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 10000");
      // Switching a new database to WAL can answer SQLITE_BUSY at once, without the busy handler,
      // while another process does the same: retry it for a while.
      for (int attempt = 1; ; attempt++) {
        try {
          s.execute("PRAGMA journal_mode = WAL");
          break;
        } catch (SQLException e) {
          if (attempt >= 100 || e.getMessage() == null || !e.getMessage().contains("SQLITE_BUSY"))
            throw e;
          try {
            Thread.sleep(20);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw e;
          }
        }
      }
      s.execute("PRAGMA synchronous = NORMAL");
      s.execute("PRAGMA foreign_keys = ON");
    }
  }

  /**
   * How long a write to a side database waits for another process's write: its records are best
   * effort (a batch that cannot be written is dropped and counted), and a process frozen or stuck
   * while writing its own must not hold up every other process's logs for minutes. The store's own
   * file waits 10 s, and is retried.
   */
  static final int SIDE_BUSY_TIMEOUT_MS = 2000;

  /**
   * A database of its own beside the store (spans, the logs' copy), so that its writes never wait
   * on, or hold up, the pipeline's transactions; opened (and migrated) on first use. A write that
   * finds it busy for {@link #SIDE_BUSY_TIMEOUT_MS} fails, and is not tried again.
   */
  private static Db side(Path dataDir, String file, String set) {
    Path path = dataDir.resolve(file);
    return new Db(
        Dialect.SQLITE,
        new OneConnection(
            () -> {
              DatabaseFiles.checkHeader(path, false);
              Connection c = connect(path);
              try {
                Migrations.apply(c, set);
                try (Statement st = c.createStatement()) {
                  st.execute("PRAGMA busy_timeout = " + SIDE_BUSY_TIMEOUT_MS);
                }
                c.setAutoCommit(false);
                return c;
              } catch (SQLException | RuntimeException e) {
                Quietly.close(c);
                throw e;
              }
            }),
        failures(path, false));
  }

  /** What a failure on the SQLite file {@code file} means, told by {@link DatabaseFiles}. */
  private static Db.Failures failures(Path file) {
    return failures(file, true);
  }

  /**
   * What a failure on the SQLite file {@code file} means; a busy file's transaction is run again
   * when {@code retryBusy}.
   */
  private static Db.Failures failures(Path file, boolean retryBusy) {
    return new Db.Failures() {
      @Override
      public StoreException failure(String what, SQLException e) {
        return DatabaseFiles.failure(file, what, e);
      }

      @Override
      public boolean retryable(SQLException e) {
        return retryBusy && DatabaseFiles.busy(e);
      }

      @Override
      public SQLException unreadableRow(RuntimeException e) {
        return DatabaseFiles.unreadableRow(e);
      }

      @Override
      public void rollback(Connection c) {
        rollbackQuietly(c);
      }
    };
  }

  /**
   * One connection per database file, guarded by a lock: SQLite serialises writers anyway, and one
   * connection per process keeps the WAL's readers and writer simple. Opened on first use.
   */
  private static final class OneConnection implements Db.Connections {
    interface Opener {
      Connection open() throws SQLException;
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Opener opener;
    private Connection conn;

    OneConnection(Connection open) {
      this.opener = () -> open;
      this.conn = open;
    }

    OneConnection(Opener opener) {
      this.opener = opener;
    }

    @Override
    public Connection acquire() throws SQLException {
      lock.lock();
      try {
        if (conn == null) conn = opener.open();
        return conn;
      } catch (SQLException | RuntimeException e) {
        lock.unlock();
        throw e;
      }
    }

    @Override
    public void release(Connection c) {
      lock.unlock();
    }

    @Override
    public void close() {
      lock.lock();
      try {
        if (conn != null) conn.close();
      } catch (SQLException ignored) {
        // closing: nothing to recover
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Drops the triggers that keep the ledger's rollups (V12, V20), for {@code bench --rollups off}
   * only: the baseline of what they add to ledger writes. The store in {@code dataDir} is unusable
   * for reports afterwards.
   */
  public static void dropRollupTriggers(Path dataDir) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(DB_FILE));
        Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 10000");
      for (String t :
          List.of(
              "llm_calls_rollup_insert",
              "llm_calls_rollup_update",
              "llm_calls_rollup_delete",
              "llm_calls_run_cost_insert",
              "llm_calls_run_cost_update",
              "llm_calls_run_cost_delete",
              "llm_calls_run_cost_move",
              "llm_calls_latency_insert",
              "llm_calls_latency_update",
              "llm_calls_latency_delete")) {
        s.execute("DROP TRIGGER " + t);
      }
    } catch (SQLException e) {
      throw new StoreException("cannot drop the rollup triggers in " + dataDir, e);
    }
  }

  /**
   * Ends a failed transaction; the original failure is what the caller reports. On some errors (a
   * full disk among them) SQLite has rolled back already: the driver's rollback then fails and its
   * next statements would run outside any transaction, each committed alone. Switching auto-commit
   * on and off again begins a transaction and puts the connection back in step.
   */
  private static void rollbackQuietly(Connection c) {
    if (c == null) return;
    try {
      c.rollback();
    } catch (SQLException notInATransaction) {
      try {
        c.setAutoCommit(true);
      } catch (SQLException ignored) {
        // "no transaction is active": the switch is made all the same
      }
      try {
        c.setAutoCommit(false);
      } catch (SQLException ignored) {
        // the connection is unusable; its next statement says so
      }
    }
  }

  @Override
  public int schemaVersion() {
    return schemaVersion;
  }

  @Override
  public void close() {
    db.close();
    spanDb.close();
    logDb.close();
    if (owner != null) owner.release();
  }
}
