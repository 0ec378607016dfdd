package org.bookcreator.store.postgres;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.bookcreator.store.jdbc.Migrations;

/**
 * A database of its own on the PostgreSQL server of this machine (127.0.0.1:5432, user {@code
 * postgres}, trust authentication, as {@code .ci/run} provides), created for one test and dropped
 * after it. Where no server answers, the test is skipped with the reason, except under {@code
 * CI=true}, where it fails: CI must run it.
 *
 * <p>{@link #migrated()} copies a template database migrated once per JVM ({@code CREATE DATABASE
 * ... TEMPLATE}), which takes a fraction of the time that migrating each test's database takes; the
 * copy is still the test's own, so tests stay isolated. The template is dropped when the JVM ends.
 */
public final class TestDatabase implements AutoCloseable {
  public static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
  public static final String USER = "postgres";

  private static final ReentrantLock TEMPLATE_LOCK = new ReentrantLock();
  private static String template;

  private final String name;

  private TestDatabase(String name) {
    this.name = name;
  }

  /** Creates an empty database named {@code bc_test_...}. */
  public static TestDatabase create() {
    return createFrom(null);
  }

  /**
   * Creates a database named {@code bc_test_...} holding the whole schema of this build (every
   * migration of {@link PostgresDatabase#SETS} applied) and nothing else.
   */
  public static TestDatabase migrated() {
    return createFrom(template());
  }

  private static TestDatabase createFrom(String templateName) {
    String name = newName("bc_test_");
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE DATABASE " + name + (templateName == null ? "" : " TEMPLATE " + templateName));
    } catch (SQLException e) {
      skipOrFail(e);
    }
    return new TestDatabase(name);
  }

  /** The migrated template of this JVM, made on first use. */
  private static String template() {
    TEMPLATE_LOCK.lock();
    try {
      if (template != null) return template;
      TestDatabase t = createFrom(null);
      try (Connection c = t.connect()) {
        for (String set : PostgresDatabase.SETS) Migrations.apply(c, set);
      } catch (SQLException e) {
        dropQuietly(t);
        throw new IllegalStateException("cannot migrate the template database " + t.name, e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> dropQuietly(t), "drop-template"));
      template = t.name;
      return template;
    } finally {
      TEMPLATE_LOCK.unlock();
    }
  }

  private static String newName(String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  private static void skipOrFail(SQLException e) {
    String why = "no PostgreSQL server to test against at " + SERVER + ": " + e.getMessage();
    if ("true".equalsIgnoreCase(System.getenv("CI"))) fail("CI=true, so this must run: " + why);
    assumeTrue(false, why);
  }

  private static void dropQuietly(TestDatabase t) {
    try {
      t.close();
    } catch (SQLException ignored) {
      // the server went first, or someone dropped it already
    }
  }

  /** The JDBC URL of this database. */
  public String url() {
    return SERVER + name + "?user=" + USER;
  }

  /** A new connection to this database, as its owner. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(SERVER + name, USER, "");
  }

  public String name() {
    return name;
  }

  private static Connection admin() throws SQLException {
    return DriverManager.getConnection(SERVER + "postgres", USER, "");
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}
