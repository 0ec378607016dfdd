package org.bookcreator.core.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bookcreator.core.cost.CallTranscript;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.run.Transition;

/**
 * The durable state of every project, run, stage, task, model call and event. Every method is one
 * transaction. State changes are compare-and-set: they name the state they expect to leave, are
 * checked against the lifecycle tables ({@code RunState.TABLE} and friends), and are recorded in
 * the run's history with their reason. Implementations must be thread-safe; {@code
 * StoreContractTest} is the suite each one passes.
 *
 * <p>Failures of the underlying database surface as {@link StoreException}; a lost compare-and-set
 * as {@link org.bookcreator.core.support.IllegalTransitionException}.
 */
public interface Store extends AutoCloseable {

  // projects and runs

  void createProject(Project project);

  Optional<Project> project(String projectId);

  /** Sets or clears a project's budget (US dollars). */
  void setBudget(String projectId, Optional<java.math.BigDecimal> budgetUsd);

  /**
   * Adds a reference document path to a project (runs started afterwards read it); a path already
   * listed is not added twice. Throws {@link StoreException} when there is no such project.
   */
  void addReference(String projectId, String path);

  /** The exact cost of every priced call of a project, all runs together. */
  java.math.BigDecimal projectSpend(String projectId);

  /**
   * Every project with a budget, its budget and its {@link #projectSpend}, in one read (the
   * dashboard orders them by the share used before it shows a page of them).
   */
  List<BudgetSpend> budgetSpends();

  record BudgetSpend(
      String projectId, java.math.BigDecimal budgetUsd, java.math.BigDecimal spentUsd) {}

  /**
   * Every project with a budget and an open (queued, running or paused) run that has spent at least
   * {@code minShare} of its budget: the run, the budget and the project's spend, in one query (for
   * the budget alert rules). The share is a filter that may let a project a hair below it through;
   * callers compare the exact amounts.
   */
  List<OpenBudget> openBudgets(java.math.BigDecimal minShare);

  record OpenBudget(
      String projectId,
      String title,
      String runId,
      RunState runState,
      java.math.BigDecimal budgetUsd,
      java.math.BigDecimal spentUsd) {}

  List<Project> projects();

  /** Creates a run in state QUEUED, all its stages PENDING, numbered after the project's others. */
  Run createRun(String runId, String projectId, long seed, String reason, Instant at);

  Optional<Run> run(String runId);

  List<Run> runs(Optional<String> projectId);

  List<Run> runsIn(Set<RunState> states);

  /** Runs that completed or failed at or after {@code since}, the earliest end first. */
  List<Run> runsEndedSince(Instant since);

  /** The runs changed at or after {@code since} (any state), oldest change first. */
  List<Run> runsChangedSince(Instant since);

  // read models: filtered and paged in the store, one query per list rather than one per row

  /** Projects matching the filter, newest first, and how many match in all. */
  Page<Project> projectPage(ProjectFilter filter);

  /** Runs matching the filter, newest first, and how many match in all. */
  Page<Run> runPage(RunFilter filter);

  /** The latest run (highest number) of each of these projects that has one. */
  Map<String, Run> latestRuns(Collection<String> projectIds);

  /** {@link #totals} of many runs in one query; a run without calls maps to zero totals. */
  Map<String, RunTotals> totals(Collection<String> runIds);

  /** Moves a run from {@code from} to {@code to}, recording why. */
  Run transitionRun(String runId, RunState from, RunState to, String reason, Instant at);

  // stages

  List<StageRecord> stages(String runId);

  /**
   * Moves a stage. When the stage starts, it also becomes the run's current stage. {@code result}
   * and {@code iterations} are kept when the stage completes.
   */
  StageRecord transitionStage(
      String runId,
      Stage stage,
      StageState from,
      StageState to,
      Optional<String> result,
      int iterations,
      String reason,
      Instant at);

  // tasks

  /** Adds the task unless one with the same key exists in the run; returns the stored task. */
  Task enqueue(String taskId, String runId, TaskSpec spec, Instant at);

  Optional<Task> task(String taskId);

  List<Task> tasks(String runId);

  /**
   * The run's tasks without their inputs ({@code input} is empty): what the orchestrator needs to
   * decide the next step, without reading every prompt input back each time.
   */
  List<Task> taskOutcomes(String runId);

