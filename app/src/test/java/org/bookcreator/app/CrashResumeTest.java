package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskState;
import org.bookcreator.core.store.Store;
import org.bookcreator.store.sqlite.SqliteStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real book-creator process (SIGKILL) in the middle of a run and resumes from the store:
 * completed tasks are not run again and recorded calls are not billed again.
 */
class CrashResumeTest {
  @TempDir Path dir;

  private Process startChild(Path data, Path config) throws Exception {
    return ChildCli.start(
        dir.resolve("child.log"),
        "run",
        CliTest.example("lighthouse.yaml").toString(),
        "--data-dir",
        data.toString(),
        "--config",
        config.toString());
  }

  @Test
  void killedMidRun_resumesFromTheStore_withoutRerunningOrRebilling() throws Exception {
    Path data = dir.resolve("data");
    Path slow =
        Files.writeString(
            dir.resolve("slow.yaml"),
            "pipeline:\n  workers: 2\nsimulated:\n  latency_median: 40ms\n  latency_sigma: 0\n");
    Process child = startChild(data, slow);

    Map<String, Task> before;
    List<LedgerEntry> ledgerBefore;
    String runId;
    try {
      runId = waitForProgress(data, child, dir.resolve("child.log"));
      Cli blocked =
          Cli.run("run", CliTest.example("dragon.yaml").toString(), "--data-dir", data.toString());
      assertThat(blocked.exitCode()).isEqualTo(ExitCodes.STORE);
      assertThat(blocked.err())
          .contains("in use by another Book Creator process")
          .contains("pid " + child.pid());
      // Deleting the lock file frees nothing: the lock is on the store itself.
      Files.delete(data.resolve(SqliteStore.LOCK_FILE));
      Cli stillBlocked = Cli.run("resume", "--data-dir", data.toString());
      assertThat(stillBlocked.exitCode()).isEqualTo(ExitCodes.STORE);
      assertThat(stillBlocked.err()).contains("in use by another Book Creator process");
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }
    try (Store store = SqliteStore.open(data, false)) {
      Run killed = store.run(runId).orElseThrow();
      assertThat(killed.state()).isEqualTo(RunState.RUNNING);
      before =
          store.tasks(runId).stream()
              .filter(t -> t.state() == TaskState.COMPLETED)
              .collect(Collectors.toMap(Task::id, t -> t));
      ledgerBefore = store.calls(runId);
    }
    assertThat(before).hasSizeGreaterThan(5);

    Path fast = Files.writeString(dir.resolve("fast.yaml"), "pipeline:\n  workers: 4\n");
    Cli resume = Cli.run("resume", "--data-dir", data.toString(), "--config", fast.toString());

    assertThat(resume.exitCode()).as(resume.err() + resume.out()).isZero();
    try (Store store = SqliteStore.open(data, false)) {
      assertThat(store.run(runId).orElseThrow().state()).isEqualTo(RunState.COMPLETED);
      Map<String, Task> after = new HashMap<>();
      store.tasks(runId).forEach(t -> after.put(t.id(), t));
      for (Task t : before.values()) {
        Task now = after.get(t.id());
        assertThat(now.updatedAt()).as("task %s untouched", t.key()).isEqualTo(t.updatedAt());
        assertThat(now.claims()).isEqualTo(t.claims());
        assertThat(now.output()).isEqualTo(t.output());
      }
      List<LedgerEntry> ledgerAfter = store.calls(runId);
      Set<String> completedBefore = before.keySet();
      Set<String> idsBefore =
          ledgerBefore.stream().map(LedgerEntry::callId).collect(Collectors.toSet());
      assertThat(ledgerAfter.stream().map(LedgerEntry::callId))
          .doesNotHaveDuplicates()
          .containsAll(idsBefore);
      assertThat(ledgerAfter)
          .filteredOn(c -> !idsBefore.contains(c.callId()))
          .noneMatch(c -> completedBefore.contains(c.taskId()));
      Path manuscript =
          data.resolve("projects")
              .resolve(store.run(runId).orElseThrow().projectId())
              .resolve("runs")
              .resolve(runId)
              .resolve("manuscript.md");
      assertThat(
              Files.readString(manuscript).lines().filter(l -> l.startsWith("## Chapter ")).count())
          .isEqualTo(12);
    }
  }

  /**
   * Waits until the child (writing its output to {@code log}) has completed some chapter work on
   * the running run of {@code data}, then returns that run's id.
   */
  static String waitForProgress(Path data, Process child, Path log) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      assertThat(child.isAlive()).as("child exited early: " + Files.readString(log)).isTrue();
      if (Files.exists(data.resolve(SqliteStore.DB_FILE))) {
        try (Store store = SqliteStore.open(data, false)) {
          Optional<Run> run =
              store.runs(Optional.empty()).stream()
                  .filter(r -> r.state() == RunState.RUNNING)
                  .findFirst();
          if (run.isPresent()) {
            long done =
                store.tasks(run.get().id()).stream()
                    .filter(t -> t.state() == TaskState.COMPLETED)
                    .count();
            if (done >= 12) return run.get().id();
          }
        } catch (RuntimeException e) {
          // the child may be mid-migration; look again
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "no progress within 60 s; child log:" + File.separator + Files.readString(log));
  }
}
