package org.bookcreator.core.view;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bookcreator.core.alert.Silence;
import org.bookcreator.core.ops.Diagnosis;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.LogQuery;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoredLog;
import org.bookcreator.telemetry.Telemetry;

/** What an operator looks at when something is wrong: alerts, stalls, diagnoses, traces, logs. */
public final class OperationsQueries {
  private final Store store;
  private final StallDetector.Thresholds thresholds;

  public OperationsQueries(Store store, StallDetector.Thresholds thresholds) {
    this.store = Objects.requireNonNull(store, "store");
    this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
  }

  /** Stalled runs among every queued or running one. */
  public List<StallView> stalls(Instant now) {
    return stalls(store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING)), thresholds, now);
  }

  /** Stalled runs among {@code runs}, judged by {@code by} (a command may override them). */
  public List<StallView> stalls(List<Run> runs, StallDetector.Thresholds by, Instant now) {
    return StallDetector.find(store, runs, by, now).stream()
        .map(s -> StallView.of(s, now))
        .toList();
  }

  public DiagnosisView diagnosis(Run run, Instant now) {
    return DiagnosisView.of(Diagnosis.of(store, run, thresholds, now));
  }

  public TraceView trace(String runId) {
    String traceId = Telemetry.traceIdFor(runId);
    return TraceView.of(runId, traceId, store.spans(traceId));
  }

  /**
   * Alerts pending or firing at {@code now}, firing first, then by severity and age, each with the
   * silences that apply to it.
   */
  public List<AlertView> alerts(Instant now) {
    List<Silence> silences = store.activeSilences(now);
    return store.openAlerts().stream()
        .sorted(
            java.util.Comparator.comparing((org.bookcreator.core.alert.Alert a) -> a.state())
                .reversed()
                .thenComparing(a -> a.severity(), java.util.Comparator.reverseOrder())
                .thenComparing(a -> a.activeSince()))
        .map(a -> AlertView.of(a, Silence.silencing(a, silences, now)))
        .toList();
  }

  /** The silences that apply at {@code now}, ending soonest first. */
  public List<SilenceView> silences(Instant now) {
    return store.activeSilences(now).stream().map(SilenceView::of).toList();
  }

  /** Moves of alerts since a time, newest first, at most {@code limit}. */
  public List<AlertView> alertHistory(Instant since, int limit) {
    return store.alertHistory(since, limit).stream().map(AlertView::of).toList();
  }

  /** A page of log records, newest first (or oldest first after an id). */
  public LogPage logs(LogQuery query) {
    List<StoredLog> page = store.logs(query);
    return LogPage.of(page, query.limit());
  }
}
