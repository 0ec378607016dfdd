package org.bookcreator.store.jdbc;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertChange;
import org.bookcreator.core.alert.AlertState;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.OutboxWrite;
import org.bookcreator.core.alert.Silence;
import org.bookcreator.core.support.IllegalTransitionException;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.node.ArrayNode;

/** Alerts, their history, silences and the notification outbox. */
final class Alerts extends Part {
  Alerts(Db db) {
    super(db);
  }

  public List<Alert> openAlerts() {
    return tx(
        "read open alerts",
        () ->
            query(
                "SELECT * FROM alerts WHERE state <> 'RESOLVED' AND source = ? ORDER BY"
                    + " active_since, fingerprint",
                Rows::alert,
                OWN_ALERTS));
  }

  /** The source of the evaluator's alerts; received ones are {@link #RECEIVED_ALERTS}. */
  private static final String OWN_ALERTS = "book-creator";

  private static final String RECEIVED_ALERTS = "alertmanager";

  /** A receipt of received alerts is kept this long: a re-delivery comes within minutes. */
  private static final Duration RECEIPTS_KEPT = Duration.ofDays(30);

  public Optional<Alert> openAlert(String fingerprint) {
    return tx(
        "read an open alert",
        () ->
            one(
                "SELECT * FROM alerts WHERE fingerprint = ? AND state <> 'RESOLVED'",
                Rows::alert,
                fingerprint));
  }

  public Optional<Alert> alertInstance(String fingerprint, Instant activeSince) {
    return tx(
        "read an alert",
        () ->
            one(
                "SELECT * FROM alerts WHERE fingerprint = ? AND active_since = ?",
                Rows::alert,
                fingerprint,
                activeSince));
  }

  public boolean saveReceivedAlerts(
      String receipt, List<AlertChange> changes, List<OutboxWrite> outbox, Instant at) {
    return tx(
        "record " + changes.size() + " received alert change(s)",
        () -> {
          update("DELETE FROM alert_receipts WHERE received_at < ?", at.minus(RECEIPTS_KEPT));
          if (update(
                  "INSERT INTO alert_receipts(receipt, received_at) VALUES (?,?) ON CONFLICT DO"
                      + " NOTHING",
                  receipt,
                  at)
              == 0) return false;
          writeAlertChanges(changes, RECEIVED_ALERTS);
          for (OutboxWrite w : outbox) writeOutbox(w);
          return true;
        });
  }

  // ---- silences

  public void addSilence(Silence s) {
    ArrayNode matchers = Json.MAPPER.createArrayNode();
    for (Silence.Matcher m : s.matchers()) {
      matchers.addObject().put("name", m.name()).put("op", m.op().name()).put("value", m.value());
    }
    tx(
        "record a silence",
        () ->
            update(
                "INSERT INTO silences(id, matchers, starts_at, ends_at, reason, created_by,"
                    + " created_at) VALUES (?,?,?,?,?,?,?)",
                s.id(),
                Json.write(matchers),
                s.startsAt(),
                s.endsAt(),
                s.reason(),
                s.createdBy(),
                s.createdAt()));
  }

  public List<Silence> activeSilences(Instant at) {
    return tx(
        "read silences",
        () ->
            query(
                "SELECT * FROM silences WHERE ends_at > ? AND starts_at <= ? ORDER BY ends_at, id",
                Rows::silence,
                at,
                at));
  }

  public Optional<Silence> endSilence(String id, Instant at) {
    return tx(
        "end a silence",
        () -> {
          update("UPDATE silences SET ends_at = ? WHERE id = ? AND ends_at > ?", at, id, at);
          return one("SELECT * FROM silences WHERE id = ?", Rows::silence, id);
        });
  }

  public void saveAlerts(List<AlertChange> changes, List<OutboxWrite> outbox) {
    tx(
        "record " + changes.size() + " alert change(s)",
        () -> {
          writeAlertChanges(changes, OWN_ALERTS);
          for (OutboxWrite w : outbox) writeOutbox(w);
          return null;
        });
  }

  private void writeOutbox(OutboxWrite w) throws SQLException {
    Notification n =
        switch (w) {
          case OutboxWrite.Insert i -> i.notification();
          case OutboxWrite.Extend e -> e.notification();
        };
    String alerts = Rows.alertsJson(n.alerts());
    if (w instanceof OutboxWrite.Insert i) {
      update(
          "INSERT INTO notifications(id, notifier, group_key, status, alerts, state, attempts,"
              + " next_attempt_at, created_at) VALUES (?,?,?,?,?,'pending',0,?,?)",
          n.id(),
          n.notifier(),
          n.groupKey(),
          n.status(),
          alerts,
          i.dueAt(),
          n.createdAt());
    } else if (update(
            "UPDATE notifications SET alerts = ? WHERE id = ? AND state = 'pending' AND attempts ="
                + " 0",
            alerts,
            n.id())
        == 0) {
      throw new IllegalTransitionException("notification " + n.id() + " is no longer waiting");
    }
    for (Alert a : n.alerts()) {
      update(
          "UPDATE alerts SET notified_at = ? WHERE fingerprint = ? AND active_since = ?",
          n.createdAt(),
          a.fingerprint(),
          a.activeSince());
    }
  }

