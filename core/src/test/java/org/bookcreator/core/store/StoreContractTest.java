package org.bookcreator.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bookcreator.core.cost.CallPrompt;
import org.bookcreator.core.cost.CallTranscript;
import org.bookcreator.core.cost.CategoryStats;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.cost.PendingCall;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.cost.UnpricedModel;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.RestartPlan;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.run.TaskState;
import org.bookcreator.core.run.Transition;
import org.bookcreator.core.support.IllegalTransitionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Store} must have. Each adapter extends this class and says how to open
 * a fresh, empty store; SqliteStore passes it today, PostgresStore will have to.
 */
public abstract class StoreContractTest {
  protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  protected Store store;

  /**
   * {@code text} as the store gives it back: as written, unless the engine cannot hold some
   * character (PostgreSQL's text holds no NUL) and says what it keeps instead.
   */
  protected String asStored(String text) {
    return text;
  }

  /** A new, empty store. */
  protected abstract Store openStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = openStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  public static Project aProject(String id) {
    return new Project(
        id,
        "Title " + id,
        "fiction",
        Optional.of("everyone"),
        "A brief.",
        3,
        Optional.of(new BigDecimal("4.50")),
        List.of("/tmp/ref.md"),
        T0);
  }

  /** A finished span of run {@code runId}, in trace {@code traceId}. */
  public static org.bookcreator.telemetry.SpanRecord aSpan(String traceId, String runId) {
    return new org.bookcreator.telemetry.SpanRecord(
        traceId,
        "s1",
        Optional.empty(),
        Optional.of(runId),
        "run",
        "internal",
        1,
        9,
        "ok",
        Optional.empty(),
        Map.of("k", "v"));
  }

  protected Run aRunningRun(String projectId, String runId) {
    if (store.project(projectId).isEmpty()) store.createProject(aProject(projectId));
    store.createRun(runId, projectId, 7, "test", T0);
    return store.transitionRun(runId, RunState.QUEUED, RunState.RUNNING, "started", T0);
  }

  private static TaskSpec spec(String key) {
    return new TaskSpec(key, Stage.OUTLINE, TaskKind.OUTLINE, "{\"k\":\"" + key + "\"}");
  }

  @Test
  void project_roundTrips_withEveryField() {
    Project p = aProject("p1");

    store.createProject(p);

    assertThat(store.project("p1")).contains(p);
    assertThat(store.projects()).containsExactly(p);
    assertThat(store.project("nope")).isEmpty();
  }

  @Test
  void createRun_startsQueued_withAllStagesPending_andNumbersRunsPerProject() {
    store.createProject(aProject("p1"));

    Run first = store.createRun("r1", "p1", 1, "first", T0);
    store.transitionRun("r1", RunState.QUEUED, RunState.CANCELLED, "replaced", T0);
    Run second = store.createRun("r2", "p1", 1, "retry", T0.plusSeconds(1));

    assertThat(first.state()).isEqualTo(RunState.QUEUED);
    assertThat(first.number()).isEqualTo(1);
    assertThat(second.number()).isEqualTo(2);
    assertThat(store.stages("r1"))
        .hasSize(Stage.values().length)
        .allMatch(s -> s.state() == StageState.PENDING);
    assertThat(store.runs(Optional.of("p1"))).extracting(Run::id).containsExactly("r1", "r2");
    assertThat(store.history("r1"))
        .first()
        .satisfies(
            t -> {
              assertThat(t.to()).isEqualTo("QUEUED");
              assertThat(t.reason()).isEqualTo("first");
            });
  }

  @Test
  void createRun_whileTheProjectHasAnOpenRun_isRefused_andAllowedOnceItEnds() {
    aRunningRun("p1", "r1");
    store.transitionRun("r1", RunState.RUNNING, RunState.PAUSED, "budget", T0);

    assertThatThrownBy(() -> store.createRun("r2", "p1", 1, "second", T0))
        .isInstanceOf(OpenRunExistsException.class)
        .hasMessageContaining("project p1 already has run r1 (paused)")
        .satisfies(e -> assertThat(((OpenRunExistsException) e).openRunId()).isEqualTo("r1"));
    assertThat(store.runs(Optional.of("p1"))).extracting(Run::id).containsExactly("r1");

    store.transitionRun("r1", RunState.PAUSED, RunState.CANCELLED, "give up", T0);
    assertThat(store.createRun("r2", "p1", 1, "second", T0).state()).isEqualTo(RunState.QUEUED);
  }

  @Test
  void reopeningAFailedRun_whileAnotherRunOfItsProjectIsOpen_isRefused() {
    aRunningRun("p1", "r1");
    store.transitionRun("r1", RunState.RUNNING, RunState.FAILED, "broke", T0);
    store.createRun("r2", "p1", 1, "second", T0);
    Run failed = store.run("r1").orElseThrow();

    assertThatThrownBy(
            () -> store.transitionRun("r1", RunState.FAILED, RunState.RUNNING, "resume", T0))
        .isInstanceOf(OpenRunExistsException.class)
        .hasMessageContaining("already has run r2");
    assertThatThrownBy(
            () ->
                store.applyRestart(
                    new RestartPlan(
                        failed,
                        Optional.empty(),
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of(),
                        Optional.of(new BigDecimal("9"))),
                    "restart",
                    T0))
        .isInstanceOf(OpenRunExistsException.class);
    assertThat(store.run("r1").orElseThrow().state()).isEqualTo(RunState.FAILED);
    assertThat(store.project("p1").orElseThrow().budgetUsd())
        .as("the refused restart changed no budget")
        .contains(new BigDecimal("4.50"));
  }

  @Test
  void applyRestart_withABudget_setsItInTheSameTransaction() {
    aRunningRun("p1", "r1");
    store.transitionRun("r1", RunState.RUNNING, RunState.PAUSED, "budget", T0);
    Run paused = store.run("r1").orElseThrow();

    store.applyRestart(
        new RestartPlan(
            paused,
            Optional.empty(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            Optional.of(new BigDecimal("12.25"))),
        "raised",
        T0);

    assertThat(store.run("r1").orElseThrow().state()).isEqualTo(RunState.RUNNING);
    assertThat(store.project("p1").orElseThrow().budgetUsd()).contains(new BigDecimal("12.25"));
  }

  @Test
  void createRun_fromManyThreadsAndInstances_opensExactlyOneRunPerProject() throws Exception {
    Optional<Store> second = openSecondInstance();
    List<Store> stores = second.isPresent() ? List.of(store, second.get()) : List.of(store);
    try {
      for (int round = 0; round < 10; round++) {
        String project = "p" + round;
        store.createProject(aProject(project));
        CountDownLatch go = new CountDownLatch(1);
        Set<String> opened = ConcurrentHashMap.newKeySet();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
          for (int i = 0; i < 16; i++) {
            Store s = stores.get(i % stores.size());
            String runId = project + "-r" + i;
            pool.submit(
                () -> {
                  go.await();
                  try {
                    opened.add(s.createRun(runId, project, 1, "race", T0).id());
                  } catch (OpenRunExistsException e) {
                    refused.add(runId);
                  }
                  return null;
                });
          }
          go.countDown();
        }

        assertThat(opened).as("round %d", round).hasSize(1);
        assertThat(refused).hasSize(15);
        assertThat(store.runs(Optional.of(project))).hasSize(1);
      }
    } finally {
      second.ifPresent(Store::close);
    }
  }

  /**
   * A second instance of the adapter on the same database (another process would hold one), for the
   * concurrency tests; empty when the adapter cannot have two.
   */
  protected Optional<Store> openSecondInstance() throws Exception {
    return Optional.empty();
  }

  @Test
  void projectPage_filtersByCategoryAndLatestRun_newestFirst_andCountsAll() {
    for (int i = 0; i < 5; i++) {
      Project p = aProject("p" + i);
      store.createProject(
          new Project(
              p.id(),
              p.title(),
              i % 2 == 0 ? "fiction" : "technical",
              p.audience(),
              "A brief.",
              p.chapters(),
              p.budgetUsd(),
              p.references(),
              T0.plusSeconds(i)));
    }
    aRunningRun("p0", "r0");
    store.transitionRun("r0", RunState.RUNNING, RunState.COMPLETED, "done", T0);
    aRunningRun("p0", "r0b");
    aRunningRun("p2", "r2");
    store.transitionRun("r2", RunState.RUNNING, RunState.FAILED, "broke", T0);

    Page<Project> fiction =
        store.projectPage(
            new ProjectFilter(
                Optional.of("fiction"), Optional.empty(), Optional.empty(), false, 2, 0));
    Page<Project> running =
        store.projectPage(
            new ProjectFilter(
                Optional.empty(), Optional.empty(), Optional.of(RunState.RUNNING), false, 10, 0));
    Page<Project> none =
        store.projectPage(
            new ProjectFilter(Optional.empty(), Optional.empty(), Optional.empty(), true, 10, 0));
    Page<Project> second = store.projectPage(ProjectFilter.all(2, 2));

    assertThat(fiction.items()).extracting(Project::id).containsExactly("p4", "p2");
    assertThat(fiction.total()).isEqualTo(3);
    assertThat(running.items())
        .as("by the latest run only: p0's completed run is not its latest")
        .extracting(Project::id)
        .containsExactly("p0");
    assertThat(none.items()).extracting(Project::id).containsExactly("p4", "p3", "p1");
    assertThat(second.items()).extracting(Project::id).containsExactly("p2", "p1");
    assertThat(second.total()).isEqualTo(5);
    assertThat(second.offset()).isEqualTo(2);
  }

  @Test
  void runPage_latestRuns_andTotalsOfMany_readInOneGo() {
    aRunningRun("p1", "r1");
    store.recordCall(aCall("a", "r1", new BigDecimal("0.25")));
    store.recordCall(aCall("b", "r1", new BigDecimal("0.000000000001")));
    store.transitionRun("r1", RunState.RUNNING, RunState.COMPLETED, "done", T0);
    store.createRun("r2", "p1", 1, "again", T0.plusSeconds(5));
    aRunningRun("p2", "r3");

    Page<Run> queued =
        store.runPage(new RunFilter(Optional.empty(), Optional.of(RunState.QUEUED), 10, 0));
    Page<Run> ofP1 = store.runPage(new RunFilter(Optional.of("p1"), Optional.empty(), 1, 0));
    Map<String, Run> latest = store.latestRuns(List.of("p1", "p2", "missing"));
    Map<String, RunTotals> totals = store.totals(List.of("r1", "r2"));

    assertThat(queued.items()).extracting(Run::id).containsExactly("r2");
    assertThat(ofP1.items()).extracting(Run::id).containsExactly("r2");
    assertThat(ofP1.total()).isEqualTo(2);
    assertThat(latest).containsOnlyKeys("p1", "p2");
    assertThat(latest.get("p1").id()).isEqualTo("r2");
    assertThat(totals.get("r1").calls()).isEqualTo(2);
    assertThat(totals.get("r1").costUsd()).isEqualByComparingTo("0.250000000001");
    assertThat(totals.get("r1")).isEqualTo(store.totals("r1"));
    assertThat(totals.get("r2")).isEqualTo(RunTotals.ZERO);
  }

