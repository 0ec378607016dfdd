package org.bookcreator.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.bookcreator.core.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactions of the JDBC core over a real (in-memory SQLite) connection: a transaction inside
 * another joins it, and a failure the engine calls retryable inside the inner one runs the whole
 * outer transaction again instead of failing at once; a failure that is not retryable is told once,
 * under the inner transaction's name, and nothing of the outer one is kept.
 */
class DbTest {
  private static final String BUSY = "busy (test)";
  private Connection connection;
  private Db db;

  @BeforeEach
  void open() throws SQLException {
    connection = DriverManager.getConnection("jdbc:sqlite::memory:");
    connection.setAutoCommit(false);
    db = OneConnectionDb.over(connection, Dialect.SQLITE, e -> BUSY.equals(e.getMessage()));
    db.tx("create", () -> db.update("CREATE TABLE t(n INTEGER)"));
  }

  @AfterEach
  void close() throws SQLException {
    connection.close();
  }

  @Test
  void aRetryableFailureInAJoinedTransaction_runsTheOutermostAgain() {
    AtomicInteger outerRuns = new AtomicInteger();

    long rows =
        db.tx(
            "outer",
            () -> {
              outerRuns.incrementAndGet();
              db.update("INSERT INTO t VALUES (1)");
              db.tx(
                  "inner",
                  () -> {
                    if (outerRuns.get() == 1) throw new SQLException(BUSY);
                    return db.update("INSERT INTO t VALUES (2)");
                  });
              return db.one("SELECT COUNT(*) FROM t", rs -> rs.getLong(1)).orElseThrow();
            });

    assertThat(outerRuns).hasValue(2);
    assertThat(rows).as("the first attempt's row was rolled back").isEqualTo(2);
  }

  @Test
  void aFailureThatIsNotRetryable_isToldOnce_underTheInnerName_andNothingIsKept() {
    AtomicInteger outerRuns = new AtomicInteger();

    assertThatThrownBy(
            () ->
                db.tx(
                    "outer",
                    () -> {
                      outerRuns.incrementAndGet();
                      db.update("INSERT INTO t VALUES (1)");
                      return db.tx(
                          "insert the inner row", () -> db.update("INSERT INTO nope VALUES (1)"));
                    }))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith("cannot insert the inner row: ")
        .hasMessageContaining("nope");

    assertThat(outerRuns).hasValue(1);
    assertThat(db.tx("count", () -> db.one("SELECT COUNT(*) FROM t", rs -> rs.getLong(1))))
        .contains(0L);
  }
}