  public List<Notification> pendingNotifications() {
    return tx(
        "read pending notifications",
        () ->
            query(
                "SELECT * FROM notifications WHERE state = 'pending' ORDER BY created_at, id",
                Rows::notification));
  }

  public Optional<Instant> lastNotification(String notifier, String groupKey) {
    return tx(
            "read the last notification of a group",
            () ->
                one(
                    "SELECT MAX(created_at) FROM notifications WHERE notifier = ? AND group_key ="
                        + " ?",
                    rs -> Rows.instant(rs, "MAX(created_at)"),
                    notifier,
                    groupKey))
        .flatMap(t -> t);
  }

  public List<Notification> dueNotifications(Instant now, int limit) {
    return tx(
        "read due notifications",
        () ->
            query(
                "SELECT * FROM notifications WHERE state = 'pending' AND next_attempt_at <= ? ORDER"
                    + " BY next_attempt_at, id LIMIT ?",
                Rows::notification,
                now,
                limit));
  }

  public void notificationDelivered(String id, Instant at) {
    tx(
        "record a delivered notification",
        () ->
            update(
                "UPDATE notifications SET state = 'delivered', attempts = attempts + 1,"
                    + " finished_at = ? WHERE id = ? AND state = 'pending'",
                at,
                id));
  }

  public void notificationFailed(String id, String error, Optional<Instant> retryAt, Instant at) {
    tx(
        "record a failed notification",
        () ->
            retryAt.isPresent()
                ? update(
                    "UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?,"
                        + " last_error = ? WHERE id = ? AND state = 'pending'",
                    retryAt.get(),
                    error,
                    id)
                : update(
                    "UPDATE notifications SET state = 'given_up', attempts = attempts + 1,"
                        + " finished_at = ?, last_error = ? WHERE id = ? AND state = 'pending'",
                    at,
                    error,
                    id));
  }

  public long outboxDepth() {
    return tx(
        "count waiting notifications",
        () ->
            one("SELECT COUNT(*) FROM notifications WHERE state = 'pending'", rs -> rs.getLong(1))
                .orElse(0L));
  }

  private void writeAlertChanges(List<AlertChange> changes, String source) throws SQLException {
    {
      for (AlertChange c : changes) {
        Alert a = c.alert();
        String labels = Json.write(a.labels());
        if (c.from().isEmpty()) {
          update(
              "INSERT INTO alerts(fingerprint, name, labels, severity, state, summary,"
                  + " description, runbook, active_since, fired_at, resolved_at, source) VALUES"
                  + " (?,?,?,?,?,?,?,?,?,?,?,?)",
              a.fingerprint(),
              a.name(),
              labels,
              a.severity(),
              a.state(),
              a.summary(),
              a.description(),
              a.runbook(),
              a.activeSince(),
              a.firedAt(),
              a.resolvedAt(),
              source);
        } else if (update(
                "UPDATE alerts SET state = ?, summary = ?, description = ?, fired_at = ?,"
                    + " resolved_at = ? WHERE fingerprint = ? AND active_since = ? AND state ="
                    + " ?",
                a.state(),
                a.summary(),
                a.description(),
                a.firedAt(),
                a.resolvedAt(),
                a.fingerprint(),
                a.activeSince(),
                c.from().get())
            == 0) {
          throw new IllegalTransitionException(
              "alert " + a.name() + " " + a.fingerprint() + " is no longer " + c.from().get());
        }
        update(
            "INSERT INTO alert_history(fingerprint, name, labels, severity, from_state,"
                + " to_state, summary, at) VALUES (?,?,?,?,?,?,?,?)",
            a.fingerprint(),
            a.name(),
            labels,
            a.severity(),
            c.from(),
            c.to(),
            a.summary(),
            c.at());
      }
    }
  }

  public List<AlertChange> alertHistory(Instant since, int limit) {
    return tx(
        "read alert history",
        () ->
            query(
                "SELECT h.*, a.state, a.description, a.runbook, a.active_since, a.fired_at,"
                    + " a.notified_at, a.resolved_at FROM alert_history h JOIN alerts a ON"
                    + " a.fingerprint = h.fingerprint AND a.active_since <= h.at AND (a.resolved_at"
                    + " IS NULL OR a.resolved_at >= h.at) WHERE h.at >= ? ORDER BY h.id DESC LIMIT"
                    + " ?",
                rs ->
                    new AlertChange(
                        Rows.alert(rs),
                        Rows.str(rs, "from_state").map(AlertState::valueOf),
                        AlertState.valueOf(rs.getString("to_state")),
                        Instant.ofEpochMilli(rs.getLong("at"))),
                since,
                limit));
  }
}
