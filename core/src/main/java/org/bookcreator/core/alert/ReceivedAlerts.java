package org.bookcreator.core.alert;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.bookcreator.core.store.Store;

/**
 * Alerts that come from elsewhere (an Alertmanager's webhook, with Prometheus rules behind it):
 * each delivery is recorded in the alert history and handed to the notifiers its alerts are routed
 * to ({@code alerts.routes}, as the built-in alerts are), at once (the sender grouped them
 * already), unless a silence applies. A delivery is taken once: its receipt (the group key, the
 * status, and each alert's fingerprint, start and status) is recorded in the same transaction, so a
 * re-delivery changes nothing. Received alerts never reach the evaluator: it neither resolves them
 * nor lists them as its own. Thread-safe.
 */
public final class ReceivedAlerts {
  private final Store store;
  private final List<String> notifiers;
  private final List<NotificationPolicy.Route> routes;
  private final Supplier<String> ids;
  private final InstantSource clock;

  /**
   * @param notifiers the notifiers received alerts go to (not those that send to an Alertmanager:
   *     that would send them back where they came from)
   * @param ids new notification ids
   */
  public ReceivedAlerts(
      Store store, List<String> notifiers, Supplier<String> ids, InstantSource clock) {
    this(store, notifiers, List.of(), ids, clock);
  }

  /**
   * @param notifiers the notifiers received alerts may go to (not those that send to an
   *     Alertmanager: that would send them back where they came from)
   * @param routes the first route an alert matches names its notifiers (those of them in {@code
   *     notifiers}); an alert no route matches goes to every one of {@code notifiers}
   * @param ids new notification ids
   */
  public ReceivedAlerts(
      Store store,
      List<String> notifiers,
      List<NotificationPolicy.Route> routes,
      Supplier<String> ids,
      InstantSource clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.notifiers = List.copyOf(notifiers);
    this.routes = List.copyOf(routes);
    this.ids = Objects.requireNonNull(ids, "ids");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * One delivery: alerts the sender grouped under {@code groupKey}, the group {@code firing} or
   * {@code resolved}. Each alert is FIRING or RESOLVED, with {@code activeSince} its start.
   */
  public record Group(String groupKey, String status, List<Alert> alerts) {
    public Group {
      Objects.requireNonNull(groupKey, "groupKey");
      if (!Notification.FIRING.equals(status) && !Notification.RESOLVED.equals(status))
        throw new IllegalArgumentException("status: must be firing or resolved, got " + status);
      alerts = List.copyOf(alerts);
      if (alerts.isEmpty()) throw new IllegalArgumentException("alerts: must not be empty");
      Set<String> seen = new HashSet<>();
      for (Alert a : alerts) {
        if (a.state() == AlertState.PENDING)
          throw new IllegalArgumentException("alerts: a received alert is firing or resolved");
        if (!seen.add(a.fingerprint()))
          throw new IllegalArgumentException(
              "alerts: the fingerprint " + a.fingerprint() + " is there twice");
      }
    }
  }

  /** What a delivery did: nothing (a re-delivery), or the moves and notifications it recorded. */
  public record Outcome(boolean duplicate, int moves, int notifications) {}

  /**
   * Records a delivery and its notifications, once: a delivery whose receipt is recorded already
   * changes nothing and answers a duplicate.
   */
  public Outcome receive(Group group) {
    Instant now = clock.instant();
    List<AlertChange> changes = new ArrayList<>();
    List<Alert> announced = new ArrayList<>();
    for (Alert received : group.alerts()) {
      // The sender's clock may run ahead: a move is never recorded before its alert started.
      Instant at = received.activeSince().isAfter(now) ? received.activeSince() : now;
      Alert a =
          received.state() == AlertState.RESOLVED
              ? received.moved(AlertState.RESOLVED, at)
              : received;
      store
          .openAlert(a.fingerprint())
          .filter(open -> open.activeSince().toEpochMilli() != a.activeSince().toEpochMilli())
          .ifPresent(
              // The sender moved on to a new instance; the one we still hold open is over.
              stale ->
                  changes.add(
                      new AlertChange(
                          stale.moved(AlertState.RESOLVED, at),
                          Optional.of(stale.state()),
                          AlertState.RESOLVED,
                          at)));
      Optional<Alert> known = store.alertInstance(a.fingerprint(), a.activeSince());
      if (known.isEmpty()) {
        changes.add(new AlertChange(a, Optional.empty(), a.state(), at));
      } else if (known.get().state() != AlertState.RESOLVED && a.state() == AlertState.RESOLVED) {
        changes.add(new AlertChange(a, Optional.of(known.get().state()), AlertState.RESOLVED, at));
      }
      announced.add(a);
    }
    List<Silence> silences = store.activeSilences(now);
    announced.removeIf(a -> !Silence.silencing(a, silences, now).isEmpty());
    List<OutboxWrite> outbox = new ArrayList<>();
    for (String status : List.of(Notification.FIRING, Notification.RESOLVED)) {
      AlertState state =
          status.equals(Notification.FIRING) ? AlertState.FIRING : AlertState.RESOLVED;
      Map<String, List<Alert>> routed = new LinkedHashMap<>();
      for (String n : notifiers) routed.put(n, new ArrayList<>());
      for (Alert a : announced) {
        if (a.state() != state) continue;
        for (String n : notifiersFor(a)) routed.get(n).add(a);
      }
      routed.forEach(
          (notifier, these) -> {
            if (!these.isEmpty())
              outbox.add(
                  new OutboxWrite.Insert(
                      new Notification(
                          ids.get(), notifier, group.groupKey(), status, these, 0, now),
                      now));
          });
    }
    boolean taken = store.saveReceivedAlerts(receipt(group), changes, outbox, now);
    return taken ? new Outcome(false, changes.size(), outbox.size()) : new Outcome(true, 0, 0);
  }

  /** The notifiers of the first route {@code a} matches that take received alerts, or all. */
  private List<String> notifiersFor(Alert a) {
    for (NotificationPolicy.Route r : routes)
      if (r.matches(a)) return r.notifiers().stream().filter(notifiers::contains).toList();
    return notifiers;
  }

  /**
   * The identity of a delivery: its group key and status, and each alert's fingerprint, start and
   * status (an alert of the group that resolves while others still fire changes it; a retry of the
   * same delivery does not).
   */
  static String receipt(Group group) {
    List<String> alerts = new ArrayList<>();
    for (Alert a : group.alerts())
      alerts.add(a.fingerprint() + "\0" + a.activeSince() + "\0" + a.state());
    alerts.sort(null);
    String key = group.groupKey() + "\0" + group.status() + "\0" + String.join("\0", alerts);
    return HexFormat.of().formatHex(Alert.sha256(key));
  }
}
