package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.llm.ErrorType;
import org.bookcreator.core.llm.LlmRequest;
import org.bookcreator.core.llm.LlmResult;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.pipeline.Pipeline;
import org.bookcreator.core.pipeline.PipelineConfig;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskState;
import org.bookcreator.core.store.DiskFullException;
import org.bookcreator.core.support.Ids;
import org.bookcreator.providers.simulated.SimulatedLlmClient;
import org.bookcreator.providers.simulated.SimulationConfig;
import org.bookcreator.store.sqlite.SqliteStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline over a real SQLite store, with provider answers scripted where a test needs
 * it.
 */
class PipelineTest {
  @TempDir Path dir;
  private SqliteStore store;
  private Pipeline pipeline;
  private final org.bookcreator.telemetry.Telemetry telemetry =
      org.bookcreator.telemetry.Telemetry.noop();
  private final ScriptedLlmClient llm =
      new ScriptedLlmClient(new SimulatedLlmClient(SimulationConfig.instant(7)));

  private PipelineConfig config() {
    return PipelineConfig.defaults(dir)
        .withWorkers(4)
        .withRetries(3, Duration.ofMillis(1), Duration.ofMillis(5), 2)
        .withCritique(8.0, 3, 7.5, 2);
  }

  private Run runBook(PipelineConfig config, int chapters) throws Exception {
    return runBook(config, chapters, s -> s);
  }

  private Run runBook(
      PipelineConfig config,
      int chapters,
      java.util.function.UnaryOperator<org.bookcreator.core.store.Store> wrap)
      throws Exception {
    store = SqliteStore.open(dir.resolve("data"), true);
    Ids ids = Ids.system();
    pipeline = pipeline(wrap.apply(store), config);
    Project p =
        new Project(
            ids.next("prj"),
            "Test Book",
            "fiction",
            Optional.empty(),
            "A brief.",
            chapters,
            Optional.empty(),
            List.of(),
            java.time.Instant.now());
    store.createProject(p);
    pipeline.start();
    Run run = TestRuns.start(store, pipeline, p, 7);
    return pipeline.completion(run.id()).get(60, java.util.concurrent.TimeUnit.SECONDS);
  }

  private Pipeline pipeline(org.bookcreator.core.store.Store used, PipelineConfig config) {
    return new Pipeline(
        used,
        llm,
        PriceTable.defaults(),
        config,
        telemetry,
        InstantSource.system(),
        Ids.system(),
        new Random(1));
  }

  @AfterEach
  void close() {
    if (pipeline != null) pipeline.close();
    if (store != null) store.close();
  }

  private static Function<LlmRequest, LlmResult> critique(double score) {
    return r ->
        new LlmResult.Completed(
            "{\"score\":"
                + score
                + ",\"verdict\":\""
                + (score >= 8 ? "accept" : "revise")
                + "\",\"issues\":[\"tighten it\"]}",
            "sim-standard",
            Usage.of(100, 20),
            Duration.ZERO);
  }

  private static Function<LlmRequest, LlmResult> text(String body) {
    return r -> new LlmResult.Completed(body, "sim-standard", Usage.of(100, 20), Duration.ZERO);
  }

  private static Function<LlmRequest, LlmResult> retryable(ErrorType type) {
    return r ->
        new LlmResult.Retryable(
            type, type.id() + " (scripted)", "sim-standard", Optional.empty(), Duration.ZERO);
  }

  private StageRecord stage(Run run, Stage s) {
    return store.stages(run.id()).stream().filter(x -> x.stage() == s).findFirst().orElseThrow();
  }

