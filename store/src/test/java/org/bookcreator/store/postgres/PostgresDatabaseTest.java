package org.bookcreator.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.store.jdbc.Migrations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PostgresDatabaseTest {
  private static final String PASSWORD = "pw-never-printed-7f3a";
  private TestDatabase db;

  @BeforeEach
  void create() {
    db = TestDatabase.create();
  }

  @AfterEach
  void drop() throws SQLException {
    db.close();
  }

  private PostgresDatabase.Settings settings(String url, String user) {
    return new PostgresDatabase.Settings(
        url, Optional.of(user), Optional.of(PASSWORD), 4, Duration.ofSeconds(5));
  }

  private String url() {
    return TestDatabase.SERVER + db.name();
  }

  @Test
  void open_migratesANewDatabase_andPoolsConnections() throws SQLException {
    try (PostgresDatabase store = PostgresDatabase.open(settings(url(), "postgres"))) {
      assertThat(store.schemaVersion()).isEqualTo(Migrations.latest("postgres"));
      try (Connection c = store.dataSource().getConnection();
          ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM log_lines")) {
        assertThat(rs.next()).isTrue();
        assertThat(c.getAutoCommit()).isFalse();
      }
    }
    PostgresDatabase.Health health = PostgresDatabase.check(settings(url(), "postgres"));
    assertThat(health.schemaVersion()).isEqualTo(health.latestVersion());
    assertThat(health.user()).isEqualTo("postgres");
    assertThat(health.server()).startsWith("15");
    assertThat(health.canCreate()).isTrue();
  }

  /** Every spelling PostgreSQL takes for false counts; a table with autovacuum on does not. */
  @Test
  void check_namesTheTablesAutovacuumIsOffFor() throws SQLException {
    try (PostgresDatabase store = PostgresDatabase.open(settings(url(), "postgres"));
        Connection c = db.connect();
        var st = c.createStatement()) {
      st.execute("ALTER TABLE tasks SET (autovacuum_enabled = f)");
      st.execute("ALTER TABLE runs SET (autovacuum_enabled = off)");
      st.execute("ALTER TABLE llm_calls SET (autovacuum_enabled = true)");
    }

    PostgresDatabase.Health health = PostgresDatabase.check(settings(url(), "postgres"));

    assertThat(health.tablesWithoutAutovacuum()).containsExactly("runs", "tasks");
    assertThat(health.connections()).isPositive();
  }

  @Test
  void check_ofANewDatabase_findsNoSchema_andChangesNothing() throws SQLException {
    PostgresDatabase.Health health = PostgresDatabase.check(settings(url(), "postgres"));
    assertThat(health.schemaVersion()).isZero();
    try (Connection c = db.connect();
        ResultSet rs =
            c.createStatement().executeQuery("SELECT to_regclass('schema_version') IS NULL")) {
      rs.next();
      assertThat(rs.getBoolean(1)).isTrue();
    }
  }

  @Test
  void aServerThatIsNotThere_isToldAsSuch_withoutThePassword() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // free once closed: nothing listens there
    }
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/books";
    assertThatThrownBy(() -> PostgresDatabase.open(settings(url, "postgres")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("PostgreSQL at 127.0.0.1:" + port + "/books")
        .hasMessageContaining("cannot be reached")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void aMissingDatabase_andAnUnknownRole_areToldAsSuch() {
    assertThatThrownBy(
            () -> PostgresDatabase.open(settings(TestDatabase.SERVER + "no_such_db", "postgres")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("the database does not exist");
    assertThatThrownBy(() -> PostgresDatabase.check(settings(url(), "no_such_role")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("refused the sign-in of role no_such_role")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void urls_thatAreNotPostgresOrHoldAPassword_areRefused() {
    assertThat(PostgresDatabase.Settings.problem("jdbc:mysql://h/db")).contains("jdbc:postgresql");
    assertThat(PostgresDatabase.Settings.problem("jdbc:postgresql://h/db?password=x"))
        .contains("BOOK_CREATOR_STORE_PASSWORD");
    assertThat(PostgresDatabase.Settings.problem("jdbc:postgresql://h/db?ssl=true&PASSWORD=x"))
        .isNotNull();
    assertThat(PostgresDatabase.Settings.problem("jdbc:postgresql://h/")).contains("no database");
    assertThat(PostgresDatabase.Settings.problem("jdbc:postgresql:///db")).contains("no host");
    assertThat(PostgresDatabase.Settings.problem("jdbc:postgresql://h:5433/books?ssl=true"))
        .isNull();
    assertThat(settings("jdbc:postgresql://h:5433/books?ssl=true", "u").where())
        .isEqualTo("h:5433/books");
  }
}