  @Test
  void runPage_filtersByCategoryStageAndSearch_andSortsByCost() {
    aRunningRun("p1", "r1");
    store.recordCall(aCall("a", "r1", new BigDecimal("0.25")));
    aRunningRun("p2", "r2");
    store.recordCall(aCall("b", "r2", new BigDecimal("0.75")));
    store.transitionStage(
        "r2", Stage.OUTLINE, StageState.PENDING, StageState.RUNNING, Optional.empty(), 0, "go", T0);
    aRunningRun("p%_", "r3");

    Page<Run> byCost =
        store.runPage(filter(Optional.empty(), Optional.empty(), RunFilter.Sort.COST, false));
    Page<Run> cheapest =
        store.runPage(filter(Optional.empty(), Optional.empty(), RunFilter.Sort.COST, true));
    Page<Run> inOutline =
        store.runPage(
            filter(Optional.of(Stage.OUTLINE), Optional.empty(), RunFilter.Sort.STARTED, false));
    Page<Run> byTitle =
        store.runPage(
            filter(Optional.empty(), Optional.of("title P2"), RunFilter.Sort.STARTED, false));
    Page<Run> byId =
        store.runPage(filter(Optional.empty(), Optional.of("r3"), RunFilter.Sort.STARTED, false));
    Page<Run> wildcard =
        store.runPage(filter(Optional.empty(), Optional.of("%_"), RunFilter.Sort.STARTED, false));

    assertThat(byCost.items()).extracting(Run::id).containsExactly("r2", "r1", "r3");
    assertThat(cheapest.items()).extracting(Run::id).containsExactly("r3", "r1", "r2");
    assertThat(inOutline.items()).extracting(Run::id).containsExactly("r2");
    assertThat(byTitle.items()).extracting(Run::id).containsExactly("r2");
    assertThat(byId.items()).extracting(Run::id).containsExactly("r3");
    assertThat(wildcard.items()).extracting(Run::id).containsExactly("r3");
    assertThat(wildcard.total()).isEqualTo(1);
  }

  @Test
  void categoryStats_areKeptAsRunsEnd_andAsTheCostOfACompletedRunChanges() {
    aRunningRun("p1", "r1");
    store.recordCall(aCall("c1", "r1", new BigDecimal("0.25")));
    store.transitionStage(
        "r1",
        Stage.ASSEMBLY,
        StageState.PENDING,
        StageState.RUNNING,
        Optional.empty(),
        0,
        "go",
        T0);
    store.transitionStage(
        "r1",
        Stage.ASSEMBLY,
        StageState.RUNNING,
        StageState.COMPLETED,
        Optional.of("{\"words\":1200}"),
        1,
        "bound",
        T0.plusSeconds(50));
    store.transitionRun("r1", RunState.RUNNING, RunState.COMPLETED, "done", T0.plusSeconds(60));
    // After the run ended: a late call and a repricing move its cost, and so the category's.
    store.recordCall(aCall("c2", "r1", new BigDecimal("0.5")));
    store.applyRepricing(
        List.of(
            new org.bookcreator.core.cost.Repricing.Change(
                "c1",
                Optional.of(new BigDecimal("0.25")),
                Optional.of("simulated/sim-standard@2025-01-01"),
                Optional.of(new BigDecimal("0.75")),
                Optional.of("v2"))),
        "new prices",
        T0);
    aRunningRun("p2", "r2");
    store.transitionRun("r2", RunState.RUNNING, RunState.FAILED, "broke", T0.plusSeconds(9));
    aRunningRun("p3", "r3");

    List<CategoryStats> stats = store.categoryStats();

    assertThat(stats).hasSize(1);
    CategoryStats fiction = stats.get(0);
    assertThat(fiction.category()).isEqualTo("fiction");
    assertThat(fiction.projects()).isEqualTo(3);
    assertThat(fiction.activeRuns()).isEqualTo(1);
    assertThat(fiction.completedRuns()).isEqualTo(1);
    assertThat(fiction.failedRuns()).isEqualTo(1);
    assertThat(fiction.averageCompletionSeconds()).isEqualTo(60.0);
    assertThat(fiction.completedCostUsd()).isEqualByComparingTo("1.25");
    assertThat(fiction.completedWords()).isEqualTo(1200);
  }

  private static RunFilter filter(
      Optional<Stage> stage, Optional<String> search, RunFilter.Sort sort, boolean ascending) {
    return new RunFilter(
        Optional.empty(),
        Optional.empty(),
        Optional.of("fiction"),
        stage,
        search,
        sort,
        ascending,
        10,
        0);
  }

  @Test
  void leasedTasks_areTheTasksWorkersHold() {
    aRunningRun("p1", "r1");
    store.enqueue("t1", "r1", spec("a"), T0);
    store.enqueue("t2", "r1", spec("b"), T0);
    store.claim("w1", T0, T0.plusSeconds(30));

    List<Task> leased = store.leasedTasks(10);

    assertThat(leased).hasSize(1);
    assertThat(leased.get(0).leaseOwner()).contains("w1");
    assertThat(leased.get(0).leaseExpiresAt()).contains(T0.plusSeconds(30));
  }