  @Test
  void book_runsEndToEnd_writingAManuscriptWithEveryChapter() throws Exception {
    Run run = runBook(config(), 4);

    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    Path manuscript =
        dir.resolve("projects")
            .resolve(run.projectId())
            .resolve("runs")
            .resolve(run.id())
            .resolve("manuscript.md");
    String md = Files.readString(manuscript);
    assertThat(md).startsWith("# Test Book").contains("## Contents");
    assertThat(md.lines().filter(l -> l.startsWith("## Chapter ")).count()).isEqualTo(4);
    assertThat(Files.exists(manuscript.resolveSibling("summary.json"))).isTrue();
    assertThat(store.stages(run.id())).allMatch(s -> s.state().isDone());
    assertThat(store.tasks(run.id())).allMatch(t -> t.state() == TaskState.COMPLETED);
    assertThat(store.totals(run.id()).costUsd()).isPositive();
    assertThat(store.history(run.id()))
        .extracting(t -> t.entity() + ":" + t.to())
        .contains("run:RUNNING", "stage:COMPLETED", "run:COMPLETED");
  }

  @Test
  void workers_areForgottenWhenTheirPoolStops_andThoseOfAKilledProcessAtTheNextStart()
      throws Exception {
    runBook(config(), 1);
    assertThat(store.workerHeartbeats()).hasSize(4);
    store.heartbeat("pool_killed-w0", java.time.Instant.now());

    pipeline.close();
    java.util.Set<String> afterClose = java.util.Set.copyOf(store.workerHeartbeats().keySet());
    pipeline = pipeline(store, config());
    pipeline.start(true);

    assertThat(afterClose).as("the stopped pool's workers are gone").containsOnly("pool_killed-w0");
    assertThat(store.workerHeartbeats()).doesNotContainKey("pool_killed-w0");
  }

  @Test
  void structureCritique_stopsAtThreshold() throws Exception {
    llm.on(TaskKind.CRITIQUE_OUTLINE, critique(6.0), critique(9.0));

    Run run = runBook(config(), 2);

    StageRecord s = stage(run, Stage.STRUCTURE_CRITIQUE);
    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    assertThat(s.iterations()).isEqualTo(2);
    assertThat(s.reason().orElseThrow()).contains("reached threshold");
    assertThat(llm.calls(TaskKind.CRITIQUE_OUTLINE)).isEqualTo(2);
    assertThat(llm.calls(TaskKind.REVISE_OUTLINE)).isEqualTo(1);
  }

  @Test
  void structureCritique_stopsAtTheIterationCap_andRecordsIt() throws Exception {
    llm.on(TaskKind.CRITIQUE_OUTLINE, critique(5.0));

    Run run = runBook(config(), 2);

    StageRecord s = stage(run, Stage.STRUCTURE_CRITIQUE);
    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    assertThat(s.iterations()).isEqualTo(3);
    assertThat(s.reason().orElseThrow()).contains("iteration cap 3 reached");
    assertThat(llm.calls(TaskKind.CRITIQUE_OUTLINE)).isEqualTo(3);
    assertThat(llm.calls(TaskKind.REVISE_OUTLINE)).isEqualTo(2);
    assertThat(store.events(run.id())).extracting(RunEvent::kind).contains(RunEvent.CRITIQUE_CAP);
  }

  @Test
  void chapterCritique_revisesUntilTheCap() throws Exception {
    llm.on(TaskKind.CRITIQUE_CHAPTER, critique(5.0));

    Run run = runBook(config(), 3);

    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    assertThat(llm.calls(TaskKind.DRAFT_CHAPTER)).isEqualTo(3);
    assertThat(llm.calls(TaskKind.REVISE_CHAPTER)).isEqualTo(3);
    assertThat(stage(run, Stage.CHAPTER_WRITING).iterations()).isEqualTo(2);
  }

  @Test
  void aProviderErrorEchoingTheKey_isStoredMasked_inTheLedger() throws Exception {
    String key = "sk-live-" + "q7Vh3kP9zX2mN8rT4wYb";
    llm.on(
        TaskKind.PLAN,
        r ->
            new LlmResult.Retryable(
                ErrorType.SERVER_ERROR,
                "upstream said: invalid request with key " + key,
                "sim-standard",
                Optional.empty(),
                Duration.ZERO),
        r -> new SimulatedLlmClient(SimulationConfig.instant(7)).complete(r));

    Run run = runBook(config(), 1);

    List<LedgerEntry> errors =
        store.calls(run.id()).stream().filter(c -> c.outcome().equals("error")).toList();
    assertThat(errors).hasSize(1);
    assertThat(store.call(errors.get(0).callId()).orElseThrow().response().orElseThrow())
        .doesNotContain(key)
        .contains("upstream said: invalid request with key [REDACTED]");
  }

