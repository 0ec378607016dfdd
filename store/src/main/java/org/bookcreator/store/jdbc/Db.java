package org.bookcreator.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.store.StoreException;

/**
 * The shared JDBC core of the stores: transactions (retried when the engine says another writer got
 * in the way), binding of the values the store writes (instants as epoch milliseconds, enums by
 * name, optionals as their value or NULL) and mapping of rows. Where connections come from and what
 * a failure means are the engine's ({@link Connections}, {@link Failures}).
 *
 * <p>Inside {@link #tx} the statements of this thread run on the transaction's connection; a {@code
 * tx} inside another joins it, so one store call is one transaction.
 */
public final class Db implements AutoCloseable {
  @FunctionalInterface
  public interface Work<T> {
    T run() throws SQLException;
  }

  @FunctionalInterface
  public interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Where a transaction's connection comes from, and where it goes back. */
  public interface Connections extends AutoCloseable {
    Connection acquire() throws SQLException;

    void release(Connection c);

    @Override
    void close();
  }

  /** What the engine makes of a failure. */
  public interface Failures {
    /** A failure of {@code what}, told in the user's terms. */
    StoreException failure(String what, SQLException e);

    /** Whether running the whole transaction again may succeed (busy, serialization failure). */
    boolean retryable(SQLException e);

    /** A stored row whose values cannot be read back. */
    SQLException unreadableRow(RuntimeException e);

    /** Ends a failed transaction on {@code c}; the original failure is what the caller reports. */
    default void rollback(Connection c) {
      Quietly.rollback(c);
    }
  }

  private static final int RETRIES = 20;

  private final Dialect dialect;
  private final Connections connections;
  private final Failures failures;
  private final ThreadLocal<Connection> current = new ThreadLocal<>();

  public Db(Dialect dialect, Connections connections, Failures failures) {
    this.dialect = dialect;
    this.connections = connections;
    this.failures = failures;
  }

  public Dialect dialect() {
    return dialect;
  }

  /**
   * Runs {@code work} as one transaction and commits it. When the engine says another writer got in
   * the way, the whole transaction is run again a few times before giving up.
   */
  public <T> T tx(String what, Work<T> work) {
    if (current.get() != null) {
      try {
        return work.run();
      } catch (SQLException e) {
        throw new Joined(what, e); // the outermost transaction decides: retry, or fail
      }
    }
    for (int attempt = 1; ; attempt++) {
      Connection c;
      try {
        c = connections.acquire();
      } catch (SQLException e) {
        throw failures.failure(what, e);
      }
      current.set(c);
      try {
        T result = work.run();
        c.commit();
        return result;
      } catch (SQLException | Joined e) {
        failures.rollback(c);
        SQLException cause = e instanceof Joined j ? j.sql : (SQLException) e;
        if (failures.retryable(cause) && attempt < RETRIES) {
          pause(attempt);
          continue;
        }
        throw failures.failure(e instanceof Joined j ? j.what : what, cause);
      } catch (RuntimeException e) {
        failures.rollback(c);
        throw e;
      } finally {
        current.remove();
        connections.release(c);
      }
    }
  }

  /** A failure inside a joined transaction, on its way to the outermost one. */
  private static final class Joined extends RuntimeException {
    final String what;
    final SQLException sql;

    Joined(String what, SQLException cause) {
      super(cause.getMessage(), cause, false, false);
      this.what = what;
      this.sql = cause;
    }
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(Math.min(200, 5L * attempt * attempt));
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  /** The connection of this thread's transaction. */
  public Connection connection() {
    Connection c = current.get();
    if (c == null) throw new IllegalStateException("a statement outside a transaction");
    return c;
  }

  public PreparedStatement ps(String sql, Object... args) throws SQLException {
    PreparedStatement p = connection().prepareStatement(sql);
    for (int i = 0; i < args.length; i++) bind(p, i + 1, args[i]);
    return p;
  }

  private void bind(PreparedStatement p, int i, Object a) throws SQLException {
    if (a instanceof Optional<?> o) a = o.orElse(null);
    if (a == null) p.setNull(i, Types.NULL);
    else if (a instanceof String s && dialect == Dialect.POSTGRES) p.setString(i, text(s));
    else if (a instanceof Instant t) p.setLong(i, t.toEpochMilli());
    else if (a instanceof Enum<?> e) p.setString(i, e.name());
    else p.setObject(i, a);
  }

  /**
   * Text as PostgreSQL can keep it: its text type holds no NUL character, so each is stored as
   * U+FFFD, the replacement character (the CLI shows control characters so anyway). SQLite keeps
   * text as given.
   */
  static String text(String s) {
    return s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
  }

  public int update(String sql, Object... args) throws SQLException {
    try (PreparedStatement p = ps(sql, args)) {
      return p.executeUpdate();
    }
  }

  public <T> List<T> query(String sql, Row<T> row, Object... args) throws SQLException {
    try (PreparedStatement p = ps(sql, args);
        ResultSet rs = p.executeQuery()) {
      List<T> out = new ArrayList<>();
      while (rs.next()) out.add(readBack(() -> row.map(rs)));
      return out;
    }
  }

  public <T> Optional<T> one(String sql, Row<T> row, Object... args) throws SQLException {
    List<T> l = query(sql, row, args);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  /** A row read back; one whose stored values cannot be read is damage, told as such. */
  public <T> T readBack(Work<T> row) throws SQLException {
    try {
      return row.run();
    } catch (RuntimeException e) {
      throw failures.unreadableRow(e);
    }
  }

  @Override
  public void close() {
    connections.close();
  }
}
