package org.bookcreator.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.stream.Stream;
import org.bookcreator.core.store.FileDamage;
import org.bookcreator.core.store.LogQuery;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoreContractTest;
import org.bookcreator.core.store.StoreDamagedException;
import org.bookcreator.telemetry.LogLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real SQLite files, damaged for real (garbage over pages, a ruined value, cut short, empty, a
 * foreign file): the store names the file, says it looks damaged and which runbook to follow, and
 * leaves the file exactly as it found it.
 */
class DamagedFilesTest {
  private static final String RUNBOOK = "docs/runbooks/damaged-store.md";

  @TempDir Path dir;

  private Path data() {
    return dir.resolve("data");
  }

  /** A store with a project, a trace and some log lines, closed (its logs checkpointed). */
  private void aStoreWithData() {
    try (Store store = SqliteStore.open(data(), true)) {
      store.createProject(StoreContractTest.aProject("p1"));
      store.recordSpans(List.of(StoreContractTest.aSpan("t1", "r1")), 1000);
      store.recordLogs(
          List.of(
              new LogLine(
                  1000,
                  "INFO",
                  "p1",
                  "r1",
                  null,
                  null,
                  null,
                  null,
                  null,
                  "{\"ts\":1000,\"level\":\"INFO\",\"message\":\"hello\"}")));
    }
  }

  @Test
  void anEmptyStoreFile_isRefused_andLeftEmpty_ratherThanBecomingANewStore() throws Exception {
    Files.createDirectories(data());
    Path db = Files.createFile(data().resolve(SqliteStore.DB_FILE));

    assertThatThrownBy(() -> SqliteStore.open(data(), true))
        .isInstanceOf(StoreDamagedException.class)
        .hasMessageContaining(db.toString())
        .hasMessageContaining("is empty (0 bytes)")
        .hasMessageContaining("move it aside")
        .hasMessageContaining(RUNBOOK);
    assertThat(Files.size(db)).isZero();
  }

