package org.bookcreator.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.bookcreator.core.store.Leadership;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.core.store.StoreLockedException;
import org.bookcreator.core.store.StoreSignals;
import org.bookcreator.store.jdbc.Db;
import org.bookcreator.store.jdbc.Dialect;
import org.bookcreator.store.jdbc.JdbcStore;
import org.bookcreator.store.jdbc.Quietly;

/**
 * The store in a PostgreSQL database, shared by any number of processes on any number of machines:
 * each transaction takes a connection from the pool, and the logs' copy and the spans are tables of
 * the same database.
 */
public final class PostgresStore extends JdbcStore {
  /**
   * The advisory lock of the processes that drive runs: held exclusively by the one process of an
   * all-in-one topology (serve --role all, run, demo, resume), shared by the role processes
   * (orchestrators and workers) of a scaled-out one, so the two topologies never mix.
   */
  private static final String PIPELINE_LOCK = "book-creator pipeline";

  /** The advisory lock of the one active orchestrator; standbys wait for it. */
  private static final String ORCHESTRATOR_LOCK = "book-creator orchestrator";

  /** How a process holds the database, decided when it opens the store. */
  public enum Ownership {
    /**
     * The one process that drives runs: orchestrator and workers together. Refused while any other
     * process drives runs; releases what an earlier process left leased.
     */
    SOLE,
    /**
     * One of several role processes (orchestrators, workers) that drive runs together. Refused
     * while a {@link #SOLE} process holds the database, and the other way round.
     */
    SHARED,
    /** Reads and writes without driving runs: the API, the reading commands. */
    NONE
  }

  private final PostgresDatabase database;
  private final PostgresDatabase.Settings settings;
  private final Db db;
  private final Connection owner;
  private final PostgresSignals signals;

  private PostgresStore(
      PostgresDatabase database, PostgresDatabase.Settings settings, Db db, Connection owner) {
    super(db, db, db);
    this.database = database;
    this.settings = settings;
    this.db = db;
    this.owner = owner;
    this.signals = new PostgresSignals(settings, database.dataSource());
  }

  /**
   * Connects, migrates what is missing and opens the pool; failures are told as such. With {@code
   * exclusive}, this process becomes the one pipeline process of the database (a session advisory
   * lock on a connection of its own, released when the store closes or the process dies): a second
   * one gets a {@link StoreLockedException}, as a second pipeline process on a SQLite data
   * directory does.
   */
  public static PostgresStore open(PostgresDatabase.Settings settings, boolean exclusive) {
    return open(settings, exclusive ? Ownership.SOLE : Ownership.NONE);
  }

  /**
   * Connects, migrates what is missing and opens the pool, holding the database as {@code
   * ownership} says.
   *
   * @throws StoreLockedException when the ownership conflicts with another process's
   */
  public static PostgresStore open(PostgresDatabase.Settings settings, Ownership ownership) {
    PostgresDatabase database = PostgresDatabase.open(settings);
    Connection owner = null;
    try {
      if (ownership != Ownership.NONE) owner = takeOwnership(settings, ownership);
      Db db =
          new Db(Dialect.POSTGRES, pooled(database), failures(settings), settings.outageLimit());
      return new PostgresStore(database, settings, db, owner);
    } catch (RuntimeException e) {
      Quietly.close(owner);
      database.close();
      throw e;
    }
  }

  private static Connection takeOwnership(PostgresDatabase.Settings settings, Ownership ownership) {
    Connection c = null;
    try {
      c = PostgresDatabase.connect(settings);
      c.setAutoCommit(true);
      String take =
          ownership == Ownership.SOLE ? "pg_try_advisory_lock" : "pg_try_advisory_lock_shared";
      if (!tryLock(c, take, PIPELINE_LOCK)) {
        throw new StoreLockedException(
            ownership == Ownership.SOLE
                ? "the PostgreSQL store at "
                    + settings.where()
                    + " is in use by another Book Creator pipeline process (an all-in-one serve, a"
                    + " run, demo or resume, or serve --role orchestrator or worker processes);"
                    + " wait for it to finish, stop it, or use another database"
                : "the PostgreSQL store at "
                    + settings.where()
                    + " is held by an all-in-one Book Creator process (serve --role all, run, demo"
                    + " or resume), which runs its own orchestrator and workers; stop it before"
                    + " starting serve --role orchestrator or worker processes");
      }
      return c;
    } catch (SQLException e) {
      Quietly.close(c);
      throw PostgresDatabase.failure(settings, "take the pipeline's lock on", e);
    } catch (RuntimeException e) {
      Quietly.close(c);
      throw e;
    }
  }

  private static boolean tryLock(Connection c, String function, String name) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT " + function + "(hashtext(?))")) {
      p.setString(1, name);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /**
   * Tries to take the orchestrator's lock on a connection of its own: held until closed or until
   * that session ends. Empty while another process holds it.
   */
  @Override
  public Optional<Leadership> tryLead() {
    Connection c = null;
    try {
      c = PostgresDatabase.connect(settings);
      c.setAutoCommit(true);
      if (!tryLock(c, "pg_try_advisory_lock", ORCHESTRATOR_LOCK)) {
        Quietly.close(c);
        return Optional.empty();
      }
      return Optional.of(new HeldLock(c));
    } catch (SQLException e) {
      Quietly.close(c);
      throw PostgresDatabase.failure(settings, "take the orchestrator's lock on", e);
    }
  }

  /** A session advisory lock, held as long as its connection answers. */
  private record HeldLock(Connection connection) implements Leadership {
    @Override
    public boolean held() {
      try {
        return connection.isValid(5);
      } catch (SQLException e) {
        return false;
      }
    }

    @Override
    public void close() {
      Quietly.close(connection); // ends the session, and with it the lock
    }
  }

  @Override
  public StoreSignals signals() {
    return signals;
  }

  private static Db.Connections pooled(PostgresDatabase pool) {
    return new Db.Connections() {
      @Override
      public Connection acquire() throws SQLException {
        return pool.pooled();
      }

      @Override
      public void release(Connection c) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // back to the pool, or dropped by it: nothing to do either way
        }
      }

      @Override
      public boolean oneTransactionPerMessage(Connection c) throws SQLException {
        return PostgresDatabase.oneTransactionPerMessage(c);
      }

      @Override
      public void close() {
        // the pool is the database's, closed with it
      }
    };
  }

  /**
   * Serialization failures and deadlocks are run again whole (another process's transaction got in
   * the way); a server that cannot be reached is waited out; anything else is told by its SQLSTATE.
   */
  private static Db.Failures failures(PostgresDatabase.Settings settings) {
    return new Db.Failures() {
      @Override
      public StoreException failure(String what, SQLException e) {
        return PostgresDatabase.failure(settings, what, e);
      }

      @Override
      public boolean retryable(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
      }

      @Override
      public boolean unreachable(SQLException e) {
        return PostgresDatabase.unreachable(e);
      }

      @Override
      public SQLException unreadableRow(RuntimeException e) {
        return new SQLException("a stored row cannot be read back: " + e.getMessage(), "XX001", e);
      }
    };
  }

  @Override
  public int schemaVersion() {
    return database.schemaVersion();
  }

  /** The pool's connections now, and its timeouts so far, for the pool's metrics. */
  public PostgresDatabase.PoolStats poolStats() {
    return database.poolStats();
  }

  @Override
  public void close() {
    signals.close();
    db.close();
    Quietly.close(owner); // ends the session, and with it the pipeline's lock
    database.close();
  }
}
