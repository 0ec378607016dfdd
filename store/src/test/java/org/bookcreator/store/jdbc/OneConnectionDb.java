package org.bookcreator.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Predicate;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.store.postgres.PostgresDatabase;

/**
 * A {@link Db} over one real connection that the test opens and closes, whose failures read {@code
 * cannot <what>: <the engine's message>} and are retried when {@code retryable} says so.
 */
final class OneConnectionDb {
  private OneConnectionDb() {}

  static Db over(Connection connection, Dialect dialect, Predicate<SQLException> retryable) {
    return new Db(
        dialect,
        new Db.Connections() {
          @Override
          public Connection acquire() {
            return connection;
          }

          @Override
          public void release(Connection c) {}

          @Override
          public boolean oneTransactionPerMessage(Connection c) throws SQLException {
            return dialect == Dialect.POSTGRES && PostgresDatabase.oneTransactionPerMessage(c);
          }

          @Override
          public void close() {}
        },
        new Db.Failures() {
          @Override
          public StoreException failure(String what, SQLException e) {
            return new StoreException("cannot " + what + ": " + e.getMessage());
          }

          @Override
          public boolean retryable(SQLException e) {
            return retryable.test(e);
          }

          @Override
          public SQLException unreadableRow(RuntimeException e) {
            return new SQLException(e);
          }
        });
  }
}
