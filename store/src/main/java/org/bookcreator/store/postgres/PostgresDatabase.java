package org.bookcreator.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.store.jdbc.Migrations;

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
   * @param connectTimeout how long one attempt to connect may take
   */
  public record Settings(
      String url,
      Optional<String> user,
      Optional<String> password,
      int poolSize,
      Duration connectTimeout) {
    private static final Pattern PASSWORD_PARAM =
        Pattern.compile("[?&]password=", Pattern.CASE_INSENSITIVE);

    public Settings {
      String problem = problem(url);
      if (problem != null) throw new IllegalArgumentException(problem);
      if (poolSize < 1) throw new IllegalArgumentException("the pool needs at least 1 connection");
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
   * Connects, migrates what is missing and opens the pool. A database that cannot be reached,
   * refuses the sign-in, does not exist or has a newer schema is a {@link StoreException} that says
   * which, and what to do.
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

  /** One connection outside the pool, for checks and migrations. */
  public static Connection connect(Settings s) throws SQLException {
    return DriverManager.getConnection(s.url(), s.properties());
  }

  public DataSource dataSource() {
    return pool;
  }

  public int schemaVersion() {
    return schemaVersion;
  }

  /** What {@code doctor} reports of a PostgreSQL store, found without changing anything. */
  public record Health(
      String server, String user, int schemaVersion, int latestVersion, boolean canCreate) {}

  /** Connects once and reads the server's version, the role, the schema version and rights. */
  public static Health check(Settings s) {
    try (Connection c = connect(s);
        Statement st = c.createStatement()) {
      String server;
      String user;
      boolean canCreate;
      try (ResultSet rs =
          st.executeQuery(
              "SELECT current_setting('server_version'), current_user,"
                  + " has_schema_privilege(current_schema(), 'CREATE')")) {
        rs.next();
        server = rs.getString(1);
        user = rs.getString(2);
        canCreate = rs.getBoolean(3);
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
      return new Health(server, user, version, Migrations.latest(SETS[0]), canCreate);
    } catch (SQLException e) {
      throw failure(s, "connect to", e);
    }
  }

  /** A failure told in the user's terms, by its SQLSTATE; the URL's parameters are left out. */
  public static StoreException failure(Settings s, String what, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String where = "PostgreSQL at " + s.where();
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
          default ->
              state.startsWith("08")
                  ? "the server cannot be reached ("
                      + firstLine(e)
                      + "): is it running, and is store.url right?"
                  : firstLine(e);
        };
    return new StoreException("cannot " + what + " " + where + ": " + told);
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
