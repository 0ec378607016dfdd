package org.bookcreator.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertChange;
import org.bookcreator.core.alert.AlertEvaluator;
import org.bookcreator.core.alert.AlertInputs;
import org.bookcreator.core.alert.AlertRule;
import org.bookcreator.core.alert.AlertState;
import org.bookcreator.core.alert.BuiltInRules;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.NotificationPolicy;
import org.bookcreator.core.alert.ProcessProbe;
import org.bookcreator.core.alert.Severity;
import org.bookcreator.core.alert.Signal;
import org.bookcreator.core.alert.Silences;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Ids;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in alert rules over a real store, evaluated at times a test clock sets: each fires
 * after its {@code for}, resolves when its condition clears, and a restarted evaluator carries on
 * from the store without announcing anything twice.
 */
class AlertEvaluatorTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  @TempDir Path dir;
  private Store store;
  private final TestClock clock = new TestClock();
  private final TestProbe probe = new TestProbe();
  private int calls;

  @BeforeEach
  void open() {
    store = SqliteStore.open(dir.resolve("data"), true);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private AlertEvaluator evaluator() {
    return new AlertEvaluator(
        store,
        BuiltInRules.defaults(),
        clock,
        StallDetector.Thresholds.of(Duration.ofMinutes(10)),
        probe);
  }

  @Test
  void providerErrorRateHigh_isPendingFirst_firesAfterItsFor_andResolvesWhenCallsSucceedAgain() {
    AlertEvaluator evaluator = evaluator();
    aRun("p1", "r1");
    for (int i = 0; i < 10; i++) call("r1", "openai", i < 3 ? "server_error" : null);

    List<AlertChange> first = evaluator.evaluate();
    clock.advance(Duration.ofMinutes(1));
    List<AlertChange> stillPending = evaluator.evaluate();
    clock.advance(Duration.ofMinutes(1));
    List<AlertChange> fired = evaluator.evaluate();

    assertThat(first)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.alert().name()).isEqualTo("ProviderErrorRateHigh");
              assertThat(c.to()).isEqualTo(AlertState.PENDING);
              assertThat(c.notifies()).isFalse();
              assertThat(c.alert().labels()).containsExactly(Map.entry("provider", "openai"));
              assertThat(c.alert().summary()).contains("30%");
            });
    assertThat(stillPending).isEmpty();
    assertThat(fired)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.to()).isEqualTo(AlertState.FIRING);
              assertThat(c.notifies()).isTrue();
              assertThat(c.alert().runbook()).isEqualTo("provider-errors");
            });

    clock.advance(Duration.ofMinutes(4));
    for (int i = 0; i < 20; i++) call("r1", "openai", null);
    List<AlertChange> resolved = evaluator.evaluate();

    assertThat(resolved)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.to()).isEqualTo(AlertState.RESOLVED);
              assertThat(c.notifies()).isTrue();
            });
    assertThat(store.openAlerts()).isEmpty();
    assertThat(store.alertHistory(T0, 10))
        .extracting(AlertChange::to)
        .containsExactly(AlertState.RESOLVED, AlertState.FIRING, AlertState.PENDING);
  }

  @Test
  void providerDown_firesAtOnce_perProvider_andAPendingAlertThatClearsNeverNotifies() {
    AlertEvaluator evaluator = evaluator();
    aRun("p1", "r1");
    for (int i = 0; i < 5; i++) call("r1", "anthropic", "connection");
    for (int i = 0; i < 10; i++) call("r1", "openai", i < 3 ? "timeout" : null);

    List<AlertChange> changes = evaluator.evaluate();

    assertThat(changes)
        .filteredOn(c -> c.alert().name().equals("ProviderDown"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.to()).isEqualTo(AlertState.FIRING);
              assertThat(c.alert().severity()).isEqualTo(Severity.CRITICAL);
              assertThat(c.alert().labels()).containsEntry("provider", "anthropic");
            });
    Alert pending =
        store.openAlerts().stream()
            .filter(a -> a.name().equals("ProviderErrorRateHigh"))
            .filter(a -> a.labels().get("provider").equals("openai"))
            .findFirst()
            .orElseThrow();
    assertThat(pending.state()).isEqualTo(AlertState.PENDING);

    clock.advance(Duration.ofMinutes(6));
    List<AlertChange> later = evaluator.evaluate();

    assertThat(later)
        .filteredOn(c -> c.alert().fingerprint().equals(pending.fingerprint()))
        .singleElement()
        .satisfies(c -> assertThat(c.notifies()).as("it never fired").isFalse());
  }

  @Test
  void runFailed_firesPerRun_andResolvesWhenTheRunIsRestarted() {
    AlertEvaluator evaluator = evaluator();
    aRun("p1", "r1");
    store.transitionRun("r1", RunState.RUNNING, RunState.FAILED, "stage outline failed", T0);

    List<AlertChange> fired = evaluator.evaluate();

    assertThat(fired)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.alert().name()).isEqualTo("RunFailed");
              assertThat(c.alert().labels()).containsEntry("run_id", "r1");
              assertThat(c.alert().description())
                  .contains("stage outline failed")
                  .contains("bin/book-creator diagnose r1");
            });

    store.transitionRun("r1", RunState.FAILED, RunState.RUNNING, "restarted", clock.instant());
    List<AlertChange> resolved = evaluator.evaluate();

    assertThat(resolved).extracting(AlertChange::to).containsExactly(AlertState.RESOLVED);
  }

  @Test
  void aRestartedEvaluator_carriesOnFromTheStore_withoutAnnouncingAgain() {
    aRun("p1", "r1");
    store.transitionRun("r1", RunState.RUNNING, RunState.FAILED, "broken", T0);
    assertThat(evaluator().evaluate()).hasSize(1);
    store.close();
    store = SqliteStore.open(dir.resolve("data"), true);

    clock.advance(Duration.ofMinutes(1));
    List<AlertChange> afterRestart = evaluator().evaluate();

    assertThat(afterRestart).isEmpty();
    assertThat(store.openAlerts())
        .singleElement()
        .satisfies(a -> assertThat(a.state()).isEqualTo(AlertState.FIRING));
  }

  @Test
  void workflowStalled_firesForARunWithoutProgress_pastItsThreshold() {
    AlertEvaluator evaluator = evaluator();
    aRun("p1", "r1");

    assertThat(evaluator.evaluate()).isEmpty();
    clock.advance(Duration.ofMinutes(11));
    List<AlertChange> stalled = evaluator.evaluate();

    assertThat(stalled)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.alert().name()).isEqualTo("WorkflowStalled");
              assertThat(c.alert().summary()).contains("r1").contains("Title p1");
              assertThat(c.alert().runbook()).isEqualTo("stalled-workflow");
            });
  }

  /**
   * The evaluator looks only at the runs that may be stalled: quiet ones, those with an expired
   * lease and those whose critique loop hit its cap; the stalls found among them are those a look
   * at every active run finds.
   */
  @Test
  void stallCandidates_areTheQuietRuns_theExpiredLeases_andTheCappedLoops_andNothingElse() {
    for (String r : List.of("r1", "r2", "r3", "r4", "r5")) aRun("p" + r, r);
    Instant later = T0.plus(Duration.ofMinutes(10));
    store.enqueue("r3-t", "r3", new TaskSpec("o", Stage.OUTLINE, TaskKind.OUTLINE, "{}"), later);
    assertThat(store.claim("w1", later, later.plusSeconds(30))).isPresent();
    store.enqueue("r2-t", "r2", new TaskSpec("o", Stage.OUTLINE, TaskKind.OUTLINE, "{}"), later);
    store.enqueue("r4-t", "r4", new TaskSpec("o", Stage.OUTLINE, TaskKind.OUTLINE, "{}"), later);
    store.recordEvent(
        new RunEvent("r4", Optional.empty(), RunEvent.CRITIQUE_CAP, "3 rounds", later));
    store.transitionRun("r5", RunState.RUNNING, RunState.COMPLETED, "done", T0);
    Instant now = T0.plus(Duration.ofMinutes(11));
    StallDetector.Thresholds thresholds =
        new StallDetector.Thresholds(
            Duration.ofMinutes(10), java.util.Map.of(Stage.OUTLINE, Duration.ofMinutes(5)));

    List<Run> candidates = store.stallCandidates(now.minus(thresholds.shortest()), now);

    assertThat(thresholds.shortest()).isEqualTo(Duration.ofMinutes(5));
    assertThat(candidates).extracting(Run::id).containsExactly("r1", "r3", "r4");
    List<Run> active = store.runsIn(java.util.Set.of(RunState.QUEUED, RunState.RUNNING));
    assertThat(active).extracting(Run::id).containsExactly("r1", "r2", "r3", "r4");
    assertThat(StallDetector.find(store, candidates, thresholds, now))
        .usingRecursiveFieldByFieldElementComparator()
        .containsExactlyElementsOf(StallDetector.find(store, active, thresholds, now))
        .hasSize(3);
  }

  @Test
  void budgets_nearlySpentThenExceeded_theFirstResolvingAsTheSecondFires() {
    AlertEvaluator evaluator = evaluator();
    aRun("p1", "r1");
    store.recordCall(priced("r1", "0.85"));

    assertThat(evaluator.evaluate())
        .singleElement()
        .satisfies(c -> assertThat(c.alert().name()).isEqualTo("BudgetNearlySpent"));

    store.recordCall(priced("r1", "0.20"));
    List<AlertChange> exceeded = evaluator.evaluate();

    assertThat(exceeded)
        .extracting(c -> c.alert().name() + " " + c.to())
        .containsExactlyInAnyOrder("BudgetExceeded FIRING", "BudgetNearlySpent RESOLVED");
  }

  @Test
  void unpricedModelUsed_firesPerModel_andResolvesAnHourAfterTheLastUnpricedCall() {
    AlertEvaluator evaluator = evaluator();
    aRun("p1", "r1");
    store.recordCall(unpriced("r1", "mystery-model"));

    assertThat(evaluator.evaluate())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.alert().name()).isEqualTo("UnpricedModelUsed");
              assertThat(c.alert().labels())
                  .containsEntry("model", "mystery-model")
                  .containsEntry("provider", "openai");
            });
    clock.advance(Duration.ofMinutes(61));
    assertThat(evaluator.evaluate())
        .filteredOn(c -> c.alert().name().equals("UnpricedModelUsed"))
        .extracting(AlertChange::to)
        .containsExactly(AlertState.RESOLVED);
  }

  @Test
  void storeDiskLow_firesOnlyAfterFiveMinutesBelowTheMark() {
    AlertEvaluator evaluator = evaluator();
    probe.free = 500L << 20;
    probe.total = 100L << 30;

    assertThat(evaluator.evaluate())
        .extracting(AlertChange::to)
        .containsExactly(AlertState.PENDING);
    clock.advance(Duration.ofMinutes(5));
    assertThat(evaluator.evaluate()).extracting(AlertChange::to).containsExactly(AlertState.FIRING);
    probe.free = 50L << 30;
    assertThat(evaluator.evaluate())
        .extracting(AlertChange::to)
        .containsExactly(AlertState.RESOLVED);
  }

  @Test
  void aRuleThatFails_keepsItsAlertsAsTheyWere_andTheOthersGoOn() {
    aRun("p1", "r1");
    store.transitionRun("r1", RunState.RUNNING, RunState.FAILED, "broken", T0);
    boolean[] broken = {false};
    AlertRule flaky =
        new AlertRule() {
          @Override
          public String name() {
            return "Flaky";
          }

          @Override
          public Severity severity() {
            return Severity.WARNING;
          }

          @Override
          public Duration holdFor() {
            return Duration.ZERO;
          }

          @Override
          public String runbook() {
            return "observability";
          }

          @Override
          public String condition() {
            return "always, unless broken";
          }

          @Override
          public List<Signal> check(AlertInputs in) {
            if (broken[0]) throw new IllegalStateException("cannot look");
            return List.of(new Signal(Map.of(), "flaky", "flaky"));
          }
        };
    AlertEvaluator evaluator =
        new AlertEvaluator(
            store,
            List.of(flaky, new BuiltInRules.RunFailed(Duration.ofDays(7), Duration.ZERO)),
            clock,
            StallDetector.Thresholds.of(Duration.ofMinutes(10)),
            probe);
    assertThat(evaluator.evaluate()).hasSize(2);

    broken[0] = true;
    store.transitionRun("r1", RunState.FAILED, RunState.CANCELLED, "given up", T0);
    List<AlertChange> changes = evaluator.evaluate();

    assertThat(changes)
        .singleElement()
        .satisfies(c -> assertThat(c.alert().name()).isEqualTo("RunFailed"));
    assertThat(store.openAlerts()).extracting(Alert::name).containsExactly("Flaky");
  }

  private AlertEvaluator notifying() {
    int[] n = {0};
    return new AlertEvaluator(
        store,
        BuiltInRules.defaults(),
        clock,
        StallDetector.Thresholds.of(Duration.ofMinutes(10)),
        probe,
        new NotificationPolicy(
            List.of("hook", "mail"),
            List.of("provider"),
            Duration.ofSeconds(10),
            Duration.ofMinutes(5),
            Duration.ofHours(4)),
        () -> "ntf" + ++n[0]);
  }

  @Test
  void aStormOfFiftyFailedRuns_makesOneNotificationPerNotifier_andLaterOnesWaitTheGroupInterval() {
    AlertEvaluator evaluator = notifying();
    for (int i = 0; i < 50; i++) {
      aRun("p" + i, "r" + i);
      store.transitionRun("r" + i, RunState.RUNNING, RunState.FAILED, "outage", T0);
    }

    evaluator.evaluate();
    clock.advance(Duration.ofSeconds(5));
    aRun("late", "rLate");
    store.transitionRun("rLate", RunState.RUNNING, RunState.FAILED, "outage", clock.instant());
    evaluator.evaluate();

    List<Notification> pending = store.pendingNotifications();
    assertThat(pending)
        .hasSize(2)
        .extracting(Notification::notifier)
        .containsExactly("hook", "mail");
    assertThat(pending.get(0).alerts()).hasSize(51);
    assertThat(pending.get(0).groupKey()).isEqualTo("RunFailed{}");
    assertThat(store.dueNotifications(clock.instant(), 10)).as("still in the group wait").isEmpty();
    clock.advance(Duration.ofSeconds(5));
    assertThat(store.dueNotifications(clock.instant(), 10)).hasSize(2);
    store.notificationDelivered("ntf1", clock.instant());
    store.notificationDelivered("ntf2", clock.instant());

    clock.advance(Duration.ofSeconds(20));
    aRun("later", "rLater");
    store.transitionRun("rLater", RunState.RUNNING, RunState.FAILED, "outage", clock.instant());
    evaluator.evaluate();

    assertThat(store.pendingNotifications()).hasSize(2);
    assertThat(store.dueNotifications(clock.instant().plus(Duration.ofMinutes(4)), 10))
        .as("the group was notified 30 s ago: the next waits out the 5 m group interval")
        .isEmpty();
    assertThat(store.dueNotifications(T0.plus(Duration.ofMinutes(5)).plusSeconds(1), 10))
        .hasSize(2);
  }

  @Test
  void aFiringAlert_isAnnouncedAgainAfterTheRepeatInterval_andItsResolutionToo() {
    AlertEvaluator evaluator = notifying();
    aRun("p1", "r1");
    store.transitionRun("r1", RunState.RUNNING, RunState.FAILED, "broken", T0);
    evaluator.evaluate();
    deliverAll();

    clock.advance(Duration.ofHours(3));
    evaluator.evaluate();
    assertThat(store.pendingNotifications()).as("not yet").isEmpty();
    clock.advance(Duration.ofHours(1));
    evaluator.evaluate();
    assertThat(store.pendingNotifications())
        .hasSize(2)
        .allSatisfy(n -> assertThat(n.status()).isEqualTo(Notification.FIRING));
    deliverAll();

    store.transitionRun("r1", RunState.FAILED, RunState.CANCELLED, "given up", clock.instant());
    evaluator.evaluate();
    assertThat(store.pendingNotifications())
        .hasSize(2)
        .allSatisfy(n -> assertThat(n.status()).isEqualTo(Notification.RESOLVED));
  }

  @Test
  void aRestartedEvaluator_putsNothingInTheOutboxTwice() {
    aRun("p1", "r1");
    store.transitionRun("r1", RunState.RUNNING, RunState.FAILED, "broken", T0);
    notifying().evaluate();
    store.close();
    store = SqliteStore.open(dir.resolve("data"), true);

    clock.advance(Duration.ofMinutes(1));
    notifying().evaluate();

    assertThat(store.pendingNotifications()).hasSize(2);
    assertThat(store.outboxDepth()).isEqualTo(2);
  }

  private org.bookcreator.core.alert.Silence silence(String matcher, String duration) {
    return new Silences(store, new Ids(clock, new java.util.Random(1)), clock)
        .create(
            new Silences.Request(
                List.of(matcher), Optional.of(duration), Optional.empty(), "maintenance", "test"));
  }

  @Test
  void aSilencedAlert_isRecordedButNotNotified_andIsAnnouncedOnceTheSilenceEnds() {
    AlertEvaluator evaluator = notifying();
    silence("alertname=RunFailed", "1h");
    aRun("p1", "r1");
    store.transitionRun("r1", RunState.RUNNING, RunState.FAILED, "broken", T0);

    List<AlertChange> fired = evaluator.evaluate();
    clock.advance(Duration.ofMinutes(59));
    evaluator.evaluate();

    assertThat(fired).extracting(AlertChange::to).containsExactly(AlertState.FIRING);
    assertThat(store.openAlerts()).extracting(Alert::name).containsExactly("RunFailed");
    assertThat(store.pendingNotifications()).as("silenced").isEmpty();

    clock.advance(Duration.ofMinutes(1));
    evaluator.evaluate();

    assertThat(store.pendingNotifications())
        .hasSize(2)
        .allSatisfy(
            n -> {
              assertThat(n.status()).isEqualTo(Notification.FIRING);
              assertThat(n.alerts()).extracting(Alert::name).containsExactly("RunFailed");
            });
  }

  @Test
  void aResolutionUnderASilence_isNotNotified_norOneOfAnAlertNobodyHeardFire() {
    AlertEvaluator evaluator = notifying();
    aRun("p1", "r1");
    aRun("p2", "r2");
    store.transitionRun("r1", RunState.RUNNING, RunState.FAILED, "broken", T0);
    evaluator.evaluate();
    deliverAll();
    silence("alertname=RunFailed", "1h");
    store.transitionRun("r2", RunState.RUNNING, RunState.FAILED, "broken", T0);
    evaluator.evaluate();
    assertThat(store.pendingNotifications()).as("r2 fired under the silence").isEmpty();

    store.transitionRun("r1", RunState.FAILED, RunState.CANCELLED, "given up", T0);
    clock.advance(Duration.ofMinutes(1));
    evaluator.evaluate();
    assertThat(store.pendingNotifications()).as("r1 resolved under the silence").isEmpty();

    clock.advance(Duration.ofHours(1));
    store.transitionRun("r2", RunState.FAILED, RunState.CANCELLED, "given up", T0);
    List<AlertChange> resolved = evaluator.evaluate();

    assertThat(resolved).extracting(AlertChange::to).containsExactly(AlertState.RESOLVED);
    assertThat(store.pendingNotifications())
        .as("r2 resolved after the silence ended, but nobody heard it fire")
        .isEmpty();
  }

  @Test
  void workerHeartbeatMissing_firesAfterAMinuteOfSilence_onlyForWorkersThatShouldBeAlive() {
    AlertEvaluator evaluator = evaluator();
    for (String w : List.of("live", "dead", "stopped")) store.heartbeat(w, T0);
    store.heartbeat("long-gone", T0.minus(Duration.ofHours(2)));
    clock.advance(Duration.ofSeconds(15));

    assertThat(evaluator.evaluate()).as("15 s is three heartbeats, not more").isEmpty();

    clock.advance(Duration.ofSeconds(1));
    store.heartbeat("live", clock.instant());
    store.forgetWorkers(List.of("stopped"));
    List<AlertChange> pending = evaluator.evaluate();
    clock.advance(Duration.ofMinutes(1));
    store.heartbeat("live", clock.instant());
    List<AlertChange> fired = evaluator.evaluate();

    assertThat(pending)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.alert().name()).isEqualTo("WorkerHeartbeatMissing");
              assertThat(c.to()).isEqualTo(AlertState.PENDING);
              assertThat(c.alert().labels()).containsExactly(Map.entry("worker", "dead"));
            });
    assertThat(fired)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.to()).isEqualTo(AlertState.FIRING);
              assertThat(c.alert().severity()).isEqualTo(Severity.CRITICAL);
              assertThat(c.alert().runbook()).isEqualTo("worker-down");
              assertThat(c.alert().description()).contains("76 s ago");
            });

    store.heartbeat("dead", clock.instant());
    assertThat(evaluator.evaluate())
        .extracting(AlertChange::to)
        .containsExactly(AlertState.RESOLVED);
  }

  @Test
  void providerLatencyHigh_firesWhenTheP95IsOverAMinuteForTenMinutes_andResolves() {
    AlertEvaluator evaluator = evaluator();
    aRun("p1", "r1");
    for (int i = 0; i < 20; i++) timedCall("openai", AgentRole.PLANNER, i < 18 ? 900 : 75_000);
    for (int i = 0; i < 20; i++) timedCall("anthropic", AgentRole.PLANNER, i < 19 ? 900 : 75_000);
    for (int i = 0; i < 9; i++) timedCall("mistral", AgentRole.PLANNER, 75_000);

    List<AlertChange> pending = evaluator.evaluate();
    clock.advance(Duration.ofMinutes(5));
    for (int i = 0; i < 20; i++) timedCall("openai", AgentRole.PLANNER, i < 18 ? 900 : 75_000);
    List<AlertChange> stillPending = evaluator.evaluate();
    clock.advance(Duration.ofMinutes(5));
    List<AlertChange> fired = evaluator.evaluate();

    assertThat(pending)
        .as("anthropic's p95 is 900 ms; mistral made fewer than 10 calls")
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.alert().name()).isEqualTo("ProviderLatencyHigh");
              assertThat(c.to()).isEqualTo(AlertState.PENDING);
              assertThat(c.alert().labels()).containsExactly(Map.entry("provider", "openai"));
              assertThat(c.alert().summary()).contains("p95 latency 75 s");
            });
    assertThat(stillPending).isEmpty();
    assertThat(fired).extracting(AlertChange::to).containsExactly(AlertState.FIRING);

    clock.advance(Duration.ofMinutes(6));
    assertThat(evaluator.evaluate())
        .filteredOn(c -> c.alert().name().equals("ProviderLatencyHigh"))
        .extracting(AlertChange::to)
        .containsExactly(AlertState.RESOLVED);
  }

  @Test
  void schemaViolationsHigh_firesOverTenPercentOfAStructuredRolesCalls_notForProse_andResolves() {
    AlertEvaluator evaluator = evaluator();
    aRun("p1", "r1");
    String outline = task("r1", TaskKind.OUTLINE);
    String draft = task("r1", TaskKind.DRAFT_CHAPTER);
    for (int i = 0; i < 10; i++) timedCall("openai", AgentRole.PLANNER, 900);
    for (int i = 0; i < 10; i++) timedCall("openai", AgentRole.WRITER, 900);
    violation(outline);
    for (int i = 0; i < 5; i++) violation(draft);

    assertThat(evaluator.evaluate())
        .as("1 of 10 is 10%, not more; writers answer in prose")
        .isEmpty();

    violation(outline);
    List<AlertChange> fired = evaluator.evaluate();

    assertThat(fired)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.alert().name()).isEqualTo("SchemaViolationsHigh");
              assertThat(c.to()).isEqualTo(AlertState.FIRING);
              assertThat(c.alert().labels()).containsExactly(Map.entry("agent_role", "planner"));
              assertThat(c.alert().summary()).contains("20%");
              assertThat(c.alert().runbook()).isEqualTo("schema-violations");
            });

    clock.advance(Duration.ofMinutes(16));
    assertThat(evaluator.evaluate())
        .filteredOn(c -> c.alert().name().equals("SchemaViolationsHigh"))
        .extracting(AlertChange::to)
        .containsExactly(AlertState.RESOLVED);
  }

  @Test
  void telemetryDropping_firesOnDropsOfTheLastFiveMinutes_andResolvesFiveMinutesAfterTheLast() {
    AlertEvaluator evaluator = evaluator();
    probe.dropped = 0;
    assertThat(evaluator.evaluate()).isEmpty();

    clock.advance(Duration.ofMinutes(1));
    probe.dropped = 3;
    List<AlertChange> fired = evaluator.evaluate();
    clock.advance(Duration.ofMinutes(4));
    List<AlertChange> stillFiring = evaluator.evaluate();
    clock.advance(Duration.ofMinutes(2));
    List<AlertChange> resolved = evaluator.evaluate();

    assertThat(fired)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.alert().name()).isEqualTo("TelemetryDropping");
              assertThat(c.to()).isEqualTo(AlertState.FIRING);
              assertThat(c.alert().description()).startsWith("3 log line(s) or span(s) dropped");
              assertThat(c.alert().runbook()).isEqualTo("observability");
            });
    assertThat(stillFiring).isEmpty();
    assertThat(resolved).extracting(AlertChange::to).containsExactly(AlertState.RESOLVED);
  }

  private void deliverAll() {
    for (Notification n : store.pendingNotifications())
      store.notificationDelivered(n.id(), clock.instant());
  }

  // ---- helpers

  private void aRun(String projectId, String runId) {
    store.createProject(
        new Project(
            projectId,
            "Title " + projectId,
            "fiction",
            Optional.empty(),
            "A brief.",
            3,
            Optional.of(new BigDecimal("1.00")),
            List.of(),
            T0));
    store.createRun(runId, projectId, 7, "test", T0);
    store.transitionRun(runId, RunState.QUEUED, RunState.RUNNING, "started", T0);
  }

  private void call(String runId, String provider, String errorType) {
    call(runId, provider, errorType, AgentRole.PLANNER, 10);
  }

  private void timedCall(String provider, AgentRole role, long latencyMs) {
    call("r1", provider, null, role, latencyMs);
  }

  private void call(
      String runId, String provider, String errorType, AgentRole role, long latencyMs) {
    store.recordCall(
        new LedgerEntry(
            "c" + ++calls,
            "p1",
            runId,
            "t1",
            Stage.OUTLINE,
            role,
            0,
            provider,
            "m",
            Usage.NONE,
            Optional.of(BigDecimal.ZERO),
            Optional.empty(),
            latencyMs,
            errorType == null ? LedgerEntry.OK : LedgerEntry.ERROR,
            Optional.ofNullable(errorType),
            Optional.empty(),
            clock.instant()));
  }

  private String task(String runId, TaskKind kind) {
    String id = runId + "-" + kind.id();
    store.enqueue(id, runId, new TaskSpec(kind.id(), Stage.OUTLINE, kind, "{}"), T0);
    return id;
  }

  private void violation(String taskId) {
    store.recordEvent(
        new RunEvent(
            "r1", Optional.of(taskId), RunEvent.SCHEMA_VIOLATION, "$.x: missing", clock.instant()));
  }

  private LedgerEntry priced(String runId, String usd) {
    return new LedgerEntry(
        "c" + ++calls,
        "p1",
        runId,
        "t1",
        Stage.OUTLINE,
        AgentRole.PLANNER,
        0,
        "simulated",
        "sim-standard",
        new Usage(100, 10, 0, 0, 0),
        Optional.of(new BigDecimal(usd)),
        Optional.empty(),
        10,
        LedgerEntry.OK,
        Optional.empty(),
        Optional.empty(),
        clock.instant());
  }

  private LedgerEntry unpriced(String runId, String model) {
    LedgerEntry p = priced(runId, "0");
    return new LedgerEntry(
        p.callId(),
        p.projectId(),
        p.runId(),
        p.taskId(),
        p.stage(),
        p.role(),
        p.attempt(),
        "openai",
        model,
        p.usage(),
        Optional.empty(),
        Optional.empty(),
        p.latencyMs(),
        p.outcome(),
        p.errorType(),
        p.response(),
        p.at());
  }

  private static final class TestClock implements InstantSource {
    private Instant now = T0;

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  /**
   * The disk's figures and the telemetry's drops, set by the test: a real disk cannot be filled to
   * order here.
   */
  private static final class TestProbe implements ProcessProbe {
    long free = 900L << 30;
    long total = 1000L << 30;
    long dropped;

    @Override
    public DiskSpace disk() {
      return new DiskSpace(OptionalLong.of(free), OptionalLong.of(total));
    }

    @Override
    public long telemetryDropped() {
      return dropped;
    }
  }
}
