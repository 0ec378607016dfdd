package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.llm.LlmClient;
import org.bookcreator.core.llm.LlmRequest;
import org.bookcreator.core.llm.LlmResult;
import org.bookcreator.core.ops.RunService.RestartRequest;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.pipeline.Pipeline;
import org.bookcreator.core.pipeline.PipelineConfig;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskState;
import org.bookcreator.core.support.Ids;
import org.bookcreator.core.support.Json;
import org.bookcreator.providers.simulated.SimulatedLlmClient;
import org.bookcreator.providers.simulated.SimulationConfig;
import org.bookcreator.store.sqlite.SqliteStore;
import org.bookcreator.telemetry.sdk.TelemetrySdk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Runs made to hang, found stalled with the right reason, and restarted to completion without a
 * duplicate ledger row; a dry run changes nothing.
 */
class StuckRunRestartTest {
  @TempDir Path dir;
  private final CountDownLatch thaw = new CountDownLatch(1);
  private SqliteStore store;
  private Pipeline pipeline;
  private final TelemetrySdk telemetry =
      TelemetrySdk.create(
          new org.bookcreator.telemetry.TelemetryConfig(
              "book-creator", true, false, 1.0, false, Set.of()),
          org.bookcreator.telemetry.Redactor.none(),
          List.of());

  /**
   * The simulated provider, except that the first chapter draft never returns until the test thaws
   * it: a worker frozen mid-task (its lease keeps being renewed, but nothing moves). It stands in
   * for a hung provider connection, which cannot be produced on demand.
   */
  private final class FreezingProvider implements LlmClient {
    private final LlmClient inner = new SimulatedLlmClient(SimulationConfig.instant(11));
    private final AtomicBoolean frozeOnce = new AtomicBoolean();

    @Override
    public String provider() {
      return inner.provider();
    }

    @Override
    public LlmResult complete(LlmRequest request) {
      if (request.kind() == TaskKind.DRAFT_CHAPTER && frozeOnce.compareAndSet(false, true)) {
        try {
          thaw.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return inner.complete(request);
    }
  }

  @AfterEach
  void tearDown() {
    thaw.countDown();
    if (pipeline != null) pipeline.close();
    if (store != null) store.close();
    telemetry.close();
  }

  private Run startStuckRun(Path data, Duration lease) throws Exception {
    store = SqliteStore.open(data, true);
    Ids ids = Ids.system();
    pipeline =
        new Pipeline(
            store,
            new FreezingProvider(),
            PriceTable.defaults(),
            PipelineConfig.defaults(data).withWorkers(2).withLease(lease, lease.dividedBy(3)),
            telemetry,
            InstantSource.system(),
            ids,
            new Random(1),
            org.bookcreator.docparse.MultiFormatDocumentParser.defaults());
    Project p =
        new Project(
            ids.next("prj"),
            "Stuck Book",
            "fiction",
            Optional.empty(),
            "A brief.",
            1,
            Optional.empty(),
            List.of(),
            Instant.now());
    store.createProject(p);
    pipeline.start(true);
    Run run = TestRuns.start(store, pipeline, p, 3);
    awaitTask(run.id(), TaskKind.DRAFT_CHAPTER, TaskState.LEASED);
    return run;
  }

  private Task awaitTask(String runId, TaskKind kind, TaskState state) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (Task t : store.taskOutcomes(runId)) if (t.kind() == kind && t.state() == state) return t;
      Thread.sleep(20);
    }
    throw new AssertionError("no " + kind + " task became " + state);
  }

  private static void assertNoDuplicateCalls(List<LedgerEntry> calls) {
    assertThat(calls.stream().map(LedgerEntry::callId).distinct().count()).isEqualTo(calls.size());
    // One answer per call of a task attempt: a frozen call answered later must not add a second
    // row.
    assertThat(
            calls.stream()
                .map(c -> c.taskId() + "/" + c.attempt() + "/" + c.callId())
                .distinct()
                .count())
        .isEqualTo(calls.size());
  }

