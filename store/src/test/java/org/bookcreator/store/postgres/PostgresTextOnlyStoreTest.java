package org.bookcreator.store.postgres;

/**
 * The store contract on PostgreSQL with a driver told to send text only ({@code
 * preferQueryMode=simple} in {@code store.url}, as a transaction-pooling PgBouncer needs): no
 * statements prepared on the server, and each statement of a message sent by itself, so a claim's
 * message is an ordinary transaction there.
 */
class PostgresTextOnlyStoreTest extends PostgresStoreTest {
  @Override
  protected String url(TestDatabase db) {
    return super.url(db) + "?preferQueryMode=simple";
  }
}