  @Test
  void aMissingStoreFile_becomesANewStore_whole_withNothingLeftBeside() throws Exception {
    try (Store store = SqliteStore.open(data(), false)) {
      assertThat(store.schemaVersion()).isPositive();
    }

    assertThat(Files.size(data().resolve(SqliteStore.DB_FILE))).isPositive();
    try (Stream<Path> files = Files.list(data())) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".new"));
    }
  }

  @Test
  void garbageOverTheStoresPages_isNamedAsDamage_andTheFileIsLeftAsItWas() throws Exception {
    aStoreWithData();
    Path db = data().resolve(SqliteStore.DB_FILE);
    FileDamage.garbageAfterFirstPage(db);
    byte[] before = Files.readAllBytes(db);

    assertThatThrownBy(() -> SqliteStore.open(data(), true))
        .isInstanceOf(StoreDamagedException.class)
        .hasMessageContaining(db.toString())
        .hasMessageContaining("looks damaged")
        .hasMessageContaining("restore it from a backup")
        .hasMessageContaining(RUNBOOK);
    assertThatThrownBy(() -> SqliteStore.open(data(), false))
        .isInstanceOf(StoreDamagedException.class);
    assertThat(Files.readAllBytes(db)).isEqualTo(before);
  }

  @Test
  void aGarbageSchemaVersion_isDamage_notANewerBookCreator() throws Exception {
    aStoreWithData();
    Path db = data().resolve(SqliteStore.DB_FILE);
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      c.createStatement().execute("UPDATE schema_version SET version = 1909602 WHERE version = 1");
    }

    assertThatThrownBy(() -> SqliteStore.open(data(), false))
        .isInstanceOf(StoreDamagedException.class)
        .hasMessageContaining("looks damaged")
        .hasMessageContaining("1909602")
        .hasMessageContaining(RUNBOOK)
        .hasMessageNotContaining("newer Book Creator");
  }

  @Test
  void aStoreCutShort_isNamedAsCut_andLeftAsItWas() throws Exception {
    aStoreWithData();
    Path db = data().resolve(SqliteStore.DB_FILE);
    FileDamage.cutInHalf(db);
    byte[] before = Files.readAllBytes(db);

    assertThatThrownBy(() -> SqliteStore.open(data(), false))
        .isInstanceOf(StoreDamagedException.class)
        .hasMessageContaining(db.toString())
        .hasMessageContaining("cut short")
        .hasMessageContaining(RUNBOOK);
    assertThat(Files.readAllBytes(db)).isEqualTo(before);
  }

  @Test
  void aForeignFile_inPlaceOfTheStore_isNamed_withTheRunbook() throws Exception {
    Files.createDirectories(data());
    Path db = data().resolve(SqliteStore.DB_FILE);
    Files.writeString(db, "{\"not\": \"a database\"}\n".repeat(300));
    byte[] before = Files.readAllBytes(db);

    assertThatThrownBy(() -> SqliteStore.open(data(), false))
        .isInstanceOf(StoreDamagedException.class)
        .hasMessageContaining("not a SQLite database")
        .hasMessageContaining(RUNBOOK);
    assertThat(Files.readAllBytes(db)).isEqualTo(before);
  }

  @Test
  void aRuinedTraceInSpansDb_isNamedAsDamage_whenRead_andTheFileIsLeftAsItWas() throws Exception {
    aStoreWithData();
    Path spans = data().resolve(SqliteStore.SPANS_FILE);
    FileDamage.garbageOver(spans, "{\"span_id\"", 24);
    byte[] before = Files.readAllBytes(spans);

    try (Store store = SqliteStore.open(data(), false)) {
      assertThat(store.project("p1")).isPresent();
      assertThatThrownBy(() -> store.spans("t1"))
          .isInstanceOf(StoreDamagedException.class)
          .hasMessageContaining(spans.toString())
          .hasMessageContaining("looks damaged")
          .hasMessageContaining("holds only the runs' traces")
          .hasMessageContaining(RUNBOOK);
    }
    assertThat(Files.readAllBytes(spans)).isEqualTo(before);
  }

  @Test
  void garbageOverLogsDb_isNamedAsDamage_whenQueried() throws Exception {
    aStoreWithData();
    Path logs = data().resolve(SqliteStore.LOGS_FILE);
    FileDamage.garbageAfterFirstPage(logs);
    byte[] before = Files.readAllBytes(logs);

    try (Store store = SqliteStore.open(data(), false)) {
      assertThatThrownBy(() -> store.logs(LogQuery.newest(10)))
          .isInstanceOf(StoreDamagedException.class)
          .hasMessageContaining(logs.toString())
          .hasMessageContaining("looks damaged")
          .hasMessageContaining(RUNBOOK);
    }
    assertThat(Files.readAllBytes(logs)).isEqualTo(before);
  }

  @Test
  void theIntegrityCheck_namesEachDamagedFile_andWritesNothing() throws Exception {
    aStoreWithData();
    List<SqliteStore.FileCheck> healthy = SqliteStore.checkIntegrity(data());
    Path spans = data().resolve(SqliteStore.SPANS_FILE);
    FileDamage.garbageAfterFirstPage(spans);
    byte[] before = Files.readAllBytes(spans);

    List<SqliteStore.FileCheck> checked = SqliteStore.checkIntegrity(data());

    assertThat(healthy)
        .extracting(SqliteStore.FileCheck::file)
        .containsExactly(SqliteStore.DB_FILE, SqliteStore.LOGS_FILE, SqliteStore.SPANS_FILE);
    assertThat(healthy).allSatisfy(f -> assertThat(f.damage()).isEmpty());
    assertThat(checked)
        .filteredOn(f -> f.damage().isPresent())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.file()).isEqualTo(SqliteStore.SPANS_FILE);
              assertThat(f.damage().orElseThrow())
                  .contains(spans.toString())
                  .contains("looks damaged")
                  .contains(RUNBOOK);
            });
    assertThat(Files.readAllBytes(spans)).isEqualTo(before);
  }
}
