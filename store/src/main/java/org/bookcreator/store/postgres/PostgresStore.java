package org.bookcreator.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.core.store.StoreLockedException;
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
  /** The advisory lock a pipeline process holds for as long as it drives runs. */
  private static final String PIPELINE_LOCK = "book-creator pipeline";

  private final PostgresDatabase database;
  private final Db db;
  private final Connection owner;

  private PostgresStore(PostgresDatabase database, Db db, Connection owner) {
    super(db, db, db);
    this.database = database;
    this.db = db;
    this.owner = owner;
  }

  /**
   * Connects, migrates what is missing and opens the pool; failures are told as such. With {@code
   * exclusive}, this process becomes the one pipeline process of the database (a session advisory
   * lock on a connection of its own, released when the store closes or the process dies): a second
   * one gets a {@link StoreLockedException}, as a second pipeline process on a SQLite data
   * directory does.
   */
  public static PostgresStore open(PostgresDatabase.Settings settings, boolean exclusive) {
    PostgresDatabase database = PostgresDatabase.open(settings);
    Connection owner = null;
    try {
      if (exclusive) owner = takeOwnership(settings);
      Db db =
          new Db(Dialect.POSTGRES, pooled(database), failures(settings), settings.outageLimit());
      return new PostgresStore(database, db, owner);
    } catch (RuntimeException e) {
      Quietly.close(owner);
      database.close();
      throw e;
    }
  }

  private static Connection takeOwnership(PostgresDatabase.Settings settings) {
    Connection c = null;
    try {
      c = PostgresDatabase.connect(settings);
      boolean taken;
      try (PreparedStatement p = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
        p.setString(1, PIPELINE_LOCK);
        try (ResultSet rs = p.executeQuery()) {
          taken = rs.next() && rs.getBoolean(1);
        }
      }
      if (!taken) {
        throw new StoreLockedException(
            "the PostgreSQL store at "
                + settings.where()
                + " is in use by another Book Creator pipeline process; wait for it to finish, stop"
                + " it, or use another database");
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
    db.close();
    Quietly.close(owner); // ends the session, and with it the pipeline's lock
    database.close();
  }
}
