package org.bookcreator.store.jdbc;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertChange;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.OutboxWrite;
import org.bookcreator.core.alert.Silence;
import org.bookcreator.core.cost.CallTranscript;
import org.bookcreator.core.cost.CategoryStats;
import org.bookcreator.core.cost.CostLine;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.cost.PendingCall;
import org.bookcreator.core.cost.Repricing;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.cost.UnpricedModel;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.run.Transition;
import org.bookcreator.core.store.Page;
import org.bookcreator.core.store.ProjectFilter;
import org.bookcreator.core.store.RunFilter;
import org.bookcreator.core.store.Store;
import org.bookcreator.telemetry.SpanRecord;

/**
 * The store over JDBC, one engine or the other: each part keeps one kind of thing over the shared
 * core ({@link Db}); this class only hands each call to its part.
 */
public abstract class JdbcStore implements Store {
  private final Projects projects;
  private final Runs runs;
  private final TaskQueue taskQueue;
  private final Ledger ledger;
  private final Events events;
  private final Alerts alerts;
  private final Spans spans;
  private final Logs logs;

  /** The three databases (the library, the span store, the logs' copy), for {@link StoreCopy}. */
  final Db db;

  final Db spanDb;
  final Db logDb;

  protected JdbcStore(Db db, Db spanDb, Db logDb) {
    this.db = db;
    this.spanDb = spanDb;
    this.logDb = logDb;
    projects = new Projects(db);
    runs = new Runs(db);
    ledger = new Ledger(db);
    taskQueue = new TaskQueue(db, runs, ledger);
    events = new Events(db);
    alerts = new Alerts(db);
    spans = new Spans(spanDb);
    logs = new Logs(logDb);
  }

  /**
   * Tries the store once, without waiting out an outage; while the database cannot be reached,
   * since when and why.
   */
  @Override
  public Optional<String> unavailable() {
    Optional<String> now = db.withoutWaiting(Store.super::unavailable);
    return now.map(
        why ->
            db.outage().map(o -> "unreachable since " + o.since() + ": " + o.cause()).orElse(why));
  }

  @Override
  public void createProject(Project p) {
    projects.createProject(p);
  }

  @Override
  public void setBudget(String projectId, Optional<BigDecimal> budgetUsd) {
    projects.setBudget(projectId, budgetUsd);
  }

  @Override
  public void addReference(String projectId, String path) {
    projects.addReference(projectId, path);
  }

  @Override
  public BigDecimal projectSpend(String projectId) {
    return projects.projectSpend(projectId);
  }

  @Override
  public List<BudgetSpend> budgetSpends() {
    return projects.budgetSpends();
  }

  @Override
  public List<OpenBudget> openBudgets(BigDecimal minShare) {
    return projects.openBudgets(minShare);
  }

  @Override
  public Optional<Project> project(String projectId) {
    return projects.project(projectId);
  }

  @Override
  public List<Project> projects() {
    return projects.projects();
  }

  @Override
  public Page<Project> projectPage(ProjectFilter f) {
    return projects.projectPage(f);
  }

  @Override
  public Run createRun(String runId, String projectId, long seed, String reason, Instant at) {
    return runs.createRun(runId, projectId, seed, reason, at);
  }

  @Override
  public Optional<Run> run(String runId) {
    return runs.run(runId);
  }

  @Override
  public List<Run> runs(Optional<String> projectId) {
    return runs.runs(projectId);
  }

  @Override
  public List<Run> runsIn(Set<RunState> states) {
    return runs.runsIn(states);
  }

  @Override
  public List<Run> runsEndedSince(Instant since) {
    return runs.runsEndedSince(since);
  }

  @Override
  public List<Run> runsChangedSince(Instant since) {
    return runs.runsChangedSince(since);
  }

  @Override
  public Run transitionRun(String runId, RunState from, RunState to, String reason, Instant at) {
    return runs.transitionRun(runId, from, to, reason, at);
  }

  @Override
  public List<StageRecord> stages(String runId) {
    return runs.stages(runId);
  }

  @Override
  public StageRecord transitionStage(
      String runId,
      Stage stage,
      StageState from,
      StageState to,
      Optional<String> result,
      int iterations,
      String reason,
      Instant at) {
    return runs.transitionStage(runId, stage, from, to, result, iterations, reason, at);
  }

  @Override
  public List<Run> stallCandidates(Instant quietSince, Instant now) {
    return runs.stallCandidates(quietSince, now);
  }

  @Override
  public Page<Run> runPage(RunFilter f) {
    return runs.runPage(f);
  }

  @Override
  public Map<String, Run> latestRuns(Collection<String> projectIds) {
    return runs.latestRuns(projectIds);
  }

  @Override
  public List<Transition> history(String runId) {
    return runs.history(runId);
  }

