package org.bookcreator.core.store;

/**
 * The right to be the one active orchestrator of a store, held until closed or lost. On PostgreSQL
 * it is a session advisory lock on a connection of its own: the database releases it when the
 * holder's session ends (the process died, the machine or network went away), and a standby
 * orchestrator takes it then. On SQLite the data directory's lock already makes the pipeline
 * process the only one ({@link #SOLE}).
 */
public interface Leadership extends AutoCloseable {
  /**
   * Whether it is still held: false once the connection that holds it is gone, after which the
   * database may have granted it to another process, so the holder must stop orchestrating at once.
   */
  boolean held();

  /** Gives it up. */
  @Override
  void close();

  /**
   * Held for as long as the process holds the store: the one pipeline process of a SQLite store.
   */
  Leadership SOLE =
      new Leadership() {
        @Override
        public boolean held() {
          return true;
        }

        @Override
        public void close() {}
      };
}
