package org.bookcreator.notify;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertState;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.Severity;

/** Alerts and notifications as the evaluator makes them, for notifier tests. */
final class TestNotifications {
  static final Instant AT = Instant.parse("2026-11-30T10:00:00Z");

  private TestNotifications() {}

  /** Every call to {@code provider} failed: critical, labelled with the provider. */
  static Alert providerDown(String provider) {
    return alert(
        "ProviderDown",
        Severity.CRITICAL,
        Map.of("provider", provider),
        "Provider " + provider + " is down: every call failed",
        "12 of 12 calls failed in the last 2 m. Runs retry with backoff, then fail.",
        "provider-errors");
  }

  /** A run failed: a warning, labelled with the run, its project and stage. */
  static Alert runFailed(String runId) {
    return alert(
        "RunFailed",
        Severity.WARNING,
        Map.of("run_id", runId, "project_id", "prj_1", "stage", "outline"),
        "Run " + runId + " failed in stage outline",
        "The outline task failed after 5 attempts. Look at the run's diagnosis.",
        "run-failed");
  }

  static Alert alert(
      String name,
      Severity severity,
      Map<String, String> labels,
      String summary,
      String description,
      String runbook) {
    return new Alert(
        Alert.fingerprint(name, labels),
        name,
        labels,
        severity,
        AlertState.FIRING,
        summary,
        description,
        runbook,
        AT,
        Optional.of(AT),
        Optional.empty(),
        Optional.empty());
  }

  static Notification firing(String id, Alert... alerts) {
    return notification(id, Notification.FIRING, alerts);
  }

  static Notification resolved(String id, Alert... alerts) {
    return notification(id, Notification.RESOLVED, alerts);
  }

  private static Notification notification(String id, String status, Alert... alerts) {
    List<Alert> moved =
        status.equals(Notification.RESOLVED)
            ? Stream.of(alerts).map(TestNotifications::resolvedNow).toList()
            : List.of(alerts);
    return new Notification(
        id, "test", alerts[0].name() + "{}", status, moved, 0, AT.plusSeconds(10));
  }

  private static Alert resolvedNow(Alert a) {
    return new Alert(
        a.fingerprint(),
        a.name(),
        a.labels(),
        a.severity(),
        AlertState.RESOLVED,
        a.summary(),
        a.description(),
        a.runbook(),
        a.activeSince(),
        a.firedAt(),
        Optional.of(AT.plusSeconds(60)),
        a.notifiedAt());
  }
}