  @Test
  void createRun_forUnknownProject_isRejected() {
    assertThatThrownBy(() -> store.createRun("r1", "missing", 1, "x", T0))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void transitionRun_recordsEveryMove_withTimeAndReason() {
    aRunningRun("p1", "r1");

    store.transitionRun(
        "r1", RunState.RUNNING, RunState.COMPLETED, "all stages done", T0.plusSeconds(5));

    assertThat(store.run("r1").orElseThrow().state()).isEqualTo(RunState.COMPLETED);
    List<Transition> h = store.history("r1");
    assertThat(h).extracting(Transition::to).containsExactly("QUEUED", "RUNNING", "COMPLETED");
    assertThat(h.get(2).reason()).isEqualTo("all stages done");
    assertThat(h.get(2).at()).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void transitionRun_illegalMove_isRejected_andNothingChanges() {
    aRunningRun("p1", "r1");
    store.transitionRun("r1", RunState.RUNNING, RunState.COMPLETED, "done", T0);

    assertThatThrownBy(
            () -> store.transitionRun("r1", RunState.COMPLETED, RunState.RUNNING, "again", T0))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessageContaining("COMPLETED -> RUNNING");
    assertThat(store.run("r1").orElseThrow().state()).isEqualTo(RunState.COMPLETED);
    assertThat(store.history("r1")).hasSize(3);
  }

  @Test
  void transitionRun_fromWrongState_losesTheCompareAndSet() {
    aRunningRun("p1", "r1");

    assertThatThrownBy(
            () -> store.transitionRun("r1", RunState.QUEUED, RunState.RUNNING, "twice", T0))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessageContaining("it is RUNNING");
  }

  @Test
  void transitionStage_keepsResultAndIterations_andMakesStageCurrent() {
    aRunningRun("p1", "r1");

    store.transitionStage(
        "r1",
        Stage.INTAKE,
        StageState.PENDING,
        StageState.RUNNING,
        Optional.empty(),
        0,
        "started",
        T0);
    var done =
        store.transitionStage(
            "r1",
            Stage.INTAKE,
            StageState.RUNNING,
            StageState.COMPLETED,
            Optional.of("{\"ok\":true}"),
            2,
            "plan accepted",
            T0.plusSeconds(3));

    assertThat(store.run("r1").orElseThrow().stage()).contains(Stage.INTAKE);
    assertThat(done.result()).contains("{\"ok\":true}");
    assertThat(done.iterations()).isEqualTo(2);
    assertThat(done.startedAt()).contains(T0);
    assertThat(done.finishedAt()).contains(T0.plusSeconds(3));
    assertThatThrownBy(
            () ->
                store.transitionStage(
                    "r1",
                    Stage.OUTLINE,
                    StageState.PENDING,
                    StageState.COMPLETED,
                    Optional.empty(),
                    0,
                    "skip ahead",
                    T0))
        .isInstanceOf(IllegalTransitionException.class);
  }

  @Test
  void enqueue_isIdempotentByKey() {
    aRunningRun("p1", "r1");

    Task a = store.enqueue("t1", "r1", spec("outline/draft"), T0);
    Task b = store.enqueue("t2", "r1", spec("outline/draft"), T0);

    assertThat(b.id()).isEqualTo(a.id());
    assertThat(store.tasks("r1")).hasSize(1);
    assertThat(a.state()).isEqualTo(TaskState.QUEUED);
    assertThat(a.projectId()).isEqualTo("p1");
  }

  @Test
  void taskOutcomes_leaveOutInputs_butKeepOutputsAndStates() {
    aRunningRun("p1", "r1");
    Task t = store.enqueue("t1", "r1", spec("a"), T0);
    store.claim("w1", T0, T0.plusSeconds(30));
    store.complete(t.id(), "w1", "the output", T0);

    Task outcome = store.taskOutcomes("r1").get(0);

    assertThat(outcome.input()).isEmpty();
    assertThat(outcome.output()).contains("the output");
    assertThat(outcome.state()).isEqualTo(TaskState.COMPLETED);
    assertThat(store.tasks("r1").get(0).input()).isEqualTo(t.input());
  }

  @Test
  void claim_leasesOldestRunnableTask_onlyOfRunningRuns() {
    aRunningRun("p1", "r1");
    store.createProject(aProject("p2"));
    store.createRun("r2", "p2", 1, "queued only", T0);
    store.enqueue("t1", "r1", spec("a"), T0);
    store.enqueue("t2", "r1", spec("b"), T0);
    store.enqueue("t3", "r2", spec("c"), T0);

    Task first = store.claim("w1", T0, T0.plusSeconds(30)).orElseThrow();
    Task second = store.claim("w2", T0, T0.plusSeconds(30)).orElseThrow();
    Optional<Task> none = store.claim("w3", T0, T0.plusSeconds(30));

    assertThat(first.key()).isEqualTo("a");
    assertThat(first.state()).isEqualTo(TaskState.LEASED);
    assertThat(first.leaseOwner()).contains("w1");
    assertThat(first.claims()).isEqualTo(1);
    assertThat(second.key()).isEqualTo("b");
    assertThat(none).isEmpty();
  }

  @Test
  void claim_respectsBackoff_untilNotBefore() {
    aRunningRun("p1", "r1");
    Task t = store.enqueue("t1", "r1", spec("a"), T0);
    store.claim("w1", T0, T0.plusSeconds(30));
    store.retry(t.id(), "w1", "rate_limited", "429", T0.plusSeconds(10), T0);

    assertThat(store.claim("w1", T0.plusSeconds(9), T0.plusSeconds(60))).isEmpty();
    Task again = store.claim("w1", T0.plusSeconds(10), T0.plusSeconds(60)).orElseThrow();
    assertThat(again.attempt()).isEqualTo(1);
    assertThat(again.errorType()).contains("rate_limited");
  }

  @Test
  void expiredLease_isReclaimed_andOldHolderIsFencedOut() {
    aRunningRun("p1", "r1");
    Task t = store.enqueue("t1", "r1", spec("a"), T0);
    Task first = store.claim("w1", T0, T0.plusMillis(30_005)).orElseThrow();
    store.openCall(sent(first, 0, "0.0001")); // w1's call, never answered

    assertThat(store.claim("w2", T0.plusSeconds(29), T0.plusSeconds(60))).isEmpty();
    Task reclaimed = store.claim("w2", T0.plusSeconds(31), T0.plusSeconds(61)).orElseThrow();

    assertThat(reclaimed.leaseOwner()).contains("w2");
    assertThat(reclaimed.claims()).isEqualTo(2);
    assertThat(reclaimed.attempt()).isZero();
    assertThat(store.renewLease(t.id(), "w1", T0.plusSeconds(90))).isFalse();
    assertThat(store.complete(t.id(), "w1", "late", T0.plusSeconds(32))).isFalse();
    assertThat(store.complete(t.id(), "w2", "on time", T0.plusSeconds(32))).isTrue();
    Task done = store.task(t.id()).orElseThrow();
    assertThat(done.state()).isEqualTo(TaskState.COMPLETED);
    assertThat(done.output()).contains("on time");
    assertThat(store.history("r1"))
        .anySatisfy(
            h ->
                assertThat(h.reason())
                    .isEqualTo("reclaimed by w2: lease of w1 expired at " + T0.plusMillis(30_005)));
    assertThat(store.history("r1"))
        .filteredOn(h -> h.entity().equals("task"))
        .extracting(h -> h.from() + ">" + h.to())
        .containsExactly("null>QUEUED", "QUEUED>LEASED", "LEASED>LEASED", "LEASED>COMPLETED");
    assertThat(store.costReport(CostQuery.all(List.of())).get(0).interruptedCalls())
        .as("the call w1 left open")
        .isEqualTo(1);
  }

  /** The reason names the lease's end as Instant prints it: whole seconds without a fraction. */
  @Test
  void aReclaim_namesTheLeaseItTookOver() {
    aRunningRun("p1", "r1");
    store.enqueue("t1", "r1", spec("a"), T0);
    store.claim("w1", T0, T0.plusSeconds(30));

    store.claim("w2", T0.plusSeconds(31), T0.plusSeconds(61)).orElseThrow();
    store.claim("w3", T0.plusSeconds(62), T0.plusSeconds(92)).orElseThrow();

    assertThat(store.history("r1"))
        .filteredOn(h -> h.reason().startsWith("reclaimed by"))
        .extracting(Transition::reason)
        .containsExactly(
            "reclaimed by w2: lease of w1 expired at " + T0.plusSeconds(30),
            "reclaimed by w3: lease of w2 expired at " + T0.plusSeconds(61));
  }

  @Test
  void releaseLeases_requeuesLeasedTasks_withoutCountingAnAttempt() {
    aRunningRun("p1", "r1");
    Task t = store.enqueue("t1", "r1", spec("a"), T0);
    store.claim("dead-worker", T0, T0.plusSeconds(300));

    int released = store.releaseLeases("process gone", T0.plusSeconds(1));

    assertThat(released).isEqualTo(1);
    Task again = store.claim("w2", T0.plusSeconds(1), T0.plusSeconds(30)).orElseThrow();
    assertThat(again.id()).isEqualTo(t.id());
    assertThat(again.attempt()).isZero();
    assertThat(store.history("r1"))
        .anySatisfy(h -> assertThat(h.reason()).contains("process gone").contains("dead-worker"));
  }

  @Test
  void renewLease_extendsTheLease_soItIsNotReclaimed() {
    aRunningRun("p1", "r1");
    Task t = store.enqueue("t1", "r1", spec("a"), T0);
    store.claim("w1", T0, T0.plusSeconds(30));

    assertThat(store.renewLease(t.id(), "w1", T0.plusSeconds(90))).isTrue();

    assertThat(store.claim("w2", T0.plusSeconds(60), T0.plusSeconds(120))).isEmpty();
  }

  @Test
  void fail_and_cancelOpenTasks_endTasks() {
    aRunningRun("p1", "r1");
    Task a = store.enqueue("t1", "r1", spec("a"), T0);
    store.enqueue("t2", "r1", spec("b"), T0);
    store.claim("w1", T0, T0.plusSeconds(30));

    assertThat(store.fail(a.id(), "w1", "authentication", "bad key", T0)).isTrue();
    assertThat(store.cancelOpenTasks("r1", "run failed", T0)).isEqualTo(1);

    assertThat(store.tasks("r1"))
        .extracting(Task::state)
        .containsExactly(TaskState.FAILED, TaskState.CANCELLED);
    assertThat(store.task(a.id()).orElseThrow().error()).contains("bad key");
    assertThat(store.fail(a.id(), "w1", "x", "again", T0)).isFalse();
  }

  @Test
  void concurrentClaims_neverHandTheSameTaskToTwoWorkers() throws Exception {
    aRunningRun("p1", "r1");
    for (int i = 0; i < 200; i++) store.enqueue("t" + i, "r1", spec("k" + i), T0);
    Set<String> claimed = ConcurrentHashMap.newKeySet();
    List<String> duplicates = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch done = new CountDownLatch(8);
    for (int w = 0; w < 8; w++) {
      String worker = "w" + w;
      pool.submit(
          () -> {
            try {
              Optional<Task> t;
              while ((t = store.claim(worker, T0, T0.plusSeconds(30))).isPresent()) {
                if (!claimed.add(t.get().id()))
                  synchronized (duplicates) {
                    duplicates.add(t.get().id());
                  }
              }
            } finally {
              done.countDown();
            }
          });
    }
    done.await();
    pool.shutdown();

    assertThat(duplicates).isEmpty();
    assertThat(claimed).hasSize(200);
  }

  /**
   * Workers of two instances reclaim the tasks of a worker that died holding them all: each task is
   * taken over once, its history says so once, and each call the dead worker left open is counted
   * interrupted once.
   */
  @Test
  void concurrentReclaims_takeEachExpiredLeaseOnce_andInterruptItsCallsOnce() throws Exception {
    aRunningRun("p1", "r1");
    int n = 60;
    for (int i = 0; i < n; i++) store.enqueue("t" + i, "r1", spec("k" + i), T0);
    for (int i = 0; i < n; i++) {
      store.openCall(sent(store.claim("dead", T0, T0.plusSeconds(30)).orElseThrow(), 0, "0.0001"));
    }
    Optional<Store> second = openSecondInstance();
    List<Store> stores = second.isPresent() ? List.of(store, second.get()) : List.of(store);
    List<String> claimed = java.util.Collections.synchronizedList(new ArrayList<>());
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      CountDownLatch go = new CountDownLatch(1);
      for (int w = 0; w < 8; w++) {
        Store s = stores.get(w % stores.size());
        String worker = "w" + w;
        pool.submit(
            () -> {
              go.await();
              Optional<Task> t;
              while ((t = s.claim(worker, T0.plusSeconds(31), T0.plusSeconds(90))).isPresent()) {
                claimed.add(t.get().id());
              }
              return null;
            });
      }
      go.countDown();
    } finally {
      second.ifPresent(Store::close);
    }

    assertThat(claimed).hasSize(n).doesNotHaveDuplicates();
    assertThat(store.history("r1"))
        .filteredOn(h -> h.reason().startsWith("reclaimed by w"))
        .extracting(Transition::entityId)
        .hasSize(n)
        .doesNotHaveDuplicates();
    assertThat(store.costReport(CostQuery.all(List.of())).get(0).interruptedCalls()).isEqualTo(n);
  }

  protected static LedgerEntry aCall(String callId, String runId, BigDecimal cost) {
    return aCall(callId, runId, "simulated", "sim-standard", cost, T0);
  }

  protected static LedgerEntry aCall(
      String callId, String runId, String provider, String model, BigDecimal cost, Instant at) {
    return new LedgerEntry(
        callId,
        "p1",
        runId,
        "t1",
        Stage.OUTLINE,
        AgentRole.PLANNER,
        0,
        provider,
        model,
        new Usage(100, 50, 10, 5, 0),
        Optional.ofNullable(cost),
        Optional.ofNullable(cost == null ? null : "simulated/sim-standard@2025-01-01"),
        12,
        LedgerEntry.OK,
        Optional.empty(),
        Optional.of("{\"answer\":1}"),
        at);
  }

  @Test
  void recordCall_isIdempotentByCallId_andKeepsTheResponse() {
    aRunningRun("p1", "r1");

    boolean first = store.recordCall(aCall("c1", "r1", new BigDecimal("0.000350000000")));
    boolean second = store.recordCall(aCall("c1", "r1", new BigDecimal("9")));

    assertThat(first).isTrue();
    assertThat(second).isFalse();
    LedgerEntry e = store.call("c1").orElseThrow();
    assertThat(e.costUsd()).contains(new BigDecimal("0.000350000000"));
    assertThat(e.response()).contains("{\"answer\":1}");
    assertThat(e.usage()).isEqualTo(new Usage(100, 50, 10, 5, 0));
    assertThat(store.calls("r1")).hasSize(1);
  }

  /** The row a worker writes before sending a call, as {@code AgentExecutor} does. */
  private static PendingCall sent(Task held, int call, String estimate) {
    return new PendingCall(
        held.id() + "/a" + held.attempt() + "/k" + held.claims() + "/c" + call,
        held.id() + "/a" + held.attempt() + "/c" + call,
        "p1",
        held.runId(),
        held.id(),
        Stage.OUTLINE,
        AgentRole.PLANNER,
        held.attempt(),
        held.claims(),
        held.leaseOwner().orElseThrow(),
        "simulated",
        "sim-standard",
        400,
        Optional.ofNullable(estimate).map(BigDecimal::new),
        T0);
  }

  /** The answer to a call {@link #sent} wrote. */
  private static LedgerEntry answer(PendingCall c, String cost) {
    LedgerEntry e = aCall(c.callId(), c.runId(), new BigDecimal(cost));
    return new LedgerEntry(
        e.callId(),
        e.projectId(),
        e.runId(),
        c.taskId(),
        e.stage(),
        e.role(),
        e.attempt(),
        e.provider(),
        e.model(),
        e.usage(),
        e.costUsd(),
        e.priceVersion(),
        e.latencyMs(),
        e.outcome(),
        e.errorType(),
        e.response(),
        T0.plusSeconds(5));
  }

  @Test
  void writeAheadCall_isPendingUntilAnswered_thenReplayableByItsLogicalId() {
    aRunningRun("p1", "r1");
    store.enqueue("t1", "r1", spec("a"), T0);
    Task held = store.claim("w1", T0, T0.plusSeconds(30)).orElseThrow();
    PendingCall c = sent(held, 0, "0.0001");

    store.openCall(c);
    store.openCall(c);

    assertThat(store.call(c.callId()).orElseThrow().outcome()).isEqualTo(LedgerEntry.PENDING);
    assertThat(store.answeredCall(c.logicalId())).as("nothing to replay yet").isEmpty();
    assertThat(store.totals("r1").unpricedCalls()).as("pending is not unpriced").isZero();
    assertThat(store.completeCall(answer(c, "0.25"))).isEqualTo(LedgerEntry.OK);
    assertThat(store.completeCall(answer(c, "9")))
        .as("a second answer changes nothing")
        .isEqualTo("ok");
    LedgerEntry replay = store.answeredCall(c.logicalId()).orElseThrow();
    assertThat(replay.callId()).isEqualTo(c.callId());
    assertThat(replay.costUsd()).contains(new BigDecimal("0.250000000000"));
    assertThat(replay.response()).contains("{\"answer\":1}");
    assertThat(store.calls("r1")).hasSize(1);
  }

  @Test
  void transcript_keepsEachCallsPromptBesideItsAnswer_oldestFirst_onlyForTheTask() {
    aRunningRun("p1", "r1");
    store.enqueue("t1", "r1", spec("a"), T0);
    store.enqueue("t2", "r1", spec("b"), T0);
    Task held = store.claim("w1", T0, T0.plusSeconds(30)).orElseThrow();
    String hostile = "[user]\n<script>alert(1)</script> \u00e9t\u00e9 \ud83d\udcd6";
    // Sent one after another: each after the previous one's answer (at T0 + 5 s).
    PendingCall first = withPrompt(sent(held, 0, "0.0001"), new CallPrompt(hostile, 70_000), T0);
    PendingCall second =
        withPrompt(sent(held, 1, null), new CallPrompt("[user]\nagain", 13), T0.plusSeconds(10));
    PendingCall bare = sent(held, 2, null);

    store.openCall(first);
    store.openCall(first);
    store.completeCall(answer(first, "0.25"));
    store.openCall(second);
    store.openCall(withoutPrompt(bare, T0.plusSeconds(11)));

    List<CallTranscript> calls = store.transcript(held.id());
    assertThat(calls)
        .extracting(c -> c.call().callId())
        .containsExactly(first.callId(), second.callId(), bare.callId());
    assertThat(calls.get(0).prompt()).contains(new CallPrompt(hostile, 70_000));
    assertThat(calls.get(0).prompt().orElseThrow().truncated()).isTrue();
    assertThat(calls.get(0).call().response()).contains("{\"answer\":1}");
    assertThat(calls.get(0).call().outcome()).isEqualTo(LedgerEntry.OK);
    assertThat(calls.get(1).prompt()).contains(new CallPrompt("[user]\nagain", 13));
    assertThat(calls.get(1).call().outcome()).isEqualTo(LedgerEntry.PENDING);
    assertThat(calls.get(1).call().response()).isEmpty();
    assertThat(calls.get(2).prompt()).as("a call recorded without its prompt").isEmpty();
    String other = held.id().equals("t1") ? "t2" : "t1";
    assertThat(store.transcript(other)).isEmpty();
    assertThat(store.transcript("no-such-task")).isEmpty();
  }

  private static PendingCall withoutPrompt(PendingCall c, Instant at) {
    return with(c, Optional.empty(), at);
  }

  private static PendingCall withPrompt(PendingCall c, CallPrompt prompt, Instant at) {
    return with(c, Optional.of(prompt), at);
  }

  private static PendingCall with(PendingCall c, Optional<CallPrompt> prompt, Instant at) {
    return new PendingCall(
        c.callId(),
        c.logicalId(),
        c.projectId(),
        c.runId(),
        c.taskId(),
        c.stage(),
        c.role(),
        c.attempt(),
        c.claim(),
        c.worker(),
        c.provider(),
        c.model(),
        c.estInputTokens(),
        c.estCostUsd(),
        at,
        prompt);
  }

  @Test
  void lateAnswer_ofAWorkerWhoseLeaseWasReclaimed_isRecordedAsWasted_notDropped() {
    aRunningRun("p1", "r1");
    store.enqueue("t1", "r1", spec("a"), T0);
    Task first = store.claim("w1", T0, T0.plusSeconds(30)).orElseThrow();
    PendingCall late = sent(first, 0, "0.0001");
    store.openCall(late);

    Task second = store.claim("w2", T0.plusSeconds(31), T0.plusSeconds(61)).orElseThrow();
    assertThat(store.call(late.callId()).orElseThrow().outcome())
        .as("taking the task interrupts what its old holder sent")
        .isEqualTo(LedgerEntry.INTERRUPTED);
    PendingCall fresh = sent(second, 0, "0.0001");
    assertThat(fresh.logicalId()).isEqualTo(late.logicalId());
    assertThat(fresh.callId()).isNotEqualTo(late.callId());
    store.openCall(fresh);
    assertThat(store.completeCall(answer(fresh, "0.5"))).isEqualTo(LedgerEntry.OK);
    assertThat(store.completeCall(answer(late, "0.25"))).isEqualTo(LedgerEntry.WASTED);

    assertThat(store.calls("r1")).hasSize(2);
    assertThat(store.answeredCall(late.logicalId()).orElseThrow().callId())
        .isEqualTo(fresh.callId());
    org.bookcreator.core.cost.CostLine total =
        store.costReport(org.bookcreator.core.cost.CostQuery.all(List.of())).get(0);
    assertThat(total.calls()).isEqualTo(2);
    assertThat(total.costUsd()).as("both were paid").isEqualByComparingTo("0.75");
    assertThat(total.wastedCalls()).isEqualTo(1);
    assertThat(total.wastedCostUsd()).isEqualByComparingTo("0.25");
    assertThat(total.interruptedCalls()).isZero();
  }

  @Test
  void callsNeverAnswered_areInterrupted_withTheirEstimateAsTheirOwnFigure() {
    aRunningRun("p1", "r1");
    store.enqueue("t1", "r1", spec("a"), T0);
    store.enqueue("t2", "r1", spec("b"), T0);
    Task a = store.claim("w1", T0, T0.plusSeconds(30)).orElseThrow();
    Task b = store.claim("w2", T0, T0.plusSeconds(30)).orElseThrow();
    store.openCall(sent(a, 0, "0.000100000001"));
    store.openCall(sent(b, 0, null));
    PendingCall answered = sent(b, 1, "0.0001");
    store.openCall(answered);
    store.completeCall(answer(answered, "0.25"));

    assertThat(store.interruptPendingCalls(T0.plusSeconds(60))).isEqualTo(2);

    org.bookcreator.core.cost.CostLine total =
        store.costReport(org.bookcreator.core.cost.CostQuery.all(List.of())).get(0);
    assertThat(total.calls()).isEqualTo(3);
    assertThat(total.interruptedCalls()).isEqualTo(2);
    assertThat(total.interruptedEstimatedCostUsd()).isEqualByComparingTo("0.000100000001");
    assertThat(total.costUsd())
        .as("an estimate is never added to the spend")
        .isEqualByComparingTo("0.25");
    assertThat(total.unpricedCalls()).as("interrupted is not unpriced").isZero();
    assertThat(store.callsBetween(T0, T0.plusSeconds(3600)))
        .as("repricing sees only answered calls")
        .extracting(LedgerEntry::callId)
        .containsExactly(answered.callId());
  }

  @Test
  void restart_thatTakesBackALease_interruptsTheCallsItsHolderSent() {
    aRunningRun("p1", "r1");
    store.enqueue("t1", "r1", spec("a"), T0);
    Task held = store.claim("w1", T0, T0.plusSeconds(300)).orElseThrow();
    PendingCall c = sent(held, 0, "0.0001");
    store.openCall(c);

    store.applyRestart(
        new RestartPlan(
            store.run("r1").orElseThrow(),
            Optional.empty(),
            List.of(held),
            List.of(),
            List.of(),
            List.of(),
            Optional.empty()),
        "operator restart",
        T0.plusSeconds(10));

    assertThat(store.call(c.callId()).orElseThrow().outcome()).isEqualTo(LedgerEntry.INTERRUPTED);
    assertThat(store.completeCall(answer(c, "0.25"))).isEqualTo(LedgerEntry.WASTED);
  }

  @Test
  void unpricedCall_keepsCostAbsent_neverZero() {
    aRunningRun("p1", "r1");

    store.recordCall(aCall("c1", "r1", null));

    assertThat(store.call("c1").orElseThrow().costUsd()).isEmpty();
    assertThat(store.totals("r1").unpricedCalls()).isEqualTo(1);
  }

  @Test
  void unpricedModels_groupTheCallsWithoutAPrice_withTheirFirstAndLastTimes() {
    aRunningRun("p1", "r1");
    store.recordCall(aCall("priced", "r1", new BigDecimal("0.5")));
    store.recordCall(aCall("free", "r1", BigDecimal.ZERO));
    for (int i = 0; i < 3; i++) {
      store.recordCall(
          aCall("u" + i, "r1", "openai", "llama3.1:8b", null, T0.plus(Duration.ofHours(i))));
    }
    store.recordCall(aCall("u", "r1", null));
    store.enqueue("t1", "r1", spec("a"), T0);
    store.openCall(sent(store.claim("w1", T0, T0.plusSeconds(30)).orElseThrow(), 0, null));

    assertThat(store.unpricedModels())
        .as("a call never answered has no cost, but is not unpriced")
        .containsExactly(
            new UnpricedModel("openai", "llama3.1:8b", 3, T0, T0.plus(Duration.ofHours(2))),
            new UnpricedModel("simulated", "sim-standard", 1, T0, T0));
  }

  @Test
  void totals_equalTheExactSumOfRows() {
    aRunningRun("p1", "r1");
    Random random = new Random(3);
    BigDecimal expected = BigDecimal.ZERO;
    for (int i = 0; i < 500; i++) {
      BigDecimal cost = BigDecimal.valueOf(random.nextLong(1, 5_000_000_000L), 12);
      expected = expected.add(cost);
      store.recordCall(aCall("c" + i, "r1", cost));
    }

    var totals = store.totals("r1");

    assertThat(totals.calls()).isEqualTo(500);
    assertThat(totals.costUsd()).isEqualByComparingTo(expected);
    assertThat(totals.inputTokens()).isEqualTo(500 * 115);
    assertThat(totals.outputTokens()).isEqualTo(500 * 50);
  }

  @Test
  void costReport_totalsEqualTheExactSumOfTenThousandRandomRows_inEveryGrouping() {
    aRunningRun("p1", "r1");
    store.createProject(
        new Project(
            "p2", "Other", "technical", Optional.empty(), "B", 2, Optional.empty(), List.of(), T0));
    store.createRun("r2", "p2", 1, "x", T0);
    Random random = new Random(11);
    List<LedgerEntry> rows = new ArrayList<>();
    BigDecimal expected = BigDecimal.ZERO;
    long unpriced = 0;
    Stage[] stages = Stage.values();
    for (int i = 0; i < 10_000; i++) {
      boolean priced = random.nextInt(50) != 0;
      BigDecimal cost = priced ? BigDecimal.valueOf(random.nextLong(0, 90_000_000_000L), 12) : null;
      if (priced) expected = expected.add(cost);
      else unpriced++;
      boolean first = random.nextBoolean();
      rows.add(
          new LedgerEntry(
              "c" + i,
              first ? "p1" : "p2",
              first ? "r1" : "r2",
              "t" + (i % 50),
              stages[random.nextInt(stages.length)],
              AgentRole.values()[random.nextInt(AgentRole.values().length)],
              0,
              random.nextBoolean() ? "openai" : "anthropic",
              random.nextBoolean() ? "m-a" : "m-b",
              new Usage(random.nextInt(5000), random.nextInt(2000), random.nextInt(100), 0, 0),
              Optional.ofNullable(cost),
              Optional.empty(),
              5,
              random.nextInt(20) == 0 ? LedgerEntry.ERROR : LedgerEntry.OK,
              Optional.empty(),
              Optional.empty(),
              T0.plus(Duration.ofHours(random.nextInt(72)))));
    }
    assertThat(store.recordCalls(rows)).isEqualTo(10_000);
    assertThat(store.recordCalls(rows.subList(0, 10)))
        .as("existing call ids are kept once")
        .isZero();

    for (List<org.bookcreator.core.cost.CostDimension> by :
        List.of(
            List.<org.bookcreator.core.cost.CostDimension>of(),
            List.of(org.bookcreator.core.cost.CostDimension.STAGE),
            List.of(
                org.bookcreator.core.cost.CostDimension.CATEGORY,
                org.bookcreator.core.cost.CostDimension.MODEL),
            List.of(
                org.bookcreator.core.cost.CostDimension.DAY,
                org.bookcreator.core.cost.CostDimension.AGENT,
                org.bookcreator.core.cost.CostDimension.PROVIDER))) {
      var lines = store.costReport(org.bookcreator.core.cost.CostQuery.all(by));
      var total =
          lines.stream()
              .reduce(
                  org.bookcreator.core.cost.CostLine.zero(),
                  org.bookcreator.core.cost.CostLine::plus);
      assertThat(total.costUsd()).as("grouped by %s", by).isEqualByComparingTo(expected);
      assertThat(total.calls()).isEqualTo(10_000);
      assertThat(total.unpricedCalls()).isEqualTo(unpriced);
      assertThat(lines).allSatisfy(l -> assertThat(l.keys()).hasSize(by.size()));
    }
    assertThat(
            store.costReport(
                org.bookcreator.core.cost.CostQuery.all(
                    List.of(org.bookcreator.core.cost.CostDimension.DAY))))
        .extracting(l -> l.keys().get(0))
        .containsExactly("2026-01-01", "2026-01-02", "2026-01-03");
  }

  @Test
  void costReport_filtersCombine() {
    aRunningRun("p1", "r1");
    store.createProject(
        new Project(
            "p2", "Other", "technical", Optional.empty(), "B", 2, Optional.empty(), List.of(), T0));
    store.createRun("r2", "p2", 1, "x", T0);
    store.recordCall(aCall("a", "r1", new BigDecimal("1.000000000001")));
    LedgerEntry other =
        new LedgerEntry(
            "b",
            "p2",
            "r2",
            "t",
            Stage.EDITING,
            AgentRole.EDITOR,
            0,
            "simulated",
            "sim-standard",
            Usage.of(10, 10),
            Optional.of(new BigDecimal("2")),
            Optional.empty(),
            1,
            LedgerEntry.OK,
            Optional.empty(),
            Optional.empty(),
            T0.plus(Duration.ofDays(2)));
    store.recordCall(other);

    var byCategory =
        new org.bookcreator.core.cost.CostQuery(
            Optional.empty(),
            Optional.empty(),
            Optional.of("technical"),
            Optional.empty(),
            Optional.empty(),
            List.of(org.bookcreator.core.cost.CostDimension.STAGE));
    var byTime =
        new org.bookcreator.core.cost.CostQuery(
            Optional.of("p1"),
            Optional.empty(),
            Optional.empty(),
            Optional.of(T0),
            Optional.of(T0.plusSeconds(1)),
            List.of());
    var empty =
        new org.bookcreator.core.cost.CostQuery(
            Optional.of("p1"),
            Optional.empty(),
            Optional.empty(),
            Optional.of(T0.plusSeconds(1)),
            Optional.empty(),
            List.of());

    assertThat(store.costReport(byCategory))
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.keys()).containsExactly("editing");
              assertThat(l.costUsd()).isEqualByComparingTo("2");
            });
    assertThat(store.costReport(byTime))
        .singleElement()
        .satisfies(l -> assertThat(l.costUsd()).isEqualByComparingTo("1.000000000001"));
    assertThat(store.costReport(empty))
        .singleElement()
        .satisfies(l -> assertThat(l.calls()).isZero());
  }

  @Test
  void categoryStats_countRunsByOutcome_andCostOfCompletedBooks() {
    aRunningRun("p1", "r1");
    store.recordCall(aCall("a", "r1", new BigDecimal("0.5")));
    store.transitionRun("r1", RunState.RUNNING, RunState.COMPLETED, "done", T0.plusSeconds(100));
    store.createRun("r2", "p1", 1, "again", T0);

    var stats = store.categoryStats();

    assertThat(stats)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.category()).isEqualTo("fiction");
              assertThat(c.projects()).isEqualTo(1);
              assertThat(c.completedRuns()).isEqualTo(1);
              assertThat(c.activeRuns()).isEqualTo(1);
              assertThat(c.averageCompletionSeconds()).isEqualTo(100.0);
              assertThat(c.averageCostUsd()).isEqualByComparingTo("0.5");
            });
  }

  @Test
  void forgetWorkers_removesTheNamedWorkersOnly() {
    for (String w : List.of("w1", "w2", "w3")) store.heartbeat(w, T0);

    store.forgetWorkers(List.of("w1", "w3", "never-seen"));
    store.forgetWorkers(List.of());

    assertThat(store.workerHeartbeats()).containsExactly(Map.entry("w2", T0));
  }

  /** An answered call of {@code provider} by {@code role}, with its latency and outcome. */
  private static LedgerEntry aTimedCall(
      String callId, String provider, AgentRole role, long latencyMs, String error, Instant at) {
    LedgerEntry c = aCall(callId, "r1", provider, "m", BigDecimal.ONE, at);
    return new LedgerEntry(
        c.callId(),
        c.projectId(),
        c.runId(),
        c.taskId(),
        c.stage(),
        role,
        c.attempt(),
        c.provider(),
        c.model(),
        c.usage(),
        c.costUsd(),
        c.priceVersion(),
        latencyMs,
        error == null ? LedgerEntry.OK : LedgerEntry.ERROR,
        Optional.ofNullable(error),
        c.response(),
        c.at());
  }

  @Test
  void callProfiles_fromTheLatencyRollup_areExactToABucket_ofTheRowsNearestRankQuantiles() {
    aRunningRun("p1", "r1");
    Random random = new Random(13);
    long[] bounds = LatencyBuckets.boundsMs();
    String[] providers = {"openai", "anthropic"};
    AgentRole[] roles = {AgentRole.PLANNER, AgentRole.CRITIC, AgentRole.WRITER};
    String[] errors = {null, null, null, null, null, null, "timeout", "rate_limited"};
    List<LedgerEntry> calls = new ArrayList<>();
    for (int i = 0; i < 900; i++) {
      // Latencies on the bounds, one past them, anywhere up to 15 minutes (past the last bound).
      long bound = bounds[random.nextInt(bounds.length)];
      long latency =
          switch (random.nextInt(3)) {
            case 0 -> bound;
            case 1 -> bound + 1;
            default -> random.nextLong(900_000);
          };
      calls.add(
          aTimedCall(
              "c" + i,
              providers[random.nextInt(providers.length)],
              roles[random.nextInt(roles.length)],
              latency,
              errors[random.nextInt(errors.length)],
              T0.plusMillis(random.nextLong(Duration.ofHours(60).toMillis()))));
    }
    store.recordCalls(calls);
    // Written ahead and never answered: no latency, in no profile.
    store.openCall(
        new PendingCall(
            "pending",
            "pending",
            "p1",
            "r1",
            "t1",
            Stage.OUTLINE,
            AgentRole.PLANNER,
            0,
            0,
            "w1",
            "openai",
            "m",
            400,
            Optional.empty(),
            T0.plusSeconds(7_000)));
    // Mid-hour: the hour's first part is left out, its rest read from the rows, the hours up to the
    // next UTC day from the hourly rollup, the days from the daily one.
    Instant since = T0.plus(Duration.ofMinutes(95));

    for (boolean byRole : List.of(true, false)) {
      Map<List<String>, List<LedgerEntry>> groups =
          new java.util.TreeMap<>(java.util.Comparator.comparing(Object::toString));
      for (LedgerEntry e : calls) {
        if (e.at().isBefore(since)) continue;
        List<String> key = byRole ? List.of(e.role().name()) : List.of(e.provider(), e.model());
        groups.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
      }
      List<Store.CallProfile> expected = new ArrayList<>();
      groups.forEach(
          (key, rows) -> {
            long[] sorted = rows.stream().mapToLong(LedgerEntry::latencyMs).sorted().toArray();
            Map<String, Long> byType = new java.util.HashMap<>();
            rows.forEach(e -> e.errorType().ifPresent(t -> byType.merge(t, 1L, Long::sum)));
            expected.add(
                new Store.CallProfile(
                    key,
                    rows.size(),
                    byType,
                    bucketBound(nearestRank(sorted, 50)),
                    bucketBound(nearestRank(sorted, 95)),
                    (double) java.util.Arrays.stream(sorted).sum() / sorted.length));
          });

      List<Store.CallProfile> profiles = store.callProfiles(since, byRole);

      assertThat(profiles).as("by role: %s", byRole).containsExactlyInAnyOrderElementsOf(expected);
      for (Store.CallProfile p : profiles) {
        long[] sorted =
            groups.get(p.keys()).stream().mapToLong(LedgerEntry::latencyMs).sorted().toArray();
        long p95 = nearestRank(sorted, 95);
        assertThat(LatencyBuckets.bucketOf(Math.min(p.latencyP95Ms(), bounds[bounds.length - 1])))
            .as("%s: p95 %d read as %d", p.keys(), p95, p.latencyP95Ms())
            .isEqualTo(Math.min(LatencyBuckets.bucketOf(p95), bounds.length - 1));
      }
    }
    assertThat(store.callProfiles(T0.plus(Duration.ofHours(61)), true)).isEmpty();
  }

  private static long nearestRank(long[] sorted, int percent) {
    return sorted[(int) Math.max(1, (sorted.length * (long) percent + 99) / 100) - 1];
  }

  private static long bucketBound(long latencyMs) {
    return LatencyBuckets.upperBoundMs(LatencyBuckets.bucketOf(latencyMs));
  }

  @Test
  void costReport_byProjectOrRun_fromTheRunRollup_equalsTheLedgerRows() {
    aRunningRun("p1", "r1");
    store.transitionRun("r1", RunState.RUNNING, RunState.COMPLETED, "done", T0);
    store.createRun("r2", "p1", 2, "test", T0);
    store.createProject(
        new Project(
            "p2",
            "Title p2",
            "technical",
            Optional.empty(),
            "A brief.",
            3,
            Optional.empty(),
            List.of(),
            T0));
    store.createRun("r3", "p2", 1, "test", T0);
    Random random = new Random(21);
    String[][] runs = {{"p1", "r1"}, {"p1", "r2"}, {"p2", "r3"}, {"p-unknown", "r-unknown"}};
    List<LedgerEntry> calls = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String[] run = runs[random.nextInt(runs.length)];
      boolean failed = random.nextInt(6) == 0;
      Optional<BigDecimal> cost =
          random.nextInt(8) == 0
              ? Optional.empty()
              : Optional.of(BigDecimal.valueOf(random.nextLong(1, 90_000_000_000L), 12));
      calls.add(
          new LedgerEntry(
              "c" + i,
              run[0],
              run[1],
              "t" + i,
              Stage.values()[random.nextInt(Stage.values().length)],
              AgentRole.PLANNER,
              0,
              "openai",
              "m" + random.nextInt(2),
              new Usage(
                  random.nextInt(5000),
                  random.nextInt(2000),
                  random.nextInt(100),
                  random.nextInt(9),
                  random.nextInt(7)),
              cost,
              cost.map(c -> "v1"),
              random.nextInt(4000),
              failed ? LedgerEntry.ERROR : LedgerEntry.OK,
              failed ? Optional.of("timeout") : Optional.empty(),
              Optional.empty(),
              T0.plusSeconds(random.nextInt(200_000))));
    }
    store.recordCalls(calls);
    for (int i = 0; i < 20; i++) {
      String[] run = runs[i % 3];
      PendingCall sent =
          new PendingCall(
              "w" + i,
              "w" + i,
              run[0],
              run[1],
              "tw" + i,
              Stage.OUTLINE,
              AgentRole.PLANNER,
              0,
              0,
              "w1",
              "openai",
              "m0",
              400,
              Optional.of(new BigDecimal("0.000123000001")),
              T0.plusSeconds(i));
      store.openCall(sent);
      // Half are answered (one model more, a cost), the rest interrupted below.
      if (i % 2 == 0) {
        LedgerEntry a = aCall("w" + i, run[1], "openai", "m9", new BigDecimal("0.5"), T0);
        store.completeCall(
            new LedgerEntry(
                a.callId(),
                run[0],
                run[1],
                "tw" + i,
                a.stage(),
                a.role(),
                a.attempt(),
                a.provider(),
                a.model(),
                a.usage(),
                a.costUsd(),
                a.priceVersion(),
                a.latencyMs(),
                a.outcome(),
                a.errorType(),
                a.response(),
                T0.plusSeconds(60 + i)));
      }
    }
    store.interruptPendingCalls(T0.plusSeconds(3_600));

    List<CostQuery> queries = new ArrayList<>();
    for (List<CostDimension> by :
        List.of(
            List.of(CostDimension.PROJECT),
            List.of(CostDimension.RUN),
            List.of(CostDimension.CATEGORY, CostDimension.PROJECT),
            List.of(CostDimension.PROJECT, CostDimension.RUN),
            List.<CostDimension>of())) {
      queries.add(CostQuery.all(by));
      queries.add(
          new CostQuery(
              Optional.of("p1"),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              by));
      queries.add(
          new CostQuery(
              Optional.empty(),
              Optional.of("r3"),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              by));
      queries.add(
          new CostQuery(
              Optional.empty(),
              Optional.empty(),
              Optional.of("technical"),
              Optional.empty(),
              Optional.empty(),
              by));
      queries.add(
          new CostQuery(
              Optional.of("p1' OR '1'='1"),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              by));
    }
    for (CostQuery q : queries) {
      // A time bound that holds every row makes the store sum the ledger rows themselves.
      CostQuery fromRows =
          new CostQuery(
              q.projectId(),
              q.runId(),
              q.category(),
              Optional.of(Instant.EPOCH),
              q.until(),
              q.by());

      assertThat(store.costReport(q)).as("%s", q).isEqualTo(store.costReport(fromRows));
    }
    assertThat(store.costReport(CostQuery.all(List.of(CostDimension.RUN))))
        .extracting(l -> l.keys().getFirst())
        .containsExactlyInAnyOrder("r-unknown", "r1", "r2", "r3");
    assertThat(store.costReport(CostQuery.all(List.of())).getFirst().calls()).isEqualTo(320);
  }

  @Test
  void completedIterations_countCompletedStagesOfCompletedRunsOnly_asRunsAndStagesMove() {
    aRunningRun("p1", "r1");
    completeStage("r1", Stage.STRUCTURE_CRITIQUE, 2);
    completeStage("r1", Stage.CHAPTER_WRITING, 3);
    assertThat(store.completedIterations()).as("r1 is still running").isEmpty();
    store.transitionRun("r1", RunState.RUNNING, RunState.COMPLETED, "done", T0);
    store.createRun("r2", "p1", 2, "test", T0);
    store.transitionRun("r2", RunState.QUEUED, RunState.RUNNING, "go", T0);
    completeStage("r2", Stage.STRUCTURE_CRITIQUE, 5);
    store.transitionStage(
        "r2",
        Stage.CHAPTER_WRITING,
        StageState.PENDING,
        StageState.RUNNING,
        Optional.empty(),
        0,
        "started",
        T0);
    store.createProject(
        new Project(
            "p2",
            "Title p2",
            "technical",
            Optional.empty(),
            "A brief.",
            3,
            Optional.empty(),
            List.of(),
            T0));
    aRunningRun("p2", "r3");
    completeStage("r3", Stage.STRUCTURE_CRITIQUE, 9);
    store.transitionRun("r3", RunState.RUNNING, RunState.FAILED, "broken", T0);

    store.transitionRun("r2", RunState.RUNNING, RunState.COMPLETED, "done", T0);

    assertThat(store.completedIterations())
        .as("r2's running chapter writing and the failed r3 count nowhere")
        .containsExactly(
            new Store.StageIterations("fiction", Stage.CHAPTER_WRITING.id(), 1, 3.0),
            new Store.StageIterations("fiction", Stage.STRUCTURE_CRITIQUE.id(), 2, 3.5));
  }

  private void completeStage(String runId, Stage stage, int iterations) {
    store.transitionStage(
        runId, stage, StageState.PENDING, StageState.RUNNING, Optional.empty(), 0, "started", T0);
    store.transitionStage(
        runId,
        stage,
        StageState.RUNNING,
        StageState.COMPLETED,
        Optional.of("{}"),
        iterations,
        "done",
        T0.plusSeconds(1));
  }

  @Test
  void callLatency_isTheNearestRankQuantilePerProvider_overTheWindowOnly() {
    aRunningRun("p1", "r1");
    Instant since = T0.plusSeconds(60);
    List<LedgerEntry> calls = new ArrayList<>();
    for (int i = 1; i <= 20; i++)
      calls.add(aTimedCall("o" + i, "openai", AgentRole.PLANNER, i * 100L, null, since));
    calls.add(aTimedCall("o-slow", "openai", AgentRole.PLANNER, 99_000, "timeout", since));
    calls.add(aTimedCall("o-old", "openai", AgentRole.PLANNER, 500_000, null, T0));
    calls.add(aTimedCall("a1", "anthropic", AgentRole.CRITIC, 700, null, since.plusSeconds(1)));
    store.recordCalls(calls);

    List<Store.CallLatency> p95 = store.callLatency(since, 0.95);
    List<Store.CallLatency> median = store.callLatency(since, 0.5);

    assertThat(p95)
        .as("21 calls in the window, the failed one too: the 20th smallest")
        .containsExactly(
            new Store.CallLatency("anthropic", 1, 700), new Store.CallLatency("openai", 21, 2000));
    assertThat(median).contains(new Store.CallLatency("openai", 21, 1100));
  }

  @Test
  void roleChecks_countAnsweredCallsAndSchemaViolationsPerRole_overTheWindowOnly() {
    aRunningRun("p1", "r1");
    store.enqueue("t-outline", "r1", spec("outline"), T0);
    store.enqueue(
        "t-draft",
        "r1",
        new TaskSpec("draft", Stage.CHAPTER_WRITING, TaskKind.DRAFT_CHAPTER, "{}"),
        T0);
    Instant since = T0.plusSeconds(60);
    store.recordCalls(
        List.of(
            aTimedCall("c1", "openai", AgentRole.PLANNER, 10, null, since),
            aTimedCall("c2", "openai", AgentRole.PLANNER, 10, null, since),
            aTimedCall("c3", "openai", AgentRole.PLANNER, 10, "server_error", since),
            aTimedCall("c4", "openai", AgentRole.PLANNER, 10, null, T0)));
    for (Instant at : List.of(since, since.plusSeconds(1), T0))
      store.recordEvent(
          new RunEvent("r1", Optional.of("t-outline"), RunEvent.SCHEMA_VIOLATION, "bad", at));
    store.recordEvent(new RunEvent("r1", Optional.of("t-outline"), RunEvent.RETRY, "r", since));
    store.recordEvent(
        new RunEvent("r1", Optional.of("t-draft"), RunEvent.SCHEMA_VIOLATION, "short", since));

    List<Store.RoleChecks> checks = store.roleChecks(since);

    assertThat(checks)
        .containsExactlyInAnyOrder(
            new Store.RoleChecks(AgentRole.PLANNER, 2, 2),
            new Store.RoleChecks(AgentRole.WRITER, 0, 1));
  }

  @Test
  void lastTaskChanges_expiredLeases_andLatestEvents_readManyRunsAtOnce() {
    aRunningRun("p1", "r1");
    aRunningRun("p2", "r2");
    aRunningRun("p3", "r3");
    store.enqueue("t1", "r1", spec("a"), T0.plusSeconds(5));
    store.enqueue("t2", "r1", spec("b"), T0.plusSeconds(9));
    store.enqueue("t3", "r2", spec("c"), T0.plusSeconds(7));
    Task held = store.claim("w1", T0.plusSeconds(10), T0.plusSeconds(40)).orElseThrow();
    store.recordEvent(new RunEvent("r1", Optional.empty(), RunEvent.CRITIQUE_CAP, "first", T0));
    store.recordEvent(
        new RunEvent("r1", Optional.empty(), RunEvent.CRITIQUE_CAP, "second", T0.plusSeconds(1)));
    store.recordEvent(new RunEvent("r3", Optional.empty(), RunEvent.CRITIQUE_CAP, "r3's", T0));
    store.recordEvent(new RunEvent("r2", Optional.empty(), RunEvent.RETRY, "not a cap", T0));

    Map<String, Instant> changes = store.lastTaskChanges(List.of("r1", "r2", "r3", "nope"));
    List<Task> expired = store.expiredLeases(T0.plusSeconds(41));
    Map<String, RunEvent> caps = store.latestEvents(RunEvent.CRITIQUE_CAP, List.of("r1", "r2"));

    assertThat(changes)
        .containsOnly(Map.entry("r1", T0.plusSeconds(9)), Map.entry("r2", T0.plusSeconds(7)));
    assertThat(store.expiredLeases(T0.plusSeconds(39))).isEmpty();
    assertThat(expired)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.id()).isEqualTo(held.id());
              assertThat(t.leaseOwner()).contains("w1");
            });
    assertThat(caps).containsOnlyKeys("r1");
    assertThat(caps.get("r1").detail()).isEqualTo("second");
  }

  @Test
  void openBudgets_andProjectSpend_holdEveryPricedCall_asCallsAreRecordedCompletedAndRepriced() {
    aRunningRun("p1", "r1");
    store.createProject(aProject("p2"));
    store.createRun("r2", "p2", 1, "done", T0);
    store.transitionRun("r2", RunState.QUEUED, RunState.CANCELLED, "not open", T0);
    store.recordCalls(
        List.of(
            aCall("c1", "r1", new BigDecimal("0.25")),
            aCall("c2", "r1", null),
            aCall("c3", "r1", new BigDecimal("0.000000000001"))));
    store.applyRepricing(
        List.of(
            new org.bookcreator.core.cost.Repricing.Change(
                "c1",
                Optional.of(new BigDecimal("0.25")),
                Optional.of("simulated/sim-standard@2025-01-01"),
                Optional.of(new BigDecimal("0.50")),
                Optional.of("v2"))),
        "new prices",
        T0);
    store.enqueue("t1", "r1", spec("a"), T0);
    PendingCall written = sent(store.claim("w1", T0, T0.plusSeconds(30)).orElseThrow(), 0, "0.01");
    store.openCall(written);
    store.completeCall(answer(written, "1"));

    List<Store.OpenBudget> budgets = store.openBudgets(new BigDecimal("0.25"));
    List<Store.OpenBudget> notYet = store.openBudgets(new BigDecimal("0.34"));

    assertThat(budgets)
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.projectId()).isEqualTo("p1");
              assertThat(b.runId()).isEqualTo("r1");
              assertThat(b.runState()).isEqualTo(RunState.RUNNING);
              assertThat(b.budgetUsd()).isEqualByComparingTo("4.50");
              assertThat(b.spentUsd()).isEqualByComparingTo("1.500000000001");
            });
    assertThat(notYet).as("1.50 of 4.50 is a third").isEmpty();
    assertThat(store.projectSpend("p1")).isEqualByComparingTo("1.500000000001");
    assertThat(store.projectSpend("p2")).isZero();
    store.createProject(
        new Project(
            "p3",
            "No budget",
            "fiction",
            Optional.empty(),
            "b",
            1,
            Optional.empty(),
            List.of(),
            T0));
    assertThat(store.budgetSpends())
        .as("every project with a budget, with its exact spend; p3 has no budget")
        .extracting(
            b ->
                b.projectId()
                    + " "
                    + b.budgetUsd().stripTrailingZeros().toPlainString()
                    + " "
                    + b.spentUsd().stripTrailingZeros().toPlainString())
        .containsExactlyInAnyOrder("p1 4.5 1.500000000001", "p2 4.5 0");
  }

  @Test
  void events_areKeptInOrder() {
    aRunningRun("p1", "r1");

    store.recordEvent(
        new RunEvent("r1", Optional.of("t1"), RunEvent.SCHEMA_VIOLATION, "$.score: too big", T0));
    store.recordEvent(
        new RunEvent(
            "r1", Optional.empty(), RunEvent.RETRY, "retrying", T0.plus(Duration.ofSeconds(1))));

    assertThat(store.events("r1"))
        .extracting(RunEvent::kind)
        .containsExactly(RunEvent.SCHEMA_VIOLATION, RunEvent.RETRY);
    assertThat(store.events("r1").get(0).taskId()).contains("t1");
  }

  @Test
  void recordEventOnce_recordsOnce_evenUnderConcurrentCallers() throws Exception {
    aRunningRun("p1", "r1");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      int n = i;
      results.add(
          pool.submit(
              () ->
                  store.recordEventOnce(
                      new RunEvent(
                          "r1",
                          Optional.empty(),
                          RunEvent.BUDGET_100,
                          "spent " + n + " [budget $1]",
                          T0),
                      "[budget $1]")));
    }
    long recorded = 0;
    for (var f : results) if (f.get()) recorded++;
    pool.shutdown();

    assertThat(recorded).isEqualTo(1);
    assertThat(store.events("r1")).hasSize(1);
    assertThat(
            store.recordEventOnce(
                new RunEvent("r1", Optional.empty(), RunEvent.BUDGET_100, "x [budget $2]", T0),
                "[budget $2]"))
        .isTrue();
  }

  @Test
  void hostileText_isStoredVerbatim() {
    String nasty = "Robert'); DROP TABLE projects;--\n\u0000\u001b[31m" + "x".repeat(100_000);
    Project p =
        new Project(
            "p1", nasty, "fiction", Optional.empty(), nasty, 1, Optional.empty(), List.of(), T0);

    store.createProject(p);

    assertThat(store.project("p1").orElseThrow().title()).isEqualTo(asStored(nasty));
    assertThat(store.projects()).hasSize(1);
  }

  @Test
  void activeRunsByStage_countsEveryStageOfEveryCategory_zerosIncluded() {
    aRunningRun("p1", "r1");
    store.transitionStage(
        "r1",
        Stage.INTAKE,
        StageState.PENDING,
        StageState.RUNNING,
        Optional.empty(),
        0,
        "started",
        T0);
    store.createProject(aProject("p2"));
    store.createRun("r2", "p2", 1, "queued", T0);

    List<Store.StageCount> counts = store.activeRunsByStage();

    assertThat(counts).hasSize(Stage.values().length);
    assertThat(counts)
        .filteredOn(c -> c.stage().equals("intake"))
        .singleElement()
        .satisfies(c -> assertThat(c.runs()).isEqualTo(2));
    assertThat(counts).filteredOn(c -> !c.stage().equals("intake")).allMatch(c -> c.runs() == 0);
    store.transitionRun("r1", RunState.RUNNING, RunState.COMPLETED, "done", T0);
    assertThat(store.activeRunsByStage())
        .filteredOn(c -> c.stage().equals("intake"))
        .singleElement()
        .satisfies(c -> assertThat(c.runs()).isEqualTo(1));
  }

  @Test
  void queuedTasksByKind_countsOnlyQueuedTasks() {
    aRunningRun("p1", "r1");
    store.enqueue("t1", "r1", spec("a"), T0);
    store.enqueue("t2", "r1", spec("b"), T0);
    store.claim("w1", T0, T0.plusSeconds(30));

    assertThat(store.queuedTasksByKind()).containsEntry(TaskKind.OUTLINE, 1L);
  }

  @Test
  void addReference_appendsOnce_andNamesAMissingProject() {
    aRunningRun("p1", "r1");

    store.addReference("p1", "/data/projects/p1/references/notes.md");
    store.addReference("p1", "/data/projects/p1/references/notes.md");

    assertThat(store.project("p1").orElseThrow().references())
        .containsExactly("/tmp/ref.md", "/data/projects/p1/references/notes.md");
    assertThatThrownBy(() -> store.addReference("nope", "x.md"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("nope");
  }

  /** A log line of project p1 as the store keeps it, its JSON holding the time, level and text. */
  public static org.bookcreator.telemetry.LogLine aLogLine(
      long ts, String level, String run, String stage, String provider, String message) {
    return new org.bookcreator.telemetry.LogLine(
        ts,
        level,
        "p1",
        run,
        stage,
        "writer",
        provider,
        run == null ? null : "trace-" + run,
        null,
        "{\"ts\":" + ts + ",\"level\":\"" + level + "\",\"message\":\"" + message + "\"}");
  }

  @Test
  void logs_combineFilters_newestFirst_andPage() {
    store.recordLogs(
        List.of(
            aLogLine(1000, "INFO", "r1", "outline", null, "outline started"),
            aLogLine(
                2000, "WARN", "r1", "chapter_writing", "openai", "llm call failed: 429 slow down"),
            aLogLine(3000, "ERROR", "r1", "chapter_writing", "openai", "gave up on chapter 3"),
            aLogLine(4000, "WARN", "r2", "chapter_writing", "openai", "llm call failed: 503"),
            aLogLine(5000, "INFO", null, null, null, "100% done_with_literal")));

    var r1Warn = store.logs(LogQuery.newest(50).withRun("r1").withMinLevel("WARN"));
    var chapterText =
        store.logs(LogQuery.newest(50).withStage("chapter_writing").withText("LLM CALL"));
    var page1 = store.logs(LogQuery.newest(2));
    var page2 = store.logs(LogQuery.newest(2).withBefore(page1.get(1).id()));
    var follow = store.logs(LogQuery.newest(10).withAfter(page1.get(1).id()));
    var percent = store.logs(LogQuery.newest(10).withText("100%"));
    var underscoreIsLiteral = store.logs(LogQuery.newest(10).withText("don__with"));
    var since = store.logs(LogQuery.newest(10).withRun("r1").withSince(Instant.ofEpochMilli(2000)));

    assertThat(r1Warn).extracting(l -> l.line().tsMillis()).containsExactly(3000L, 2000L);
    assertThat(chapterText).extracting(l -> l.line().runId()).containsExactly("r2", "r1");
    assertThat(page1).extracting(l -> l.line().tsMillis()).containsExactly(5000L, 4000L);
    assertThat(page2).extracting(l -> l.line().tsMillis()).containsExactly(3000L, 2000L);
    assertThat(follow).extracting(l -> l.line().tsMillis()).containsExactly(5000L);
    assertThat(percent)
        .singleElement()
        .satisfies(l -> assertThat(l.line().json()).contains("done_with_literal"));
    assertThat(underscoreIsLiteral).isEmpty();
    assertThat(since).extracting(l -> l.line().tsMillis()).containsExactly(3000L, 2000L);
    assertThat(r1Warn.get(0).line().level()).isEqualTo("ERROR");
    assertThat(r1Warn.get(0).line().traceId()).isEqualTo("trace-r1");
  }

  @Test
  void pruneLogs_deletesWhatIsOld_orBeyondTheCap_andNothingElse() {
    List<org.bookcreator.telemetry.LogLine> lines = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++)
      lines.add(aLogLine(1000L * (i + 1), "INFO", "r1", "outline", null, "line " + i));
    store.recordLogs(lines);

    int byAge = store.pruneLogs(Instant.ofEpochMilli(3000), 1_000_000);
    int byCount = store.pruneLogs(Instant.ofEpochMilli(0), 5);

    assertThat(byAge).isEqualTo(2);
    assertThat(byCount).isEqualTo(3);
    assertThat(store.logs(LogQuery.newest(100)))
        .extracting(l -> l.line().tsMillis())
        .containsExactly(10_000L, 9000L, 8000L, 7000L, 6000L);
  }

  @Test
  void spans_roundTrip_ignoreDuplicates_andStayBounded() {
    var a =
        new org.bookcreator.telemetry.SpanRecord(
            "t1",
            "s1",
            Optional.empty(),
            Optional.of("r1"),
            "run",
            "internal",
            1,
            9,
            "ok",
            Optional.empty(),
            java.util.Map.of(
                "k", "v", "hostile", "q\"uote\\ \n\r\t\u0001\u2028 end", "ünï", "cödé"));
    var b =
        new org.bookcreator.telemetry.SpanRecord(
            "t1",
            "s2",
            Optional.of("s1"),
            Optional.of("r1"),
            "stage intake",
            "internal",
            2,
            5,
            "error",
            Optional.of("stage_failed"),
            java.util.Map.of());

    store.recordSpans(List.of(a, b), 1000);
    store.recordSpans(List.of(a), 1000);

    assertThat(store.spans("t1")).containsExactly(a, b);
    for (int i = 0; i < 3; i++) {
      store.recordSpans(
          java.util.stream.IntStream.range(0, 600)
              .mapToObj(
                  j ->
                      new org.bookcreator.telemetry.SpanRecord(
                          "t2",
                          "x" + j + "-" + System.nanoTime(),
                          Optional.empty(),
                          Optional.empty(),
                          "n",
                          "internal",
                          j,
                          j + 1,
                          "ok",
                          Optional.empty(),
                          java.util.Map.of()))
              .toList(),
          1000);
    }
    assertThat(store.spans("t1").size() + store.spans("t2").size()).isLessThanOrEqualTo(1000);
  }

  @Test
  void runsIn_filtersByState() {
    aRunningRun("p1", "r1");
    store.createProject(aProject("p2"));
    store.createRun("r2", "p2", 1, "queued", T0);

    assertThat(store.runsIn(Set.of(RunState.RUNNING))).extracting(Run::id).containsExactly("r1");
    assertThat(
            new HashSet<>(
                store.runsIn(Set.of(RunState.RUNNING, RunState.QUEUED)).stream()
                    .map(Run::id)
                    .toList()))
        .containsExactlyInAnyOrder("r1", "r2");
    assertThat(store.schemaVersion()).isPositive();
  }

  @Test
  void runsEndedSince_listsCompletedAndFailedRuns_endedAtOrAfter_earliestFirst() {
    aRunningRun("p1", "old");
    store.transitionRun("old", RunState.RUNNING, RunState.COMPLETED, "done", T0.plusSeconds(10));
    aRunningRun("p2", "failed");
    store.transitionRun("failed", RunState.RUNNING, RunState.FAILED, "boom", T0.plusSeconds(30));
    aRunningRun("p3", "done");
    store.transitionRun("done", RunState.RUNNING, RunState.COMPLETED, "done", T0.plusSeconds(20));
    aRunningRun("p4", "running");

    List<Run> ended = store.runsEndedSince(T0.plusSeconds(20));

    assertThat(ended).extracting(Run::id).containsExactly("done", "failed");
  }

  @Test
  void runsEnded_countsRunsPerHourCategoryAndOutcome_withWhatTheyCostWhenTheyEnded() {
    aRunningRun("p1", "r1");
    store.recordCall(aCall("a", "r1", new BigDecimal("0.5")));
    store.transitionRun("r1", RunState.RUNNING, RunState.COMPLETED, "done", T0.plusSeconds(100));
    store.createProject(aProjectIn("p2", "history"));
    aRunningRun("p2", "r2");
    store.recordCall(aCall("b", "r2", new BigDecimal("0.25")));
    store.transitionRun("r2", RunState.RUNNING, RunState.FAILED, "boom", T0.plusSeconds(3700));
    store.transitionRun("r2", RunState.FAILED, RunState.RUNNING, "restart", T0.plusSeconds(3800));
    store.recordCall(aCall("c", "r2", new BigDecimal("0.1")));
    store.transitionRun("r2", RunState.RUNNING, RunState.COMPLETED, "done", T0.plusSeconds(7300));
    aRunningRun("p3", "r3");
    store.transitionRun("r3", RunState.RUNNING, RunState.CANCELLED, "stop", T0.plusSeconds(7300));

    List<Store.RunsEnded> all = store.runsEnded(T0);
    List<Store.RunsEnded> later = store.runsEnded(T0.plusSeconds(3600));

    assertThat(all)
        .extracting(e -> e.hour() + " " + e.category() + " " + e.outcome() + " " + e.runs())
        .containsExactly(
            T0 + " fiction COMPLETED 1",
            T0.plusSeconds(3600) + " history FAILED 1",
            T0.plusSeconds(7200) + " history COMPLETED 1");
    assertThat(all.get(0).costUsd()).isEqualByComparingTo("0.5");
    assertThat(all.get(1).costUsd()).isEqualByComparingTo("0.25");
    assertThat(all.get(2).costUsd()).isEqualByComparingTo("0.35");
    assertThat(later).hasSize(2);
  }

  @Test
  void stageHistory_sumsTheCompletedStagesOfCompletedRuns_only() {
    aRunningRun("p1", "r1");
    stageRan("r1", Stage.OUTLINE, T0, T0.plusSeconds(40));
    store.recordCall(aCall("a", "r1", new BigDecimal("0.5")));
    aRunningRun("p2", "r2");
    stageRan("r2", Stage.OUTLINE, T0, T0.plusSeconds(1000));
    store.recordCall(aCall("b", "r2", new BigDecimal("7")));
    store.transitionRun("r2", RunState.RUNNING, RunState.FAILED, "boom", T0.plusSeconds(1000));
    aRunningRun("p3", "r3");
    stageRan("r3", Stage.OUTLINE, T0, T0.plusSeconds(9));

    store.transitionRun("r1", RunState.RUNNING, RunState.COMPLETED, "done", T0.plusSeconds(60));
    List<Store.StageHistory> history = store.stageHistory();

    assertThat(history)
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.category()).isEqualTo("fiction");
              assertThat(h.stage()).isEqualTo(Stage.OUTLINE);
              assertThat(h.stages()).isEqualTo(1);
              assertThat(h.durationMs()).isEqualTo(40_000);
              assertThat(h.costUsd()).isEqualByComparingTo("0.5");
            });
  }

  private void stageRan(String runId, Stage stage, Instant from, Instant to) {
    store.transitionStage(
        runId, stage, StageState.PENDING, StageState.RUNNING, Optional.empty(), 0, "go", from);
    store.transitionStage(
        runId, stage, StageState.RUNNING, StageState.COMPLETED, Optional.empty(), 1, "done", to);
  }

  private static Project aProjectIn(String id, String category) {
    Project p = aProject(id);
    return new Project(
        id,
        p.title(),
        category,
        p.audience(),
        p.brief(),
        p.chapters(),
        p.budgetUsd(),
        p.references(),
        p.createdAt());
  }

  // ---- silences and received alerts

  private static org.bookcreator.core.alert.Silence aSilence(String id, Instant from, Instant to) {
    return new org.bookcreator.core.alert.Silence(
        id,
        List.of(
            org.bookcreator.core.alert.Silence.Matcher.parse("alertname=RunFailed"),
            org.bookcreator.core.alert.Silence.Matcher.of(
                "project_id", org.bookcreator.core.alert.Silence.Op.NOT_REGEX, " p(1|2) ")),
        from,
        to,
        "maintenance window",
        "api 127.0.0.1",
        from);
  }

  @Test
  void silences_applyFromStartToEnd_andEndingOneEarlyKeepsItsRecord() {
    Instant end = T0.plus(Duration.ofHours(2));
    store.addSilence(aSilence("sil_b", T0, end));
    store.addSilence(aSilence("sil_a", T0, T0.plus(Duration.ofHours(1))));

    assertThat(store.activeSilences(T0.minusSeconds(1))).isEmpty();
    assertThat(store.activeSilences(T0))
        .extracting(org.bookcreator.core.alert.Silence::id)
        .as("ending soonest first")
        .containsExactly("sil_a", "sil_b");
    assertThat(store.activeSilences(T0).get(1)).isEqualTo(aSilence("sil_b", T0, end));
    assertThat(store.activeSilences(end)).isEmpty();

    Instant early = T0.plus(Duration.ofMinutes(30));
    assertThat(store.endSilence("sil_b", early).orElseThrow().endsAt()).isEqualTo(early);
    assertThat(store.endSilence("sil_b", early.plusSeconds(60)).orElseThrow().endsAt())
        .as("an ended silence stays as it was")
        .isEqualTo(early);
    assertThat(store.activeSilences(early)).extracting(s -> s.id()).containsExactly("sil_a");
    assertThat(store.endSilence("sil_nope", early)).isEmpty();
  }

  @Test
  void receivedAlerts_areSavedOnce_fromManyThreadsAndInstances_andAreNoneOfTheEvaluators()
      throws Exception {
    org.bookcreator.core.alert.Alert firing =
        new org.bookcreator.core.alert.Alert(
            "4f2a9c0e11d3b7a8",
            "HighLatency",
            Map.of("job", "book-creator"),
            org.bookcreator.core.alert.Severity.WARNING,
            org.bookcreator.core.alert.AlertState.FIRING,
            "slow",
            "p95 over 60 s",
            "https://runbooks.example.com/latency",
            T0,
            Optional.of(T0),
            Optional.empty(),
            Optional.empty());
    List<org.bookcreator.core.alert.AlertChange> changes =
        List.of(
            new org.bookcreator.core.alert.AlertChange(
                firing, Optional.empty(), org.bookcreator.core.alert.AlertState.FIRING, T0));
    Optional<Store> second = openSecondInstance();
    List<Store> stores = second.isPresent() ? List.of(store, second.get()) : List.of(store);
    List<java.util.concurrent.Future<Boolean>> saved = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 16; i++) {
        Store s = stores.get(i % stores.size());
        List<org.bookcreator.core.alert.OutboxWrite> outbox =
            List.of(
                new org.bookcreator.core.alert.OutboxWrite.Insert(
                    new org.bookcreator.core.alert.Notification(
                        "ntf_" + i,
                        "hook",
                        "{}:{alertname=\"HighLatency\"}",
                        "firing",
                        List.of(firing),
                        0,
                        T0),
                    T0));
        saved.add(pool.submit(() -> s.saveReceivedAlerts("receipt-1", changes, outbox, T0)));
      }
    } finally {
      second.ifPresent(Store::close);
    }

    assertThat(saved.stream().filter(f -> f.resultNow()).count()).isEqualTo(1);
    assertThat(store.pendingNotifications()).hasSize(1);
    assertThat(store.alertHistory(T0, 10))
        .singleElement()
        .satisfies(c -> assertThat(c.alert().runbook()).endsWith("/latency"));
    assertThat(store.openAlerts()).as("the evaluator's own only").isEmpty();
    assertThat(store.openAlert("4f2a9c0e11d3b7a8"))
        .contains(store.alertInstance("4f2a9c0e11d3b7a8", T0).orElseThrow());
    assertThat(store.alertInstance("4f2a9c0e11d3b7a8", T0.plusSeconds(1))).isEmpty();
  }
}
