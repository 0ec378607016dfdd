package org.bookcreator.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.store.postgres.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Db#oneStatement} on a real PostgreSQL database: the statements of one message are one
 * transaction that the server commits as it ends (no COMMIT of the store's), their settings for
 * that transaction hold for every statement after them in the message and for none after it, a
 * failure keeps nothing of any of them, and the connection commits by hand again afterwards.
 */
class OneStatementTest {
  private TestDatabase database;
  private Connection connection;
  private Db db;

  @BeforeEach
  void open() throws SQLException {
    database = TestDatabase.create();
    connection = database.connect();
    connection.setAutoCommit(false);
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE TABLE notes(n INTEGER NOT NULL)");
    }
    connection.commit();
    db = OneConnectionDb.over(connection, Dialect.POSTGRES, e -> false);
  }

  @AfterEach
  void close() throws SQLException {
    Quietly.close(connection);
    database.close();
  }

  /**
   * Ten times over: from the driver's fifth use on, the message runs as statements prepared on the
   * server, sent otherwise (a Sync between them would commit the settings on their own).
   */
  @Test
  void settingsFirstInTheMessage_holdForTheStatementsAfterThem_andForNothingAfterTheMessage() {
    for (int i = 0; i < 10; i++) {
      assertThat(settingsInAndAfterAMessage(db))
          .as("use " + (i + 1))
          .containsExactly("off", "off", "on", "on");
    }
  }

  /** The same on a connection that sends every message as text (PgBouncer's usual setting). */
  @Test
  void settingsFirstInTheMessage_holdAlsoWhenTheDriverSendsTextOnly() throws SQLException {
    try (Connection simple =
        DriverManager.getConnection(
            TestDatabase.SERVER + database.name() + "?preferQueryMode=simple",
            TestDatabase.USER,
            "")) {
      simple.setAutoCommit(false);
      Db overSimple = OneConnectionDb.over(simple, Dialect.POSTGRES, e -> false);
      for (int i = 0; i < 3; i++) {
        assertThat(settingsInAndAfterAMessage(overSimple))
            .containsExactly("off", "off", "on", "on");
      }
    }
  }

  /** The claim's settings, as a statement after them in the message sees them, then one after. */
  private static List<String> settingsInAndAfterAMessage(Db db) {
    String read = "SELECT current_setting('enable_sort'), current_setting('synchronous_commit')";
    String sql = Dialect.POSTGRES.claimSettings().orElseThrow() + ";\n" + read + " WHERE ? = 1";
    List<String> seen = new ArrayList<>();
    db.oneStatement(
        "read the settings",
        () -> {
          try (PreparedStatement p = db.ps(sql, 1)) {
            p.execute();
            assertThat(p.getMoreResults()).isTrue();
            try (ResultSet rs = p.getResultSet()) {
              rs.next();
              seen.add(rs.getString(1));
              seen.add(rs.getString(2));
            }
          }
          return null;
        });
    db.tx(
        "read the settings again",
        () -> db.one(read, rs -> seen.addAll(List.of(rs.getString(1), rs.getString(2)))));
    return seen;
  }

  @Test
  void whatItWrites_isCommittedByTheServer_andTheConnectionCommitsByHandAgain()
      throws SQLException {
    List<Integer> seenBeforeItReturned =
        db.oneStatement(
            "note 1",
            () -> {
              db.update("INSERT INTO notes VALUES (1)");
              assertThat(db.connection().getAutoCommit()).isTrue();
              return notesSeenByAnotherConnection(); // committed already, with no COMMIT sent
            });

    assertThat(seenBeforeItReturned).containsExactly(1);
    assertThat(notesSeenByAnotherConnection()).containsExactly(1);
    assertThat(connection.getAutoCommit()).isFalse();
    assertThatThrownBy(
            () ->
                db.tx(
                    "note 2, then fail",
                    () -> {
                      db.update("INSERT INTO notes VALUES (2)");
                      throw new IllegalStateException("after the insert");
                    }))
        .hasMessage("after the insert");
    assertThat(notesSeenByAnotherConnection()).as("the failed transaction kept").containsExactly(1);
  }

  @Test
  void aFailureInTheMessage_keepsNothingOfIt() throws SQLException {
    assertThatThrownBy(
            () ->
                db.oneStatement(
                    "note 3 and a wrong one",
                    () -> {
                      try (PreparedStatement p =
                          db.ps("INSERT INTO notes VALUES (3); INSERT INTO notes VALUES (NULL)")) {
                        return p.execute();
                      }
                    }))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("cannot note 3 and a wrong one")
        .hasMessageContaining("null value");

    assertThat(notesSeenByAnotherConnection()).isEmpty();
    assertThat(connection.getAutoCommit()).isFalse();
    db.tx("note 4", () -> db.update("INSERT INTO notes VALUES (4)"));
    assertThat(notesSeenByAnotherConnection()).containsExactly(4);
  }

  private List<Integer> notesSeenByAnotherConnection() throws SQLException {
    try (Connection other = database.connect();
        Statement s = other.createStatement();
        ResultSet rs = s.executeQuery("SELECT n FROM notes ORDER BY n")) {
      List<Integer> out = new ArrayList<>();
      while (rs.next()) out.add(rs.getInt(1));
      return out;
    }
  }
}