  @Test
  void retryableFailures_retryWithBackoff_thenSucceed() throws Exception {
    llm.on(
        TaskKind.PLAN,
        retryable(ErrorType.RATE_LIMITED),
        retryable(ErrorType.SERVER_ERROR),
        r -> new SimulatedLlmClient(SimulationConfig.instant(7)).complete(r));

    Run run = runBook(config(), 2);

    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    Task plan =
        store.tasks(run.id()).stream()
            .filter(t -> t.kind() == TaskKind.PLAN)
            .findFirst()
            .orElseThrow();
    assertThat(plan.attempt()).isEqualTo(2);
    assertThat(store.events(run.id()))
        .filteredOn(e -> e.kind().equals(RunEvent.RETRY))
        .hasSize(2)
        .first()
        .satisfies(e -> assertThat(e.detail()).contains("rate_limited").contains("retrying in"));
    List<LedgerEntry> calls =
        store.calls(run.id()).stream().filter(c -> c.taskId().equals(plan.id())).toList();
    assertThat(calls)
        .extracting(LedgerEntry::outcome)
        .containsExactlyInAnyOrder("error", "error", "ok");
  }

  @Test
  void retryableFailures_giveUpAfterMaxAttempts_andFailTheRun() throws Exception {
    llm.on(TaskKind.PLAN, retryable(ErrorType.TIMEOUT));

    Run run = runBook(config(), 2);

    assertThat(run.state()).isEqualTo(RunState.FAILED);
    assertThat(run.reason().orElseThrow())
        .contains("intake")
        .contains("gave up after 3 attempt(s)")
        .contains("timeout");
    assertThat(llm.calls(TaskKind.PLAN)).isEqualTo(3);
  }

  @Test
  void nonRetryableFailure_failsTheTaskAndRunAtOnce_withTheReason() throws Exception {
    llm.on(
        TaskKind.OUTLINE,
        r ->
            new LlmResult.Fatal(
                ErrorType.AUTHENTICATION, "401 invalid API key", "sim-standard", Duration.ZERO));

    Run run = runBook(config(), 2);

    assertThat(run.state()).isEqualTo(RunState.FAILED);
    assertThat(run.reason().orElseThrow())
        .contains("outline")
        .contains("authentication")
        .contains("401 invalid API key");
    assertThat(llm.calls(TaskKind.OUTLINE)).isEqualTo(1);
    assertThat(stage(run, Stage.OUTLINE).state().name()).isEqualTo("FAILED");
    assertThat(stage(run, Stage.RESEARCH).state().name()).isEqualTo("PENDING");
  }

  @Test
  void schemaViolation_isRepaired_andRecorded() throws Exception {
    llm.on(
        TaskKind.FACT_CHECK,
        text("{\"checked\": \"many\"}"),
        text("{\"checked\":3,\"unsupported\":[],\"verdict\":\"pass\"}"));

    Run run = runBook(config(), 2);

    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    assertThat(llm.calls(TaskKind.FACT_CHECK)).isEqualTo(2);
    LlmRequest repair =
        llm.requests.stream().filter(r -> r.kind() == TaskKind.FACT_CHECK).toList().get(1);
    assertThat(repair.messages().get(repair.messages().size() - 1).content())
        .contains("Your answer was rejected");
    assertThat(store.events(run.id()))
        .filteredOn(e -> e.kind().equals(RunEvent.SCHEMA_VIOLATION))
        .singleElement()
        .satisfies(e -> assertThat(e.detail()).contains("fact_checker").contains("checked"));
  }