  @Test
  void aWorkerFrozenMidTask_isStalledForNoProgress_andARestartFinishesTheRun() throws Exception {
    Run run = startStuckRun(dir.resolve("data"), Duration.ofSeconds(30));
    StallDetector.Thresholds thresholds =
        new StallDetector.Thresholds(
            Duration.ofHours(1), Map.of(Stage.CHAPTER_WRITING, Duration.ofMillis(300)));
    Thread.sleep(700);

    List<StallDetector.Stall> stalls = pipeline.lookForStalls(thresholds);
    String historyBefore = store.history(run.id()).toString();
    var plan = TestRuns.over(store, pipeline).planRestart(run.id(), Optional.empty());

    assertThat(stalls)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.kind()).isEqualTo(StallDetector.Kind.NO_PROGRESS);
              assertThat(s.reason())
                  .contains("no progress in stage chapter_writing")
                  .contains("threshold 300ms");
            });
    assertThat(store.events(run.id()))
        .filteredOn(e -> e.kind().equals(RunEvent.STALLED))
        .hasSize(1);
    String metrics = telemetry.scrape();
    assertThat(metrics).contains("book_creator_stalled_runs{stage=\"chapter_writing\"} 1.0");
    assertThat(metrics)
        .as("a stall for no progress is no expired lease")
        .contains("book_creator_lease_expired_runs{stage=\"chapter_writing\"} 0.0");
    assertThat(metrics)
        .containsPattern(
            "book_creator_stage_oldest_progress_timestamp\\{stage=\"chapter_writing\"\\}"
                + " 1\\.[0-9]+E9");
    pipeline.lookForStalls(thresholds);
    assertThat(store.events(run.id()))
        .as("the same stall is recorded once")
        .filteredOn(e -> e.kind().equals(RunEvent.STALLED))
        .hasSize(1);
    assertThat(plan.revoke())
        .singleElement()
        .satisfies(t -> assertThat(t.kind()).isEqualTo(TaskKind.DRAFT_CHAPTER));
    assertThat(store.history(run.id()).toString())
        .as("planning (a dry run) changes nothing")
        .isEqualTo(historyBefore);

    TestRuns.over(store, pipeline).restart(RestartRequest.of(run.id(), "worker frozen"));
    Run done = pipeline.completion(run.id()).get(60, TimeUnit.SECONDS);
    thaw.countDown();
    Thread.sleep(300);

    assertThat(done.state()).isEqualTo(RunState.COMPLETED);
    assertThat(store.history(run.id()))
        .anySatisfy(
            t -> assertThat(t.reason()).startsWith("restarted by the operator: worker frozen"));
    assertNoDuplicateCalls(store.calls(run.id()));
  }

  @Test
  void aTaskThatNeverHeartbeats_isStalledForItsExpiredLease_andRunsRestartFinishesIt()
      throws Exception {
    Path data = dir.resolve("data");
    Run run = startStuckRun(data, Duration.ofMillis(600));
    // The frozen pool goes away; its lease lapses, and a worker that never sends a heartbeat takes
    // the task and dies.
    Pipeline closed = pipeline;
    pipeline.close();
    pipeline = null;
    Thread.sleep(700);
    Instant now = Instant.now();
    Optional<Task> ghost = store.claim("ghost-worker", now, now.plusMillis(200));
    assertThat(ghost)
        .hasValueSatisfying(t -> assertThat(t.kind()).isEqualTo(TaskKind.DRAFT_CHAPTER));
    Thread.sleep(300);
    // What a pipeline process's stall watch would export now (the look reads only the store).
    closed.lookForStalls(StallDetector.Thresholds.of(Duration.ofHours(1)));
    String metrics = telemetry.scrape();
    store.close();
    store = null;
    String d = data.toString();

    JsonNode stalled = Json.parse(Cli.run("runs", "--stalled", "--json", "--data-dir", d).out());
    Cli dry =
        Cli.run(
            "runs", "restart", run.id(), "--dry-run", "--reason", "ghost worker", "--data-dir", d);
    String afterDry = Cli.run("runs", "--json", "--data-dir", d).out();
    Cli restart = Cli.run("runs", "restart", run.id(), "--reason", "ghost worker", "--data-dir", d);
    JsonNode after = Json.parse(Cli.run("runs", "--json", "--data-dir", d).out()).get(0);

    assertThat(stalled)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.get("kind").asString()).isEqualTo("lease_expired");
              assertThat(s.get("reason").asString())
                  .contains("held by ghost-worker")
                  .contains("never sent a heartbeat");
            });
    assertThat(metrics)
        .contains("book_creator_lease_expired_runs{stage=\"chapter_writing\"} 1.0")
        .contains("book_creator_stalled_runs{stage=\"chapter_writing\"} 1.0");
    assertThat(dry.exitCode()).as(dry.err()).isZero();
    assertThat(dry.out())
        .contains("nothing changed")
        .contains("take back 1 lease")
        .contains("ghost-worker");
    assertThat(afterDry).doesNotContain("restarted by the operator");
    assertThat(restart.exitCode()).as(restart.err()).isZero();
    assertThat(after.get("state").asString()).isEqualTo("completed");
    assertThat(after.get("history").findValuesAsString("reason"))
        .contains("restarted by the operator: ghost worker");
    try (SqliteStore reopened = SqliteStore.open(data, false)) {
      assertNoDuplicateCalls(reopened.calls(run.id()));
    }
  }

  @Test
  void restartFromAStage_supersedesItsTasks_andTheRunCompletesAgain() throws Exception {
    Run run = startStuckRun(dir.resolve("data"), Duration.ofSeconds(30));
    var plan =
        TestRuns.over(store, pipeline)
            .restart(
                new RestartRequest(
                    run.id(),
                    Optional.of(Stage.CHAPTER_WRITING),
                    Optional.empty(),
                    "redo the chapters",
                    false))
            .plan();
    Run done = pipeline.completion(run.id()).get(60, TimeUnit.SECONDS);

    assertThat(done.state()).isEqualTo(RunState.COMPLETED);
    assertThat(plan.supersede())
        .isNotEmpty()
        .allSatisfy(
            t -> assertThat(t.stage().compareTo(Stage.CHAPTER_WRITING)).isGreaterThanOrEqualTo(0));
    assertThat(store.taskOutcomes(run.id()))
        .filteredOn(t -> t.state() == TaskState.SUPERSEDED)
        .hasSize(plan.supersede().size());
    assertThat(store.stages(run.id())).allSatisfy(s -> assertThat(s.state().isDone()).isTrue());
    thaw.countDown();
    Thread.sleep(200);
    assertNoDuplicateCalls(store.calls(run.id()));
  }
}
