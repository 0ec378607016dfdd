package org.bookcreator.store.jdbc;

import java.util.Optional;

/**
 * The SQL engines a store runs on, and the few things they spell differently. Everything else the
 * parts write is SQL both engines read the same way (no booleans summed, no engine functions).
 */
public enum Dialect {
  SQLITE {
    @Override
    public String jsonValues() {
      return "json_each(?)";
    }

    @Override
    public String jsonText(String json, String field) {
      return "json_extract(" + json + ", '$." + field + "')";
    }

    @Override
    public String greatest(String a, String b) {
      return "MAX(" + a + ", " + b + ")";
    }

    @Override
    public String utcDay(String seconds) {
      return "strftime('%Y-%m-%d', " + seconds + ", 'unixepoch')";
    }

    @Override
    public String likeIgnoringCase() {
      return "LIKE"; // SQLite's LIKE ignores ASCII case
    }

    @Override
    public Optional<String> claimSettings() {
      // WAL with synchronous=NORMAL: a commit does not wait for the disk; the planner walks
      // the queue's index whatever the statistics
      return Optional.empty();
    }

    @Override
    public String skipLocked(String alias) {
      return ""; // one writer at a time: a row read in a write transaction is this writer's
    }
  },
  POSTGRES {
    @Override
    public String jsonValues() {
      return "json_array_elements_text(CAST(? AS json))";
    }

    @Override
    public String jsonText(String json, String field) {
      return "(CAST(" + json + " AS json) ->> '" + field + "')";
    }

    @Override
    public String greatest(String a, String b) {
      return "GREATEST(" + a + ", " + b + ")";
    }

    @Override
    public String utcDay(String seconds) {
      return "to_char(to_timestamp(" + seconds + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD')";
    }

    @Override
    public String likeIgnoringCase() {
      return "ILIKE";
    }

    @Override
    public Optional<String> claimSettings() {
      return Optional.of(
          "SELECT set_config('synchronous_commit', 'off', true),"
              + " set_config('enable_sort', 'off', true)");
    }

    @Override
    public String skipLocked(String alias) {
      return " FOR UPDATE OF " + alias + " SKIP LOCKED";
    }
  };

  /**
   * A set of the strings in one JSON array parameter, as a table with the column {@code value}: a
   * list of any length as one bound value.
   */
  public abstract String jsonValues();

  /** The text of {@code field} of the JSON object in the column {@code json}. */
  public abstract String jsonText(String json, String field);

  /** The larger of two values (SQLite's two-argument MAX, PostgreSQL's GREATEST). */
  public abstract String greatest(String a, String b);

  /** The UTC date, {@code YYYY-MM-DD}, of a time given in Unix epoch seconds. */
  public abstract String utcDay(String seconds);

  /** LIKE, ignoring the case of ASCII letters at least. */
  public abstract String likeIgnoringCase();

  /**
   * The statement that sets up a claim's transaction, first in it. On PostgreSQL, two settings for
   * this transaction alone:
   *
   * <ul>
   *   <li>its commit returns before its log reaches the disk: losing a claim in a crash of the
   *       database only queues its task again, and the next ordinary commit of anyone flushes it
   *       with everything before it;
   *   <li>no sorts: the queue is read in order from its partial indexes ({@code tasks_queued},
   *       {@code tasks_leased}), stopping at the first free row. Until autovacuum has analyzed a
   *       new database's tables the planner takes them for a few rows and sorts every ready task
   *       instead, joined row by row to the running runs: 23-370 ms a claim against 0.2 ms at 5,000
   *       queued tasks (EXPLAIN ANALYZE), and 32 claimers at once spent the two cores on it.
   * </ul>
   */
  public abstract Optional<String> claimSettings();

  /**
   * What ends a SELECT that picks rows to change so that concurrent writers never pick the same one
   * and never wait for each other: PostgreSQL's {@code FOR UPDATE SKIP LOCKED} on the rows of
   * {@code alias}.
   */
  public abstract String skipLocked(String alias);

  /** {@code 1} where {@code condition} holds, else {@code 0}: a count both engines can sum. */
  public static String oneIf(String condition) {
    return "CASE WHEN " + condition + " THEN 1 ELSE 0 END";
  }
}