  @Test
  void schemaViolation_pastTheRepairLimit_failsTheTask_namingTheViolation() throws Exception {
    llm.on(
        TaskKind.CRITIQUE_OUTLINE,
        text("{\"score\": 42, \"verdict\": \"accept\", \"issues\": []}"));

    Run run = runBook(config(), 2);

    assertThat(run.state()).isEqualTo(RunState.FAILED);
    assertThat(llm.calls(TaskKind.CRITIQUE_OUTLINE)).isEqualTo(3);
    assertThat(run.reason().orElseThrow())
        .contains("schema_violation")
        .contains("after 2 repair attempt(s)")
        .contains("score");
    assertThat(store.events(run.id()))
        .filteredOn(e -> e.kind().equals(RunEvent.SCHEMA_VIOLATION))
        .hasSize(3);
  }

  @Test
  void malformedJson_andWrongChapterCount_areViolations() throws Exception {
    llm.on(
        TaskKind.OUTLINE,
        text("Sure! {\"title\": "),
        text(
            "{\"title\":\"T\",\"chapters\":[{\"number\":1,\"title\":\"One\",\"summary\":\"Only one"
                + " chapter here.\"}]}"),
        r -> new SimulatedLlmClient(SimulationConfig.instant(7)).complete(r));

    Run run = runBook(config(), 2);

    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    assertThat(store.events(run.id()))
        .filteredOn(e -> e.kind().equals(RunEvent.SCHEMA_VIOLATION))
        .extracting(RunEvent::detail)
        .anySatisfy(d -> assertThat(d).contains("not valid JSON"))
        .anySatisfy(d -> assertThat(d).contains("has 1 chapters, the brief asks for 2"));
  }

