package org.bookcreator.store.postgres;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoreContractTest;
import org.junit.jupiter.api.AfterEach;

/**
 * The store contract on PostgreSQL: a database of its own per test (a copy of a migrated template),
 * dropped after it.
 */
class PostgresStoreTest extends StoreContractTest {
  private TestDatabase db;

  /** The database's JDBC URL, as {@code store.url} would give it. */
  protected String url(TestDatabase db) {
    return TestDatabase.SERVER + db.name();
  }

  private PostgresDatabase.Settings settings() {
    return new PostgresDatabase.Settings(
        url(db), Optional.of(TestDatabase.USER), Optional.empty(), 8, Duration.ofSeconds(5));
  }

  @Override
  protected Store openStore() {
    db = TestDatabase.migrated();
    return PostgresStore.open(settings(), true);
  }

  /** Another process's store on the same database. */
  @Override
  protected Optional<Store> openSecondInstance() {
    return Optional.of(PostgresStore.open(settings(), false));
  }

  /** PostgreSQL's text holds no NUL: the store keeps U+FFFD in its place. */
  @Override
  protected String asStored(String text) {
    return text.replace('\u0000', '\uFFFD');
  }

  @AfterEach
  void dropDatabase() throws SQLException {
    store.close();
    db.close();
  }
}
