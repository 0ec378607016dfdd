package org.bookcreator.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.bookcreator.core.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared JDBC core of the stores: transactions (retried when the engine says another writer got
 * in the way), binding of the values the store writes (instants as epoch milliseconds, enums by
 * name, optionals as their value or NULL) and mapping of rows. Where connections come from and what
 * a failure means are the engine's ({@link Connections}, {@link Failures}).
 *
 * <p>Inside {@link #tx} the statements of this thread run on the transaction's connection; a {@code
 * tx} inside another joins it, so one store call is one transaction.
 *
 * <p>A database that cannot be reached (refused or lost connections, a server shutting down: {@link
 * Failures#unreachable}) is waited out, for a server-backed store: the transaction is run again
 * after a pause (0.5 s doubling to 10 s) until it goes through or {@code outageLimit} has passed
 * since its first failure. Meanwhile {@link #outage()} says so, and a warning is logged every pause
 * (at most one every {@link #WARN_EVERY} for all threads together). Running a transaction again is
 * safe when a lost connection took its commit along: the writes a retry could repeat are keyed (a
 * ledger row by its call id) or fenced (a task by its lease's owner and version). A claim whose
 * commit went through unanswered is the exception: the retry claims another task, and the first
 * stays leased to the worker, which never learnt of it, until its lease expires and another worker
 * claims it again; the task runs once. A settle in that case answers false, as if the lease were
 * lost, although its change is kept.
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

    /**
     * Whether the server runs the statements {@code c} sends in one message as one transaction of
     * their own, which it commits as it ends ({@link #oneStatement}); false: each message is sent
     * in a transaction committed by hand.
     */
    default boolean oneTransactionPerMessage(Connection c) throws SQLException {
      return false;
    }

    @Override
    void close();
  }

  /** What the engine makes of a failure. */
  public interface Failures {
    /** A failure of {@code what}, told in the user's terms. */
    StoreException failure(String what, SQLException e);

    /** Whether running the whole transaction again may succeed (busy, serialization failure). */
    boolean retryable(SQLException e);

    /**
     * Whether the database could not be reached: the connection was refused or lost, or the server
     * is shutting down. Such a failure says nothing of the work and is waited out (see {@link Db}).
     */
    default boolean unreachable(SQLException e) {
      return false;
    }

    /** A stored row whose values cannot be read back. */
    SQLException unreadableRow(RuntimeException e);

    /** Ends a failed transaction on {@code c}; the original failure is what the caller reports. */
    default void rollback(Connection c) {
      Quietly.rollback(c);
    }
  }

  /** Since when the database cannot be reached, and the last failure that said so. */
  public record Outage(Instant since, String cause) {}

  private static final Logger log = LoggerFactory.getLogger(Db.class);
  private static final int RETRIES = 20;
  private static final long FIRST_PAUSE_MS = 500;
  private static final long LONGEST_PAUSE_MS = 10_000;

  /** The least time between two warnings of one outage. */
  static final Duration WARN_EVERY = Duration.ofSeconds(5);

  private final Dialect dialect;
  private final Connections connections;
  private final Failures failures;
  private final Duration outageLimit;
  private final ThreadLocal<Connection> current = new ThreadLocal<>();
  private final ThreadLocal<Boolean> impatient = new ThreadLocal<>();
  private final AtomicReference<Outage> outage = new AtomicReference<>();
  private final AtomicLong nextWarning = new AtomicLong(System.nanoTime());

  /** A store whose failures are never waited out (an embedded database cannot go away). */
  public Db(Dialect dialect, Connections connections, Failures failures) {
    this(dialect, connections, failures, Duration.ZERO);
  }

  /**
   * @param outageLimit how long one transaction waits out a database that cannot be reached before
   *     it fails; zero: not at all
   */
  public Db(Dialect dialect, Connections connections, Failures failures, Duration outageLimit) {
    this.dialect = dialect;
    this.connections = connections;
    this.failures = failures;
    this.outageLimit = outageLimit;
  }

  /** Whether the database cannot be reached now, as the last transaction found it. */
  public Optional<Outage> outage() {
    return Optional.ofNullable(outage.get());
  }

  /**
   * Runs {@code call} (store calls) without waiting out an outage: a database that cannot be
   * reached fails it at once. For readiness checks, which must answer quickly.
   */
  public <T> T withoutWaiting(Supplier<T> call) {
    Boolean before = impatient.get();
    impatient.set(Boolean.TRUE);
    try {
      return call.get();
    } finally {
      if (before == null) impatient.remove();
    }
  }

  public Dialect dialect() {
    return dialect;
  }

  /**
   * Runs {@code work} as one transaction and commits it. When the engine says another writer got in
   * the way, the whole transaction is run again a few times before giving up.
   */
  public <T> T tx(String what, Work<T> work) {
    return run(what, work, false);
  }

  /**
   * Runs {@code statement}, which sends exactly one message of SQL to the engine (one statement, or
   * statements sent together), as a transaction of its own that ends with it: the engine commits it
   * as it finishes, so its commit costs no round trip of its own (on PostgreSQL the statements of
   * one message are one implicit transaction; a failure rolls all of them back). What {@code
   * statement} does after its message must not fail the call: the message is committed by then.
   * Retried and waited out as {@link #tx}. Inside a transaction it joins that one, and settings the
   * message makes for "this transaction" then hold until that one ends. Where the connection does
   * not run a message as one transaction ({@link Connections#oneTransactionPerMessage}: SQLite,
   * whose statements cost no round trip, or a driver that sends them one by one), it is an ordinary
   * transaction.
   */
  public <T> T oneStatement(String what, Work<T> statement) {
    return run(what, statement, true);
  }

  private <T> T run(String what, Work<T> work, boolean alone) {
    if (current.get() != null) {
      try {
        return work.run();
      } catch (SQLException e) {
        throw new Joined(what, e); // the outermost transaction decides: retry, or fail
      }
    }
    Waiting waiting = null;
    for (int attempt = 1; ; attempt++) {
      Connection c;
      try {
        c = connections.acquire();
      } catch (SQLException e) {
        if (unreachable(e) && (waiting = waiting(waiting)).again(what, e)) {
          attempt--; // an outage does not use up the retries another writer's interference gets
          continue;
        }
        throw failures.failure(what, e);
      }
      current.set(c);
      boolean autocommit = false;
      try {
        autocommit = alone && connections.oneTransactionPerMessage(c);
        if (autocommit) c.setAutoCommit(true);
        T result = work.run();
        if (autocommit) manual(c); // committed already: nothing here may fail it now
        else c.commit();
        reachable();
        return result;
      } catch (SQLException | Joined e) {
        if (autocommit) manual(c);
        failures.rollback(c);
        SQLException cause = e instanceof Joined j ? j.sql : (SQLException) e;
        if (failures.retryable(cause) && attempt < RETRIES) {
          pause(attempt);
          continue;
        }
        if (unreachable(cause) && (waiting = waiting(waiting)).again(what, cause)) {
          attempt--; // an outage does not use up the retries another writer's interference gets
          continue;
        }
        throw failures.failure(e instanceof Joined j ? j.what : what, cause);
      } catch (RuntimeException e) {
        if (autocommit) manual(c);
        failures.rollback(c);
        throw e;
      } finally {
        current.remove();
        connections.release(c);
      }
    }
  }

  /** Back to transactions committed by hand, as every connection is lent; quietly on a failure. */
  private static void manual(Connection c) {
    try {
      c.setAutoCommit(false);
    } catch (SQLException ignored) {
      // a connection that cannot say so is broken, and its pool does not lend it again
    }
  }

  private boolean unreachable(SQLException e) {
    if (!failures.unreachable(e)) return false;
    Outage now = new Outage(Instant.now(), failures.failure("use", e).getMessage());
    outage.accumulateAndGet(
        now, (was, is) -> was == null ? is : new Outage(was.since(), is.cause()));
    return outageLimit.isPositive() && impatient.get() == null;
  }

  private void reachable() {
    if (outage.get() == null) return;
    Outage was = outage.getAndSet(null);
    if (was != null) {
      log.info(
          "store reachable again after {} s",
          Duration.between(was.since(), Instant.now()).toSeconds());
    }
  }

  private Waiting waiting(Waiting w) {
    return w == null ? new Waiting() : w;
  }

  /** One transaction waiting out an outage: its deadline and its next pause. */
  private final class Waiting {
    private final long deadline = System.nanoTime() + outageLimit.toNanos();
    private long pauseMs = FIRST_PAUSE_MS;

    /** Pauses and says to go again, unless this transaction has waited as long as it may. */
    boolean again(String what, SQLException e) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) return false;
      long pause = Math.min(pauseMs, left);
      pauseMs = Math.min(LONGEST_PAUSE_MS, pauseMs * 2);
      long due = nextWarning.get();
      if (System.nanoTime() - due >= 0
          && nextWarning.compareAndSet(due, System.nanoTime() + WARN_EVERY.toNanos())) {
        log.warn(
            "store unreachable, retrying in {} s: {} (to {}; gives up {} s from its first"
                + " failure)",
            String.format(Locale.ROOT, "%.1f", pause / 1000.0),
            outage.get() == null ? e.getMessage() : outage.get().cause(),
            what,
            outageLimit.toSeconds());
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return false;
      }
      return true;
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