  @Test
  void heartbeat_keepsTheLease_ofATaskThatOutlastsIt() throws Exception {
    llm.on(
        TaskKind.PLAN,
        r -> {
          try {
            Thread.sleep(1200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return new SimulatedLlmClient(SimulationConfig.instant(7)).complete(r);
        });

    Run run = runBook(config().withLease(Duration.ofMillis(400), Duration.ofMillis(100)), 2);

    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    Task plan =
        store.tasks(run.id()).stream()
            .filter(t -> t.kind() == TaskKind.PLAN)
            .findFirst()
            .orElseThrow();
    assertThat(plan.claims()).as("never reclaimed while its worker heartbeats").isEqualTo(1);
    assertThat(llm.calls(TaskKind.PLAN)).isEqualTo(1);
  }

  /**
   * The process "dies" after a model call was recorded but before its result was used: the store
   * refuses the completion once (as if the process had been killed there), the lease expires, and
   * another worker takes the task over. The recorded answer is replayed: one call, one ledger row.
   */
  @Test
  void crashBetweenACallAndTheUseOfItsResult_leavesExactlyOneLedgerRow() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean crashed =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.function.UnaryOperator<org.bookcreator.core.store.Store> crashOnce =
        real ->
            failing(
                real,
                "complete",
                args ->
                    real.task((String) args[0]).orElseThrow().kind() == TaskKind.PLAN
                        && crashed.compareAndSet(false, true),
                new org.bookcreator.core.store.StoreException(
                    "simulated crash before the result was used"));

    Run run =
        runBook(config().withLease(Duration.ofMillis(300), Duration.ofMillis(100)), 2, crashOnce);

    assertThat(crashed).isTrue();
    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    Task plan =
        store.tasks(run.id()).stream()
            .filter(t -> t.kind() == TaskKind.PLAN)
            .findFirst()
            .orElseThrow();
    assertThat(plan.claims()).as("taken over after the lost lease").isEqualTo(2);
    assertThat(llm.calls(TaskKind.PLAN)).as("the model was called once").isEqualTo(1);
    assertThat(store.calls(run.id())).filteredOn(c -> c.taskId().equals(plan.id())).hasSize(1);
  }

  /**
   * The disk fills up as a worker records a finished task: the pipeline stops at once, the awaited
   * run's completion fails with the full disk (so the command exits instead of waiting forever),
   * and the run stays as the store last recorded it, to finish on the next start.
   */
  @Test
  void aFullDisk_stopsThePipeline_andTheRunFinishesOnTheNextStart() throws Exception {
    DiskFullException full =
        DiskFullException.in(dir, new java.io.IOException("No space left on device"));
    java.util.function.UnaryOperator<org.bookcreator.core.store.Store> fillsUp =
        real ->
            failing(
                real,
                "complete",
                args -> real.task((String) args[0]).orElseThrow().kind() == TaskKind.OUTLINE,
                full);

    assertThatThrownBy(() -> runBook(config(), 2, fillsUp))
        .isInstanceOf(java.util.concurrent.ExecutionException.class)
        .hasCause(full);

    assertThat(pipeline.halted()).isCompletedWithValue(full);
    pipeline.close();
    Run stopped = store.runs(Optional.empty()).getFirst();
    assertThat(stopped.state()).isEqualTo(RunState.RUNNING);
    assertThat(store.tasks(stopped.id()))
        .filteredOn(t -> t.kind() == TaskKind.OUTLINE)
        .noneMatch(t -> t.state() == TaskState.FAILED);
    pipeline =
        new Pipeline(
            store,
            llm,
            PriceTable.defaults(),
            config(),
            telemetry,
            InstantSource.system(),
            Ids.system(),
            new Random(1));
    pipeline.start(true);
    Run resumed = pipeline.completion(stopped.id()).get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(resumed.state()).isEqualTo(RunState.COMPLETED);
  }

  @Test
  void anIdlePool_looksAtTheQueueLessOftenTheLongerItStaysEmpty() throws Exception {
    store = SqliteStore.open(dir.resolve("data"), true);
    java.util.concurrent.atomic.AtomicInteger claims =
        new java.util.concurrent.atomic.AtomicInteger();
    org.bookcreator.core.store.Store counting =
        watched(
            store,
            (method, args) -> {
              if (method.equals("claim")) claims.incrementAndGet();
            });
    pipeline = pipeline(counting, config().withWorkers(8));
    pipeline.start();

    Thread.sleep(3000);

    // Polling every 50 ms, 8 idle workers would look 480 times in 3 s; backing off to one look a
    // second, about 8 x 7.
    assertThat(claims.get()).isBetween(8, 120);
  }

  /** The store, but its method {@code name} throws {@code failure} when {@code when} says so. */
  private static org.bookcreator.core.store.Store failing(
      org.bookcreator.core.store.Store real,
      String name,
      java.util.function.Predicate<Object[]> when,
      RuntimeException failure) {
    return watched(
        real,
        (method, args) -> {
          if (method.equals(name) && when.test(args)) throw failure;
        });
  }

  /** The store, with {@code before} told of each call (method name, arguments) before it runs. */
  private static org.bookcreator.core.store.Store watched(
      org.bookcreator.core.store.Store real,
      java.util.function.BiConsumer<String, Object[]> before) {
    return (org.bookcreator.core.store.Store)
        java.lang.reflect.Proxy.newProxyInstance(
            PipelineTest.class.getClassLoader(),
            new Class<?>[] {org.bookcreator.core.store.Store.class},
            (proxy, method, args) -> {
              before.accept(method.getName(), args);
              try {
                return method.invoke(real, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void perRoleModels_routeEachRolesCalls() throws Exception {
    Run run =
        runBook(
            config()
                .withRoleModels(
                    java.util.Map.of(org.bookcreator.core.run.AgentRole.CRITIC, "sim-large")),
            2);

    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    assertThat(store.calls(run.id()))
        .allSatisfy(
            c ->
                assertThat(c.model())
                    .isEqualTo(
                        c.role() == org.bookcreator.core.run.AgentRole.CRITIC
                            ? "sim-large"
                            : "sim-standard"));
    assertThat(store.calls(run.id())).anySatisfy(c -> assertThat(c.model()).isEqualTo("sim-large"));
  }

  @Test
  void ledger_hasOneRowPerCall_withUniqueIds() throws Exception {
    Run run = runBook(config(), 3);

    List<LedgerEntry> calls = store.calls(run.id());
    assertThat(calls).hasSize(llm.requests.size());
    assertThat(calls.stream().map(LedgerEntry::callId).distinct().count()).isEqualTo(calls.size());
    assertThat(calls).allMatch(c -> c.costUsd().isPresent() && c.priceVersion().isPresent());
  }
}
