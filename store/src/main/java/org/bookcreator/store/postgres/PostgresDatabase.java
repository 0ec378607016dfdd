package org.bookcreator.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.core.store.StoreUnreachableException;
import org.bookcreator.store.jdbc.Migrations;
import org.postgresql.PGConnection;
import org.postgresql.jdbc.PreferQueryMode;

/**
 * A Book Creator store in a PostgreSQL database: the pool of connections to it (HikariCP) and its
 * schema, migrated on open ({@code postgres}, {@code postgres-logs}, {@code postgres-spans}). The
 * password is given apart from the URL and never appears in a message.
 */
public final class PostgresDatabase implements AutoCloseable {
  /** The migration sets a PostgreSQL store holds, all in its one database. */
  static final String[] SETS = {"postgres", "postgres-logs", "postgres-spans"};

  private final HikariDataSource pool;
  private final int schemaVersion;
  private final LongAdder timeouts = new LongAdder();

  private PostgresDatabase(HikariDataSource pool, int schemaVersion) {
    this.pool = pool;
    this.schemaVersion = schemaVersion;
  }

  /**
   * Where the store is and how to sign in.
   *
   * @param url {@code jdbc:postgresql://host[:port]/database[?parameters]}, without a password
   * @param user the role to sign in as; empty: the URL's {@code user} parameter or the driver's
   *     default
   * @param password empty: none (trust or peer authentication)
   * @param poolSize the most connections this process holds
   * @param connectTimeout how long one attempt to connect may take, and how long a store call waits
   *     for a connection of the pool when all are busy
   * @param outageLimit how long a store call waits out a database that cannot be reached, retrying
   *     with backoff, before it fails; zero: not at all
   */
  public record Settings(
      String url,
      Optional<String> user,
      Optional<String> password,
      int poolSize,
      Duration connectTimeout,
      Duration outageLimit) {
    /** The default wait for a database that cannot be reached: {@value #DEFAULT_OUTAGE_MINUTES}. */
    public static final int DEFAULT_OUTAGE_MINUTES = 5;

    private static final Pattern PASSWORD_PARAM =
        Pattern.compile("[?&]password=", Pattern.CASE_INSENSITIVE);

    public Settings {
      String problem = problem(url);
      if (problem != null) throw new IllegalArgumentException(problem);
      if (poolSize < 1) throw new IllegalArgumentException("the pool needs at least 1 connection");
      if (outageLimit.isNegative()) throw new IllegalArgumentException("a negative outage limit");
    }

    /** Settings that wait out an outage for {@value #DEFAULT_OUTAGE_MINUTES} minutes. */
    public Settings(
        String url,
        Optional<String> user,
        Optional<String> password,
        int poolSize,
        Duration connectTimeout) {
      this(
          url,
          user,
          password,
          poolSize,
          connectTimeout,
          Duration.ofMinutes(DEFAULT_OUTAGE_MINUTES));
    }

    /** What is wrong with {@code url} as a store URL, or null when nothing is. */
    public static String problem(String url) {
      if (!url.startsWith("jdbc:postgresql://")) {
        return "expected jdbc:postgresql://HOST[:PORT]/DATABASE (empty: the SQLite store in the"
            + " data directory)";
      }
      if (PASSWORD_PARAM.matcher(url).find()) {
        return "holds a password, which would be printed wherever the URL is; give it as"
            + " BOOK_CREATOR_STORE_PASSWORD or in store.password_file instead";
      }
      try {
        URI uri = URI.create(url.substring("jdbc:".length()));
        if (uri.getHost() == null || uri.getHost().isEmpty()) return "names no host";
        String path = uri.getPath();
        if (path == null || path.length() < 2) return "names no database (…/DATABASE)";
      } catch (IllegalArgumentException e) {
        return "is not a URL: " + e.getMessage();
      }
      return null;
    }

    /** Host, port and database, for messages: what the URL says without its parameters. */
    public String where() {
      URI uri = URI.create(url.substring("jdbc:".length()));
      int port = uri.getPort() < 0 ? 5432 : uri.getPort();
      return uri.getHost() + ":" + port + uri.getPath();
    }

    Properties properties() {
      Properties p = new Properties();
      user.ifPresent(u -> p.setProperty("user", u));
      password.ifPresent(pw -> p.setProperty("password", pw));
      p.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds())));
      p.setProperty("ApplicationName", "book-creator");
      return p;
    }
  }

  /**
   * Connects, migrates what is missing and opens the pool. A database that cannot be reached (a
   * {@link StoreUnreachableException}), refuses the sign-in, does not exist or has a newer schema
   * is a {@link StoreException} that says which, and what to do.
   */
  public static PostgresDatabase open(Settings s) {
    int version;
    try (Connection c = connect(s)) {
      version = Migrations.apply(c, SETS[0]);
      Migrations.apply(c, SETS[1]);
      Migrations.apply(c, SETS[2]);
    } catch (SQLException e) {
      throw failure(s, "migrate", e);
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(s.url());
    config.setDataSourceProperties(s.properties());
    config.setMaximumPoolSize(s.poolSize());
    config.setMinimumIdle(Math.min(2, s.poolSize()));
    config.setConnectionTimeout(Math.max(250, s.connectTimeout().toMillis()));
    config.setAutoCommit(false);
    config.setPoolName("book-creator-store");
    try {
      return new PostgresDatabase(new HikariDataSource(config), version);
    } catch (RuntimeException e) {
      throw new StoreException(
          "cannot open a pool of connections to PostgreSQL at "
              + s.where()
              + ": "
              + e.getMessage());
    }
  }

  /**
   * Runs one statement of administration ({@code CREATE DATABASE ...}, {@code DROP DATABASE ...})
   * on a connection of its own to the server {@code s} names, outside any transaction; a failure is
   * a {@link StoreException} that starts with {@code what}.
   */
  public static void administer(Settings s, String statement, String what) {
    try (Connection c = connect(s);
        Statement st = c.createStatement()) {
      st.execute(statement);
    } catch (SQLException e) {
      throw new StoreException(what + ": " + e.getMessage());
    }
  }

  /** One connection outside the pool, for checks and migrations. */
  public static Connection connect(Settings s) throws SQLException {
    return DriverManager.getConnection(s.url(), s.properties());
  }

  public DataSource dataSource() {
    return pool;
  }

  /**
   * The pool's connections now, by state, and the requests for one that timed out so far.
   *
   * @param active lent to a store call
   * @param idle open and free
   * @param pending store calls waiting for one
   * @param timeouts requests that found none free within the connection timeout, since open
   */
  public record PoolStats(int active, int idle, int pending, long timeouts) {}

  /** What the pool holds now; quick, never blocks. */
  public PoolStats poolStats() {
    HikariPoolMXBean bean = pool.getHikariPoolMXBean();
    if (bean == null) return new PoolStats(0, 0, 0, timeouts.sum());
    return new PoolStats(
        bean.getActiveConnections(),
        bean.getIdleConnections(),
        bean.getThreadsAwaitingConnection(),
        timeouts.sum());
  }

  /**
   * A connection of the pool. One that none came free for within the connection timeout is counted
   * in {@link PoolStats#timeouts}.
   */
  public Connection pooled() throws SQLException {
    try {
      return pool.getConnection();
    } catch (SQLTransientConnectionException e) {
      timeouts.increment();
      throw e;
    }
  }

  public int schemaVersion() {
    return schemaVersion;
  }

  /**
   * Whether pgjdbc sends the statements of one message with one Sync, so that the server runs them
   * as one implicit transaction: it does, unless told to send text only ({@code
   * preferQueryMode=simple}, as behind a transaction-pooling PgBouncer), when each statement is
   * sent, and committed, by itself.
   */
  public static boolean oneTransactionPerMessage(Connection c) throws SQLException {
    return c.isWrapperFor(PGConnection.class)
        && c.unwrap(PGConnection.class).getPreferQueryMode() != PreferQueryMode.SIMPLE;
  }

  /**
   * What {@code doctor} reports of a PostgreSQL store, found without changing anything.
   *
   * @param autovacuum whether the server's autovacuum runs at all
   * @param tablesWithoutAutovacuum the tables of the schema it has been turned off for, by name
   * @param connections the connections the server allows any role: {@code max_connections} less
   *     {@code superuser_reserved_connections} (and {@code reserved_connections} from 16 on)
   */
  public record Health(
      String server,
      String user,
      int schemaVersion,
      int latestVersion,
      boolean canCreate,
      boolean autovacuum,
      List<String> tablesWithoutAutovacuum,
      int connections) {}

  /** Connects once and reads the server's version, the role, the schema version and rights. */
  public static Health check(Settings s) {
    try (Connection c = connect(s);
        Statement st = c.createStatement()) {
      String server;
      String user;
      boolean canCreate;
      boolean autovacuum;
      int connections;
      try (ResultSet rs =
          st.executeQuery(
              "SELECT current_setting('server_version'), current_user,"
                  + " has_schema_privilege(current_schema(), 'CREATE'),"
                  + " current_setting('autovacuum') = 'on',"
                  + " CAST(current_setting('max_connections') AS integer)"
                  + " - CAST(current_setting('superuser_reserved_connections') AS integer)"
                  // PostgreSQL 16 keeps some for roles of pg_use_reserved_connections too
                  + " - CAST(COALESCE(current_setting('reserved_connections', true), '0') AS"
                  + " integer)")) {
        rs.next();
        server = rs.getString(1);
        user = rs.getString(2);
        canCreate = rs.getBoolean(3);
        autovacuum = rs.getBoolean(4);
        connections = rs.getInt(5);
      }
      List<String> withoutAutovacuum = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "SELECT relname FROM pg_class WHERE relnamespace = CAST(current_schema() AS"
                  + " regnamespace) AND relkind IN ('r', 'p') AND EXISTS (SELECT 1 FROM"
                  + " unnest(reloptions) o WHERE o LIKE 'autovacuum_enabled=%' AND NOT"
                  + " CAST(split_part(o, '=', 2) AS boolean)) ORDER BY relname")) {
        while (rs.next()) withoutAutovacuum.add(rs.getString(1));
      }
      int version = 0;
      try (ResultSet rs = st.executeQuery("SELECT to_regclass('schema_version') IS NOT NULL")) {
        rs.next();
        if (rs.getBoolean(1)) {
          try (ResultSet v =
              st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            v.next();
            version = v.getInt(1);
          }
        }
      }
      return new Health(
          server,
          user,
          version,
          Migrations.latest(SETS[0]),
          canCreate,
          autovacuum,
          List.copyOf(withoutAutovacuum),
          connections);
    } catch (SQLException e) {
      throw failure(s, "connect to", e);
    }
  }

  /** A failure told in the user's terms, by its SQLSTATE; the URL's parameters are left out. */
  public static StoreException failure(Settings s, String what, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String where = "PostgreSQL at " + s.where();
    if (e instanceof SQLTransientConnectionException && !unreachable(e)) {
      return new StoreException("cannot " + what + " " + where + ": " + poolExhausted(s, e));
    }
    String told =
        switch (state) {
          case "28P01", "28000" ->
              "the server refused the sign-in"
                  + s.user().map(u -> " of role " + u).orElse("")
                  + ": check store.user and the password (BOOK_CREATOR_STORE_PASSWORD or"
                  + " store.password_file)";
          case "3D000" ->
              "the database does not exist: create it (createdb, or CREATE DATABASE) or fix"
                  + " store.url";
          case "42501" ->
              "the role may not do this here: grant it CREATE on the schema (a store creates its"
                  + " tables on first use)";
          case "57P01", "57P02", "57P03" ->
              "the server is shutting down or starting up ("
                  + firstLine(e)
                  + "): the store waits for it while a process runs; is it being restarted?";
          default ->
              unreachable(e)
                  ? "the server cannot be reached ("
                      + firstLine(e)
                      + "): is it running, and is store.url right?"
                  : firstLine(e);
        };
    String message = "cannot " + what + " " + where + ": " + told;
    return unreachable(e) ? new StoreUnreachableException(message) : new StoreException(message);
  }

  private static final Pattern POOL_STATE = Pattern.compile("\\(total=[^)]*\\)");

  /** Every connection of the pool busy for as long as a call may wait for one. */
  private static String poolExhausted(Settings s, SQLException e) {
    Matcher m = POOL_STATE.matcher(String.valueOf(e.getMessage()));
    return "no connection of the pool came free within "
        + s.connectTimeout().toMillis()
        + " ms "
        + (m.find() ? m.group() : "")
        + ": all store.pool_size = "
        + s.poolSize()
        + " connections of this process are busy; raise store.pool_size (within the server's"
        + " max_connections) or run fewer workers in this process";
  }

  /**
   * Whether {@code e}, or a failure under it, says the server could not be reached: a refused or
   * lost connection (SQLSTATE class 08), or a server shutting down or starting up (57P01-57P03).
   */
  public static boolean unreachable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException q && q.getSQLState() != null) {
        String state = q.getSQLState();
        if (state.startsWith("08") || state.matches("57P0[123]")) return true;
      }
      if (t.getCause() == t) break;
    }
    return false;
  }

  private static String firstLine(SQLException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  @Override
  public void close() {
    pool.close();
  }
}