  /**
   * The latest change of any task of each of these runs (runs without tasks are left out): in one
   * query, for the stall detector's look at every active run.
   */
  Map<String, Instant> lastTaskChanges(Collection<String> runIds);

  /**
   * The active (queued or running) runs that may be stalled at {@code now}, in one query: no change
   * of the run or of its tasks since {@code quietSince}, a task whose lease expired before {@code
   * now}, or a critique-cap event. A superset of the stalls for every threshold at least {@code now
   * - quietSince} (the stall detector decides), so a look at 10,000 busy runs reads none of them.
   */
  List<Run> stallCandidates(Instant quietSince, Instant now);

  /**
   * Tasks held by a worker now (state LEASED, expired leases included), without their inputs, the
   * longest held first, at most {@code limit}: the workers page's current tasks and leases.
   */
  List<Task> leasedTasks(int limit);

  /** The leased tasks whose lease expired before {@code now}, without their inputs. */
  List<Task> expiredLeases(Instant now);

  /** The latest event of {@code kind} of each of these runs that has one, in one query. */
  Map<String, RunEvent> latestEvents(String kind, Collection<String> runIds);

  /**
   * Leases the next runnable task to {@code workerId} until {@code leaseUntil}: the oldest QUEUED
   * task whose backoff is over, or a LEASED task whose lease expired (a reclaim). Only tasks of
   * runs in state RUNNING are handed out.
   */
  Optional<Task> claim(String workerId, Instant now, Instant leaseUntil);

  /** Extends the lease; false when the worker no longer holds it (so it must stop working). */
  boolean renewLease(String taskId, String workerId, Instant leaseUntil);

  /** Completes a task the worker holds; false (and nothing changes) if it lost the lease. */
  boolean complete(String taskId, String workerId, String output, Instant at);

  /** Puts a held task back in the queue after a retryable failure, counting the attempt. */
  boolean retry(
      String taskId,
      String workerId,
      String errorType,
      String error,
      Instant notBefore,
      Instant at);

  /** Fails a held task for good. */
  boolean fail(String taskId, String workerId, String errorType, String error, Instant at);

  /**
   * Puts every leased task back in the queue without counting an attempt. Only for a process that
   * knows no other process can hold leases (the embedded store, locked to one process), at
   * start-up: leases left by a killed process would otherwise block their tasks until they expire.
   */
  int releaseLeases(String reason, Instant at);

  /**
   * Puts the failed and cancelled tasks of a run back in the queue (a restart); attempts are kept,
   * so new calls get new ids.
   */
  int requeueFailedTasks(String runId, String reason, Instant at);

  /** Cancels every unfinished task of a run (used when the run fails or is cancelled). */
  int cancelOpenTasks(String runId, String reason, Instant at);

  // model calls

  /** Records a call; returns false (and keeps the existing row) if the call id is already there. */
  boolean recordCall(LedgerEntry entry);

  /**
   * Writes a call's row before its request is sent (outcome {@code pending}), so that spend is in
   * the ledger even if the answer never comes. Writing the same call id twice keeps one row.
   */
  void openCall(org.bookcreator.core.cost.PendingCall call);

  /**
   * Completes the row {@link #openCall} wrote with the answer. When the worker that sent the call
   * no longer holds its task at the same claim (its lease expired and another worker took the task,
   * or a restart took it back) the row becomes {@code wasted}: paid for, not used. A call with no
   * open row is recorded as {@link #recordCall} would. Returns the outcome recorded.
   */
  String completeCall(LedgerEntry answered);

  /**
   * The answer recorded for a logical call ({@code TASK/aATTEMPT/cN}), the one a resume replays
   * instead of paying again: the latest used ({@code ok} or {@code error}) row.
   */
  Optional<LedgerEntry> answeredCall(String logicalId);

  /**
   * Marks every pending call interrupted: their answers will never come. Only for a process that
   * knows no other process can be waiting for one (the owner of the embedded store, at start-up).
   */
  int interruptPendingCalls(Instant at);

  Optional<LedgerEntry> call(String callId);

  /**
   * Answered calls made in {@code [since, until)} (the ones with a usage to price), without their
   * responses, oldest first.
   */
  List<LedgerEntry> callsBetween(Instant since, Instant until);

