package org.bookcreator.store.postgres;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A database of its own on the PostgreSQL server of this machine (127.0.0.1:5432, user {@code
 * postgres}, trust authentication, as {@code .ci/run} provides), created for one test and dropped
 * after it. Where no server answers, the test is skipped with the reason, except under {@code
 * CI=true}, where it fails: CI must run it.
 */
public final class TestDatabase implements AutoCloseable {
  public static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
  public static final String USER = "postgres";

  private final String name;

  private TestDatabase(String name) {
    this.name = name;
  }

  /** Creates an empty database named {@code bc_test_...}. */
  public static TestDatabase create() {
    String name = "bc_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      String why = "no PostgreSQL server to test against at " + SERVER + ": " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) fail("CI=true, so this must run: " + why);
      assumeTrue(false, why);
    }
    return new TestDatabase(name);
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
