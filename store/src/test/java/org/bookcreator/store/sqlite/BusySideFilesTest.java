package org.bookcreator.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.bookcreator.core.store.LogQuery;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoreContractTest;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.telemetry.LogLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another process holds the logs' copy ({@code logs.db}) in a write transaction and does not let
 * go, as a process frozen or stuck in the middle of writing its log lines would: this process's log
 * lines give up after {@link SqliteStore#SIDE_BUSY_TIMEOUT_MS} instead of waiting on it, once, for
 * the caller to drop and count them, and the store itself goes on as before. (The other process is
 * a second SQLite connection of this test, which holds the file's lock just the same.)
 */
class BusySideFilesTest {
  @TempDir Path dir;

  @Test
  void logLinesGiveUpOnABusyLogsFile_andTheStoreGoesOn() throws Exception {
    Path data = dir.resolve("data");
    try (Store store = SqliteStore.open(data, true)) {
      store.recordLogs(List.of(line(1000, "before")));
      try (Connection other =
              DriverManager.getConnection(
                  "jdbc:sqlite:" + data.resolve(SqliteStore.LOGS_FILE).toAbsolutePath());
          Statement st = other.createStatement()) {
        st.execute("BEGIN IMMEDIATE");

        // Before, a busy file was waited out 10 s at a time and tried 20 times: minutes.
        assertTimeoutPreemptively(
            Duration.ofSeconds(60),
            () ->
                assertThatThrownBy(() -> store.recordLogs(List.of(line(2000, "while held"))))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("record logs")
                    .hasMessageContaining("SQLITE_BUSY"));
        store.createProject(StoreContractTest.aProject("p1"));

        st.execute("ROLLBACK");
      }
      store.recordLogs(List.of(line(3000, "after")));

      assertThat(store.project("p1")).isPresent();
      assertThat(store.logs(LogQuery.newest(100)))
          .extracting(l -> l.line().json())
          .anyMatch(j -> j.contains("before"))
          .anyMatch(j -> j.contains("after"))
          .noneMatch(j -> j.contains("while held"));
    }
  }

  private static LogLine line(long ts, String message) {
    return StoreContractTest.aLogLine(ts, "INFO", "r1", null, null, message);
  }
}
