package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.TaskState;
import org.bookcreator.core.store.SmallDisk;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import org.bookcreator.store.sqlite.SqliteStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: the data directory on a small tmpfs that the test fills up while books are
 * written. Every command stops within seconds with exit code 3 and a message naming the data
 * directory and the space left; once space returns, resume finishes every run, and every line of
 * the log file is one JSON object. Mounting needs root (CAP_SYS_ADMIN); elsewhere the test is
 * skipped, saying why.
 */
class FullDiskTest {
  private static final Duration PROMPTLY = Duration.ofSeconds(10);
  private static final Duration AT_MOST = Duration.ofSeconds(90);

  @TempDir Path dir;
  private SmallDisk disk;

  @BeforeEach
  void mountASmallDisk() throws Exception {
    disk = SmallDisk.mount(dir.resolve("disk"), "16m");
  }

  @AfterEach
  void unmount() throws Exception {
    if (disk != null) disk.close();
  }

  @Test
  void everyCommand_stopsPromptlyOnAFullDisk_andResumeFinishesOnceSpaceReturns() throws Exception {
    Path data = disk.path().resolve("data");
    Path demoLog = dir.resolve("demo.log");
    Process demo =
        ChildCli.start(
            demoLog,
            "demo",
            "--books",
            "2",
            "--faults",
            "off",
            "--latency",
            "200ms",
            "--workers",
            "2",
            "--data-dir",
            data.toString());
    try {
      awaitProgress(data, demo, demoLog);
      disk.fill();
      long filled = System.nanoTime();

      assertStoppedForAFullDisk("demo", ChildCli.awaitExit(demo, demoLog, AT_MOST, filled), data);
    } finally {
      demo.destroyForcibly().waitFor();
    }
    for (String command : List.of("run", "resume")) {
      disk.fill();
      List<String> args = new ArrayList<>(List.of(command));
      if (command.equals("run")) args.add(CliTest.example("dragon.yaml").toString());
      args.addAll(List.of("--data-dir", data.toString()));

      ChildCli.Result stopped =
          ChildCli.run(dir.resolve(command + ".log"), AT_MOST, args.toArray(String[]::new));

      assertStoppedForAFullDisk(command, stopped, data);
    }

    disk.free();
    ChildCli.Result resumed =
        ChildCli.run(dir.resolve("resumed.log"), AT_MOST, "resume", "--data-dir", data.toString());

    assertThat(resumed.exitCode()).as(resumed.output()).isZero();
    try (Store store = SqliteStore.open(data, false)) {
      assertThat(store.runs(Optional.empty()))
          .hasSizeGreaterThanOrEqualTo(2)
          .allSatisfy(r -> assertThat(r.state()).isEqualTo(RunState.COMPLETED));
    }
    assertThat(unparsableLogLines(data.resolve("logs"))).isEmpty();
  }

  private static void assertStoppedForAFullDisk(String command, ChildCli.Result r, Path data) {
    assertThat(r.exitCode()).as(command + " printed: " + r.output()).isEqualTo(ExitCodes.STORE);
    assertThat(r.took()).as(command + " took").isLessThan(PROMPTLY);
    assertThat(r.output())
        .as(command)
        .contains("disk full: the data directory " + data + " has ")
        .containsPattern("has [0-9.]+ (B|KiB) free")
        .contains("bin/book-creator resume")
        .doesNotContain("\tat ");
  }

  /** Waits until the child has completed some tasks, so the disk fills in the middle of a run. */
  private static void awaitProgress(Path data, Process child, Path log) throws Exception {
    Instant deadline = Instant.now().plus(AT_MOST);
    while (Instant.now().isBefore(deadline)) {
      assertThat(child.isAlive()).as("child exited early: " + Files.readString(log)).isTrue();
      if (Files.exists(data.resolve(SqliteStore.DB_FILE)) && completedTasks(data) >= 4) return;
      Thread.sleep(100);
    }
    throw new AssertionError("no progress in time; child printed: " + Files.readString(log));
  }

  private static long completedTasks(Path data) {
    try (Store store = SqliteStore.open(data, false)) {
      return store.runs(Optional.empty()).stream()
          .flatMap(r -> store.tasks(r.id()).stream())
          .filter(t -> t.state() == TaskState.COMPLETED)
          .count();
    } catch (RuntimeException e) {
      return 0; // the child may be creating the store
    }
  }

  /** The lines of the JSON log files that are not one JSON object each. */
  private static List<String> unparsableLogLines(Path logs) throws IOException {
    List<String> bad = new ArrayList<>();
    try (Stream<Path> files = Files.list(logs)) {
      for (Path file : files.toList()) {
        for (String line : Files.readAllLines(file)) {
          try {
            if (!Json.parse(line).isObject()) bad.add(line);
          } catch (RuntimeException e) {
            bad.add(file.getFileName() + ": " + line);
          }
        }
      }
    }
    return bad;
  }
}