  /**
   * Applies repriced costs in one transaction, keeping each row's previous cost and price version
   * in the ledger history with the reason.
   */
  void applyRepricing(
      List<org.bookcreator.core.cost.Repricing.Change> changes, String reason, Instant at);

  /** The recorded repricings of a call, oldest first. */
  List<org.bookcreator.core.cost.Repricing.Change> repricingHistory(String callId);

  /** Records many calls in one transaction (imports, benchmarks); existing call ids are kept. */
  int recordCalls(List<LedgerEntry> entries);

  /**
   * Sums of the ledger rows the query covers, one line per group (one line in all without
   * grouping), ordered by the group keys. The cost of every line is the exact sum of its rows.
   */
  List<org.bookcreator.core.cost.CostLine> costReport(org.bookcreator.core.cost.CostQuery query);

  /**
   * Every provider and model with answered calls that have no price, by provider and model: what a
   * price file has to add before {@code cost reprice} can price them. Calls never answered
   * (pending, interrupted) are not among them.
   */
  List<org.bookcreator.core.cost.UnpricedModel> unpricedModels();

  /** Library analytics per category (every category with a project). */
  List<org.bookcreator.core.cost.CategoryStats> categoryStats();

  List<LedgerEntry> calls(String runId);

  /**
   * The model calls of one task, oldest first, each with its answer and what it sent (the prompt
   * kept by {@link #openCall}): the run page's view of the agents' conversation.
   */
  List<CallTranscript> transcript(String taskId);

  RunTotals totals(String runId);

  // history, events, workers

  List<Transition> history(String runId);

  void recordEvent(RunEvent event);

  /**
   * Records the event unless the run already has one of the same kind whose detail ends with {@code
   * key}; atomic, so concurrent workers record it once. Returns whether it was recorded.
   */
  boolean recordEventOnce(RunEvent event, String key);

  List<RunEvent> events(String runId);

  void heartbeat(String workerId, Instant at);

  /**
   * The last heartbeat of every worker that sent one and was not {@linkplain #forgetWorkers
   * forgotten} since.
   */
  java.util.Map<String, Instant> workerHeartbeats();

  /**
   * Forgets workers that stopped: a pool that shuts down cleanly removes its own, and the owner of
   * the embedded store, at start-up, those of an earlier process. Only workers that should still be
   * alive stay in {@link #workerHeartbeats}; an unknown id is ignored.
   */
  void forgetWorkers(Collection<String> workerIds);

  /**
   * Active (queued or running) runs per category and current stage, for the books-per-stage gauge:
   * one row for every stage of every category that has a project, zeros included, so the series
   * exist (and drop to zero) rather than vanish.
   */
  List<StageCount> activeRunsByStage();

  /** Runnable tasks waiting in the queue, per task kind: for the queue-depth gauge. */
  java.util.Map<org.bookcreator.core.run.TaskKind, Long> queuedTasksByKind();

  /** A count of active runs in one category and stage. */
  record StageCount(String category, String stage, long runs) {}

  /**
   * Runs entering and leaving each stage, per UTC hour and category, from the hour of {@code since}
   * on (all hours without it), oldest first; with {@code since}, one first line without an hour
   * sums every earlier hour, so that line's entered - left is the runs each stage held when the
   * range began. A run is in a stage while queued or running, as {@link #activeRunsByStage()}
   * counts it. Reads the V14 rollup, not the runs. With {@code byDay}, the hours of each UTC day
   * are summed into one line at its first hour (the day's hours before {@code since} stay in the
   * first line).
   */
  List<StageMoves> stageMoves(Optional<Instant> since, boolean byDay);

  /** The hour of the first recorded move between stages; empty when there is none. */
  Optional<Instant> firstStageMove();

  /** Moves of one hour (empty: every hour before the range) x category x stage. */
  record StageMoves(
      Optional<Instant> hour, String category, String stage, long entered, long left) {}

  /**
   * Per category, for the stages that iterate (structure critique: critique rounds; chapter
   * writing: drafts per chapter as the stage records them), over the completed runs: how many
   * completed the stage and their average iteration count.
   */
  List<StageIterations> completedIterations();

  record StageIterations(String category, String stage, long stages, double averageIterations) {}

  /**
   * Runs that ended completed or failed, per UTC hour, category and outcome, from the hour of
   * {@code since} on, oldest first: how many, and what they had cost when they ended (exact). A run
   * that failed and completed after a restart counts in each. Reads the V17 rollup, not the runs.
   */
  List<RunsEnded> runsEnded(Instant since);

