package org.bookcreator.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
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

  @Test
  void settingsFirstInTheMessage_holdForTheStatementsAfterThem_andForNothingAfterTheMessage() {
    String sql =
        Dialect.POSTGRES.claimSettings().orElseThrow()
            + ";\nSELECT current_setting('enable_sort'), current_setting('synchronous_commit')";

    List<String> inside =
        db.oneStatement(
            "read the settings",
            () -> {
              try (PreparedStatement p = db.ps(sql)) {
                p.execute();
                assertThat(p.getMoreResults()).isTrue();
                try (ResultSet rs = p.getResultSet()) {
                  rs.next();
                  return List.of(rs.getString(1), rs.getString(2));
                }
              }
            });
    List<String> after =
        db.tx(
            "read the settings again",
            () ->
                db.one(
                        "SELECT current_setting('enable_sort'),"
                            + " current_setting('synchronous_commit')",
                        rs -> List.of(rs.getString(1), rs.getString(2)))
                    .orElseThrow());

    assertThat(inside).containsExactly("off", "off");
    assertThat(after).containsExactly("on", "on");
  }

  @Test
  void whatItWrites_isCommittedByTheServer_andTheConnectionCommitsByHandAgain()
      throws SQLException {
    db.oneStatement("note 1", () -> db.update("INSERT INTO notes VALUES (1)"));

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