  @Override
  public List<StageMoves> stageMoves(Optional<Instant> since, boolean byDay) {
    return runs.stageMoves(since, byDay);
  }

  @Override
  public Optional<Instant> firstStageMove() {
    return runs.firstStageMove();
  }

  @Override
  public List<StageIterations> completedIterations() {
    return runs.completedIterations();
  }

  @Override
  public List<RunsEnded> runsEnded(Instant since) {
    return runs.runsEnded(since);
  }

  @Override
  public List<StageHistory> stageHistory() {
    return runs.stageHistory();
  }

  @Override
  public List<StageCount> activeRunsByStage() {
    return runs.activeRunsByStage();
  }

  @Override
  public Task enqueue(String taskId, String runId, TaskSpec spec, Instant at) {
    return taskQueue.enqueue(taskId, runId, spec, at);
  }

  @Override
  public Optional<Task> task(String taskId) {
    return taskQueue.task(taskId);
  }

  @Override
  public List<Task> tasks(String runId) {
    return taskQueue.tasks(runId);
  }

  @Override
  public List<Task> taskOutcomes(String runId) {
    return taskQueue.taskOutcomes(runId);
  }

  @Override
  public Map<String, Instant> lastTaskChanges(Collection<String> runIds) {
    return taskQueue.lastTaskChanges(runIds);
  }

  @Override
  public List<Task> leasedTasks(int limit) {
    return taskQueue.leasedTasks(limit);
  }

  @Override
  public List<Task> expiredLeases(Instant now) {
    return taskQueue.expiredLeases(now);
  }

  @Override
  public Optional<Task> claim(String workerId, Instant now, Instant leaseUntil) {
    return taskQueue.claim(workerId, now, leaseUntil);
  }

  @Override
  public boolean renewLease(String taskId, String workerId, Instant leaseUntil) {
    return taskQueue.renewLease(taskId, workerId, leaseUntil);
  }

  @Override
  public boolean complete(String taskId, String workerId, String output, Instant at) {
    return taskQueue.complete(taskId, workerId, output, at);
  }

  @Override
  public boolean retry(
      String taskId,
      String workerId,
      String errorType,
      String error,
      Instant notBefore,
      Instant at) {
    return taskQueue.retry(taskId, workerId, errorType, error, notBefore, at);
  }

  @Override
  public boolean fail(String taskId, String workerId, String errorType, String error, Instant at) {
    return taskQueue.fail(taskId, workerId, errorType, error, at);
  }

  @Override
  public int releaseLeases(String reason, Instant at) {
    return taskQueue.releaseLeases(reason, at);
  }

  @Override
  public Run applyRestart(org.bookcreator.core.run.RestartPlan plan, String reason, Instant at) {
    return taskQueue.applyRestart(plan, reason, at);
  }

  @Override
  public int requeueFailedTasks(String runId, String reason, Instant at) {
    return taskQueue.requeueFailedTasks(runId, reason, at);
  }

  @Override
  public int cancelOpenTasks(String runId, String reason, Instant at) {
    return taskQueue.cancelOpenTasks(runId, reason, at);
  }

  @Override
  public java.util.Map<TaskKind, Long> queuedTasksByKind() {
    return taskQueue.queuedTasksByKind();
  }

  @Override
  public boolean recordCall(LedgerEntry e) {
    return ledger.recordCall(e);
  }

  @Override
  public void openCall(PendingCall c) {
    ledger.openCall(c);
  }

  @Override
  public String completeCall(LedgerEntry e) {
    return ledger.completeCall(e);
  }

  @Override
  public Optional<LedgerEntry> answeredCall(String logicalId) {
    return ledger.answeredCall(logicalId);
  }

  @Override
  public int interruptPendingCalls(Instant at) {
    return ledger.interruptPendingCalls(at);
  }

  @Override
  public int recordCalls(List<LedgerEntry> entries) {
    return ledger.recordCalls(entries);
  }

  @Override
  public List<LedgerEntry> callsBetween(Instant since, Instant until) {
    return ledger.callsBetween(since, until);
  }

  @Override
  public void applyRepricing(List<Repricing.Change> changes, String reason, Instant at) {
    ledger.applyRepricing(changes, reason, at);
  }

  @Override
  public List<Repricing.Change> repricingHistory(String callId) {
    return ledger.repricingHistory(callId);
  }

  @Override
  public List<CostLine> costReport(CostQuery q) {
    return ledger.costReport(q);
  }

  @Override
  public List<UnpricedModel> unpricedModels() {
    return ledger.unpricedModels();
  }

  @Override
  public List<CategoryStats> categoryStats() {
    return ledger.categoryStats();
  }

  @Override
  public Optional<LedgerEntry> call(String callId) {
    return ledger.call(callId);
  }