  /** One hour x category x outcome ({@link RunState#COMPLETED} or {@link RunState#FAILED}). */
  record RunsEnded(
      Instant hour, String category, RunState outcome, long runs, java.math.BigDecimal costUsd) {}

  /**
   * Per category and stage, over the completed runs' stages that completed: how many, their summed
   * duration in milliseconds and the summed cost of their calls (exact). Reads the V17 rollup, kept
   * as runs complete; the history {@code RunForecast} averages.
   */
  List<StageHistory> stageHistory();

  record StageHistory(
      String category, Stage stage, long stages, long durationMs, java.math.BigDecimal costUsd) {}

  // alerts

  /**
   * Answered calls per provider and model since a time: how many, how many failed, how many were
   * rate-limited, how many had no price. Reads only the window (the ledger is indexed by time).
   */
  List<ModelCalls> modelCalls(Instant since);

  record ModelCalls(
      String provider, String model, long calls, long failed, long rateLimited, long unpriced) {}

  /**
   * The latency of each provider's answered calls since a time: how many, and the smallest latency
   * that at least {@code quantile} (0 to 1) of them did not exceed (the nearest-rank quantile).
   * Reads only the window.
   */
  List<CallLatency> callLatency(Instant since, double quantile);

  record CallLatency(String provider, long calls, long quantileMs) {}

  /**
   * Per agent role since a time: the calls answered without an error (those whose answer is
   * checked), and the {@link RunEvent#SCHEMA_VIOLATION} events recorded by the role's tasks. Roles
   * with neither are left out. Reads only the window.
   */
  List<RoleChecks> roleChecks(Instant since);

  record RoleChecks(org.bookcreator.core.run.AgentRole role, long answered, long violations) {}

  /**
   * Answered calls (ok, error, wasted) since a time, per agent role ({@code byRole}) or per
   * provider and model: how many, how many of each error type, and the latency quantiles p50 and
   * p95 (nearest rank) and the mean. Reads only the window, through the ledger's time index.
   */
  List<CallProfile> callProfiles(Instant since, boolean byRole);

  /** {@code keys}: the role, or the provider and the model. */
  record CallProfile(
      List<String> keys,
      long calls,
      java.util.Map<String, Long> errorsByType,
      long latencyP50Ms,
      long latencyP95Ms,
      double latencyMeanMs) {
    public CallProfile {
      keys = List.copyOf(keys);
      errorsByType = java.util.Map.copyOf(errorsByType);
    }
  }

  /** Events of a kind ({@link RunEvent#RETRY}, ...) since a time, per agent role of their task. */
  java.util.Map<org.bookcreator.core.run.AgentRole, Long> roleEvents(Instant since, String kind);

  /** The alert instances pending or firing now, of the built-in rules (none received). */
  List<org.bookcreator.core.alert.Alert> openAlerts();

  /**
   * Commits an evaluation's moves in one transaction: each instance's new state, and the move in
   * the alert history.
   */
  default void saveAlerts(List<org.bookcreator.core.alert.AlertChange> changes) {
    saveAlerts(changes, List.of());
  }

  /**
   * As {@link #saveAlerts(List)}, with the notifications about them written to the outbox in the
   * same transaction (and the announced alerts' {@code notified_at} set): a crash never leaves a
   * moved alert unannounced, nor announces one twice.
   */
  void saveAlerts(
      List<org.bookcreator.core.alert.AlertChange> changes,
      List<org.bookcreator.core.alert.OutboxWrite> outbox);

  /** Notifications not yet delivered nor given up, oldest first. */
  List<org.bookcreator.core.alert.Notification> pendingNotifications();

  /** When the latest notification of a group to a notifier was created. */
  Optional<Instant> lastNotification(String notifier, String groupKey);

  /** Pending notifications due at {@code now}, oldest due first, at most {@code limit}. */
  List<org.bookcreator.core.alert.Notification> dueNotifications(Instant now, int limit);

  /** Records a delivered notification. */
  void notificationDelivered(String id, Instant at);

  /**
   * Records a failed attempt: tried again at {@code retryAt}, or given up when it is empty. The
   * error is kept as the last error.
   */
  void notificationFailed(String id, String error, Optional<Instant> retryAt, Instant at);

