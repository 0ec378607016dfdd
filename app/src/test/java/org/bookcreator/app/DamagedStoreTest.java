package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.bookcreator.core.store.FileDamage;
import org.bookcreator.core.store.Store;
import org.bookcreator.store.sqlite.SqliteStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on a data directory whose files were damaged for real: exit 3 with a message that
 * names the file and the runbook, never a stack trace, and the file left exactly as it was.
 */
class DamagedStoreTest {
  private static final String RUNBOOK = "docs/runbooks/damaged-store.md";

  @TempDir static Path shared;
  private static Path pristine;
  private static String runId;

  @TempDir Path dir;

  @BeforeAll
  static void aDataDirectoryWithARun() {
    pristine = shared.resolve("data");
    Cli run =
        Cli.run(
            "run", CliTest.example("dragon.yaml").toString(), "--data-dir", pristine.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    try (Store store = SqliteStore.open(pristine, false)) {
      runId = store.runs(Optional.empty()).getFirst().id();
    }
  }

  /** A copy of the data directory for one test to damage. */
  private Path data() throws IOException {
    Path copy = dir.resolve("data");
    try (Stream<Path> files = Files.walk(pristine)) {
      for (Path from : files.toList()) {
        Path to = copy.resolve(pristine.relativize(from).toString());
        if (Files.isDirectory(from)) Files.createDirectories(to);
        else Files.copy(from, to);
      }
    }
    return copy;
  }

  private static Cli run(Path data, String... args) {
    String[] all =
        Stream.concat(Stream.of(args), Stream.of("--data-dir", data.toString()))
            .toArray(String[]::new);
    return Cli.run(all);
  }

  private static void assertNamesTheDamage(Cli cli, Path file) {
    assertThat(cli.exitCode()).as(cli.err()).isEqualTo(ExitCodes.STORE);
    assertThat(cli.err())
        .contains(file.toString())
        .contains("looks damaged")
        .contains(RUNBOOK)
        .doesNotContain("\tat ");
  }

  @Test
  void trace_ofARunWhoseTraceIsRuinedInSpansDb_exits3_namingTheFile() throws Exception {
    Path data = data();
    Path spans = data.resolve(SqliteStore.SPANS_FILE);
    FileDamage.garbageOver(spans, "{\"span_id\"", 24);
    byte[] before = Files.readAllBytes(spans);

    Cli trace = run(data, "trace", runId);
    Cli json = run(data, "trace", runId, "--json");

    assertNamesTheDamage(trace, spans);
    assertThat(trace.err()).contains("move it aside");
    assertNamesTheDamage(json, spans);
    assertThat(Files.readAllBytes(spans)).isEqualTo(before);
  }

  @Test
  void logs_onGarbageOverLogsDb_exits3_whileDiagnoseGoesOn_namingIt() throws Exception {
    Path data = data();
    Path logs = data.resolve(SqliteStore.LOGS_FILE);
    FileDamage.garbageAfterFirstPage(logs);
    byte[] before = Files.readAllBytes(logs);

    Cli query = run(data, "logs", "--run", runId);
    Cli diagnose = run(data, "diagnose", runId);

    assertNamesTheDamage(query, logs);
    assertThat(diagnose.exitCode()).as(diagnose.err()).isZero();
    assertThat(diagnose.out())
        .contains("the logs' copy is damaged, see " + RUNBOOK)
        .contains(logs.toString());
    assertThat(Files.readAllBytes(logs)).isEqualTo(before);
  }

  @Test
  void everyCommand_onGarbageOverTheStore_exits3_andLeavesItAsItWas() throws Exception {
    Path data = data();
    Path db = data.resolve(SqliteStore.DB_FILE);
    FileDamage.garbageAfterFirstPage(db);
    byte[] before = Files.readAllBytes(db);

    for (String[] command :
        new String[][] {
          {"runs"},
          {"diagnose", runId},
          {"resume"},
          {"run", CliTest.example("dragon.yaml").toString()},
        }) {
      Cli cli = run(data, command);

      assertNamesTheDamage(cli, db);
      assertThat(cli.err()).as(command[0]).contains("restore it from a backup");
    }
    assertThat(Files.readAllBytes(db)).isEqualTo(before);
  }

  @Test
  void anEmptyStoreFile_isRefused_notTurnedIntoANewStore() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Path db = Files.createFile(data.resolve(SqliteStore.DB_FILE));

    Cli runs = run(data, "runs");
    Cli book = run(data, "run", CliTest.example("dragon.yaml").toString());

    for (Cli cli : new Cli[] {runs, book}) {
      assertThat(cli.exitCode()).as(cli.err()).isEqualTo(ExitCodes.STORE);
      assertThat(cli.err())
          .contains(db.toString())
          .contains("is empty (0 bytes)")
          .contains("move it aside")
          .contains(RUNBOOK)
          .doesNotContain("\tat ");
    }
    assertThat(Files.size(db)).isZero();
  }
}