  @Override
  public List<LedgerEntry> calls(String runId) {
    return ledger.calls(runId);
  }

  @Override
  public List<CallTranscript> transcript(String taskId) {
    return ledger.transcript(taskId);
  }

  @Override
  public RunTotals totals(String runId) {
    return ledger.totals(runId);
  }

  @Override
  public Map<String, RunTotals> totals(Collection<String> runIds) {
    return ledger.totals(runIds);
  }

  @Override
  public List<CallLatency> callLatency(Instant since, double quantile) {
    return ledger.callLatency(since, quantile);
  }

  @Override
  public List<CallProfile> callProfiles(Instant since, boolean byRole) {
    return ledger.callProfiles(since, byRole);
  }

  @Override
  public List<ModelCalls> modelCalls(Instant since) {
    return ledger.modelCalls(since);
  }

  @Override
  public Map<String, RunEvent> latestEvents(String kind, Collection<String> runIds) {
    return events.latestEvents(kind, runIds);
  }

  @Override
  public void recordEvent(RunEvent e) {
    events.recordEvent(e);
  }

  @Override
  public boolean recordEventOnce(RunEvent e, String key) {
    return events.recordEventOnce(e, key);
  }

  @Override
  public List<RunEvent> events(String runId) {
    return events.events(runId);
  }

  @Override
  public void heartbeat(String workerId, Instant at) {
    events.heartbeat(workerId, at);
  }

  @Override
  public java.util.Map<String, Instant> workerHeartbeats() {
    return events.workerHeartbeats();
  }

  @Override
  public void forgetWorkers(Collection<String> workerIds) {
    events.forgetWorkers(workerIds);
  }

  @Override
  public List<RoleChecks> roleChecks(Instant since) {
    return events.roleChecks(since);
  }

  @Override
  public Map<AgentRole, Long> roleEvents(Instant since, String kind) {
    return events.roleEvents(since, kind);
  }

  @Override
  public List<Alert> openAlerts() {
    return alerts.openAlerts();
  }

  @Override
  public Optional<Alert> openAlert(String fingerprint) {
    return alerts.openAlert(fingerprint);
  }

  @Override
  public Optional<Alert> alertInstance(String fingerprint, Instant activeSince) {
    return alerts.alertInstance(fingerprint, activeSince);
  }

  @Override
  public boolean saveReceivedAlerts(
      String receipt, List<AlertChange> changes, List<OutboxWrite> outbox, Instant at) {
    return alerts.saveReceivedAlerts(receipt, changes, outbox, at);
  }

  @Override
  public void addSilence(Silence s) {
    alerts.addSilence(s);
  }

  @Override
  public List<Silence> activeSilences(Instant at) {
    return alerts.activeSilences(at);
  }

  @Override
  public Optional<Silence> endSilence(String id, Instant at) {
    return alerts.endSilence(id, at);
  }

  @Override
  public void saveAlerts(List<AlertChange> changes, List<OutboxWrite> outbox) {
    alerts.saveAlerts(changes, outbox);
  }

  @Override
  public List<Notification> pendingNotifications() {
    return alerts.pendingNotifications();
  }

  @Override
  public Optional<Instant> lastNotification(String notifier, String groupKey) {
    return alerts.lastNotification(notifier, groupKey);
  }

  @Override
  public List<Notification> dueNotifications(Instant now, int limit) {
    return alerts.dueNotifications(now, limit);
  }

  @Override
  public void notificationDelivered(String id, Instant at) {
    alerts.notificationDelivered(id, at);
  }

  @Override
  public void notificationFailed(String id, String error, Optional<Instant> retryAt, Instant at) {
    alerts.notificationFailed(id, error, retryAt, at);
  }

  @Override
  public long outboxDepth() {
    return alerts.outboxDepth();
  }

  @Override
  public List<AlertChange> alertHistory(Instant since, int limit) {
    return alerts.alertHistory(since, limit);
  }

  @Override
  public void recordSpans(List<SpanRecord> spans, long maxSpans) {
    this.spans.recordSpans(spans, maxSpans);
  }

  @Override
  public List<SpanRecord> spans(String traceId) {
    return spans.spans(traceId);
  }

  @Override
  public void recordLogs(List<org.bookcreator.telemetry.LogLine> lines) {
    logs.recordLogs(lines);
  }

  @Override
  public List<org.bookcreator.core.store.StoredLog> logs(org.bookcreator.core.store.LogQuery q) {
    return logs.logs(q);
  }

  @Override
  public int pruneLogs(Instant olderThan, long maxRecords) {
    return logs.pruneLogs(olderThan, maxRecords);
  }

  /**
   * The cost report summed from the ledger rows, never the rollups: what tests compare them with.
   */
  public List<CostLine> costReportFromLedger(CostQuery q) {
    return ledger.costReportFromLedger(q);
  }
}