  /** Notifications waiting to be delivered. */
  long outboxDepth();

  /** Moves of alert instances at or after {@code since}, newest first, at most {@code limit}. */
  List<org.bookcreator.core.alert.AlertChange> alertHistory(Instant since, int limit);

  // silences

  /** Keeps a new silence. */
  void addSilence(org.bookcreator.core.alert.Silence silence);

  /** The silences that apply at {@code at} (started, not ended), ending soonest first. */
  List<org.bookcreator.core.alert.Silence> activeSilences(Instant at);

  /**
   * Ends a silence at {@code at}, unless it had already ended (then it stays as it was).
   *
   * @return the silence afterwards; empty when there is none with that id
   */
  Optional<org.bookcreator.core.alert.Silence> endSilence(String id, Instant at);

  // alerts received from an Alertmanager

  /** The open (pending or firing) instance of a fingerprint, whatever recorded it. */
  Optional<org.bookcreator.core.alert.Alert> openAlert(String fingerprint);

  /** The instance of a fingerprint that became active at {@code activeSince}, in any state. */
  Optional<org.bookcreator.core.alert.Alert> alertInstance(String fingerprint, Instant activeSince);

  /**
   * Records a delivery of alerts from elsewhere (an Alertmanager's webhook), once: in one
   * transaction, unless {@code receipt} was recorded before, the moves of the received alerts (kept
   * apart from the evaluator's: {@link #openAlerts()} never lists them) and the notifications about
   * them.
   *
   * @return false, having changed nothing, when {@code receipt} was recorded before
   */
  boolean saveReceivedAlerts(
      String receipt,
      List<org.bookcreator.core.alert.AlertChange> changes,
      List<org.bookcreator.core.alert.OutboxWrite> outbox,
      Instant at);

  /**
   * Keeps finished spans (a span already stored is kept once), then deletes the oldest spans beyond
   * {@code maxSpans} so the local span store stays bounded.
   */
  void recordSpans(List<org.bookcreator.telemetry.SpanRecord> spans, long maxSpans);

  /** The spans of one trace, by start time. */
  List<org.bookcreator.telemetry.SpanRecord> spans(String traceId);

  /** Schema version after migrations, for diagnostics. */
  /**
   * Applies a restart plan in one transaction: each task, stage and the run must still be in the
   * state the plan saw, else {@link org.bookcreator.core.support.IllegalTransitionException} and
   * nothing changes. Superseded tasks keep their rows (and ledger rows) under a new key, so the
   * orchestrator plans fresh tasks in their place. Returns the run, now running.
   */
  org.bookcreator.core.run.Run applyRestart(
      org.bookcreator.core.run.RestartPlan plan, String reason, Instant at);

  /** Appends records to the indexed copy of the logs (best effort: callers count what fails). */
  void recordLogs(List<org.bookcreator.telemetry.LogLine> lines);

  /**
   * Records matching every filter of the query: newest first, or oldest first after {@code
   * afterId}.
   */
  List<StoredLog> logs(LogQuery query);

  /**
   * Retention of the logs' copy: deletes records older than {@code olderThan}, then the oldest
   * beyond the newest {@code maxRecords}; returns how many went. Nothing newer is touched.
   */
  int pruneLogs(Instant olderThan, long maxRecords);

  int schemaVersion();

  /**
   * Wake-ups between the processes that share this store; {@link StoreSignals#NONE} for a store
   * only one pipeline process can hold (SQLite).
   */
  default StoreSignals signals() {
    return StoreSignals.NONE;
  }

  /**
   * Tries to become the store's one active orchestrator; empty while another process is. A store
   * only one pipeline process can hold (SQLite) grants it at once: {@link Leadership#SOLE}.
   */
  default Optional<Leadership> tryLead() {
    return Optional.of(Leadership.SOLE);
  }

  /**
   * Whether the store can be used now, for readiness checks: empty when it can, else why not (a
   * database that cannot be reached, say). Answers at once: it does not wait out an outage as the
   * other calls of a server-backed store do.
   */
  default Optional<String> unavailable() {
    try {
      schemaVersion();
      runsIn(Set.of(RunState.RUNNING));
      return Optional.empty();
    } catch (StoreException e) {
      return Optional.of(e.getMessage());
    }
  }

  @Override
  void close();
}
