package org.bookcreator.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** Clean-up on a path that is already failing: the first failure is the one to report. */
public final class Quietly {
  private Quietly() {}

  /** Closes {@code c} (when there is one), ignoring what closing throws. */
  public static void close(AutoCloseable c) {
    if (c == null) return;
    try {
      c.close();
    } catch (Exception ignored) {
      // the original failure is what matters
    }
  }

  /** Rolls back {@code c}'s transaction, ignoring what rolling back throws. */
  public static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the original failure is what matters
    }
  }
}
