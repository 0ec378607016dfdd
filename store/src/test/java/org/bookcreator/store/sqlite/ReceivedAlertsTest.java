package org.bookcreator.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertChange;
import org.bookcreator.core.alert.AlertEvaluator;
import org.bookcreator.core.alert.AlertState;
import org.bookcreator.core.alert.BuiltInRules;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.ProcessProbe;
import org.bookcreator.core.alert.ReceivedAlerts;
import org.bookcreator.core.alert.Severity;
import org.bookcreator.core.alert.Silences;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Ids;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts an Alertmanager posts: recorded in the history and handed to the notifiers once per
 * delivery, kept apart from the evaluator's, and silenced like them.
 */
class ReceivedAlertsTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  private static final String GROUP = "{}:{alertname=\"HighLatency\"}";

  @TempDir Path dir;
  private Store store;
  private Instant now = T0.plusSeconds(5);
  private final InstantSource clock = () -> now;
  private final AtomicInteger ids = new AtomicInteger();
  private ReceivedAlerts received;

  @BeforeEach
  void open() {
    store = SqliteStore.open(dir.resolve("data"), true);
    received =
        new ReceivedAlerts(
            store, List.of("hook", "desktop"), () -> "ntf" + ids.incrementAndGet(), clock);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static Alert latency(String fingerprint, AlertState state, Instant startsAt) {
    return new Alert(
        fingerprint,
        "HighLatency",
        Map.of("job", "book-creator", "severity", "page"),
        Severity.WARNING,
        state,
        "p95 latency is high",
        "p95 over 60 s for 10 m",
        "https://runbooks.example.com/latency",
        startsAt,
        Optional.of(startsAt),
        Optional.empty(),
        Optional.empty());
  }

  private static ReceivedAlerts.Group group(String status, Alert... alerts) {
    return new ReceivedAlerts.Group(GROUP, status, List.of(alerts));
  }

  @Test
  void aDelivery_isRecordedAndNotified_once_andARedeliveryChangesNothing() {
    ReceivedAlerts.Group firing = group("firing", latency("aa01", AlertState.FIRING, T0));

    ReceivedAlerts.Outcome first = received.receive(firing);
    ReceivedAlerts.Outcome again = received.receive(firing);

    assertThat(first).isEqualTo(new ReceivedAlerts.Outcome(false, 1, 2));
    assertThat(again.duplicate()).isTrue();
    assertThat(store.pendingNotifications())
        .hasSize(2)
        .allSatisfy(
            n -> {
              assertThat(n.groupKey()).isEqualTo(GROUP);
              assertThat(n.status()).isEqualTo(Notification.FIRING);
              assertThat(n.alerts()).extracting(Alert::name).containsExactly("HighLatency");
            })
        .extracting(Notification::notifier)
        .containsExactly("hook", "desktop");
    assertThat(store.dueNotifications(now, 10)).as("sent at once: the sender grouped").hasSize(2);
    assertThat(store.alertHistory(T0, 10))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.to()).isEqualTo(AlertState.FIRING);
              assertThat(c.alert().labels()).containsEntry("severity", "page");
              assertThat(c.alert().runbookLink()).isEqualTo("https://runbooks.example.com/latency");
            });
  }

  @Test
  void receivedAlerts_areNotTheEvaluators_itNeitherListsNorResolvesThem() {
    received.receive(group("firing", latency("aa01", AlertState.FIRING, T0)));

    new AlertEvaluator(
            store,
            BuiltInRules.defaults(),
            clock,
            StallDetector.Thresholds.of(Duration.ofMinutes(10)),
            ProcessProbe.NONE)
        .evaluate();

    assertThat(store.openAlerts()).isEmpty();
    assertThat(store.openAlert("aa01")).map(Alert::state).contains(AlertState.FIRING);
    assertThat(store.alertHistory(T0, 10)).hasSize(1);
  }

  @Test
  void aResolution_movesTheAlert_andAMixedGroupNotifiesEachStatusApart() {
    received.receive(group("firing", latency("aa01", AlertState.FIRING, T0)));
    now = now.plusSeconds(60);

    ReceivedAlerts.Outcome mixed =
        received.receive(
            group(
                "firing",
                latency("aa01", AlertState.RESOLVED, T0),
                latency("bb02", AlertState.FIRING, T0.plusSeconds(30))));

    assertThat(mixed).isEqualTo(new ReceivedAlerts.Outcome(false, 2, 4));
    assertThat(store.alertHistory(T0, 10))
        .extracting(c -> c.alert().fingerprint() + " " + c.from().orElse(null) + "->" + c.to())
        .containsExactlyInAnyOrder(
            "aa01 null->FIRING", "aa01 FIRING->RESOLVED", "bb02 null->FIRING");
    assertThat(store.pendingNotifications())
        .filteredOn(n -> n.status().equals(Notification.RESOLVED))
        .hasSize(2)
        .allSatisfy(
            n ->
                assertThat(n.alerts())
                    .singleElement()
                    .satisfies(a -> assertThat(a.resolvedAt()).contains(now)));
  }

  @Test
  void anAlertThatStartsAgain_closesTheInstanceStillOpen_andOpensANewOne() {
    received.receive(group("firing", latency("aa01", AlertState.FIRING, T0)));
    now = now.plus(Duration.ofHours(1));

    received.receive(
        group("firing", latency("aa01", AlertState.FIRING, T0.plus(Duration.ofHours(1)))));

    assertThat(store.openAlert("aa01").orElseThrow().activeSince())
        .isEqualTo(T0.plus(Duration.ofHours(1)));
    assertThat(store.alertInstance("aa01", T0).orElseThrow().state())
        .isEqualTo(AlertState.RESOLVED);
  }

  @Test
  void theSameAlertInAnotherGroup_isTheSameInstance_evenWithATimeFinerThanTheStoreKeeps() {
    Instant fine = T0.plusNanos(123_456_789);
    received.receive(group("firing", latency("aa01", AlertState.FIRING, fine)));

    ReceivedAlerts.Outcome other =
        received.receive(
            new ReceivedAlerts.Group(
                "{}:{job=\"book-creator\"}",
                "firing",
                List.of(latency("aa01", AlertState.FIRING, fine))));

    assertThat(other).isEqualTo(new ReceivedAlerts.Outcome(false, 0, 2));
    assertThat(store.alertHistory(T0, 10)).hasSize(1);
  }

  /** Routes apply to received alerts as to the built-in ones: the first match names who hears. */
  @Test
  void aDelivery_goesWhereItsAlertsAreRouted_andOnlyToNotifiersThatTakeReceivedAlerts() {
    ReceivedAlerts routed =
        new ReceivedAlerts(
            store,
            List.of("hook", "desktop"),
            org.bookcreator.core.alert.NotificationPolicy.Route.parse(
                "alertname=HighLatency:desktop,alertmanager; *:hook"),
            () -> "ntf" + ids.incrementAndGet(),
            clock);
    Alert other =
        new Alert(
            "bb02",
            "DiskFull",
            Map.of("job", "book-creator"),
            Severity.CRITICAL,
            AlertState.FIRING,
            "disk full",
            "",
            "",
            T0,
            Optional.of(T0),
            Optional.empty(),
            Optional.empty());

    ReceivedAlerts.Outcome outcome =
        routed.receive(group("firing", latency("aa01", AlertState.FIRING, T0), other));

    assertThat(outcome).isEqualTo(new ReceivedAlerts.Outcome(false, 2, 2));
    assertThat(store.pendingNotifications())
        .extracting(n -> n.notifier() + ":" + n.alerts().stream().map(Alert::name).toList())
        .containsExactlyInAnyOrder("desktop:[HighLatency]", "hook:[DiskFull]");
  }

  @Test
  void aSilencedDelivery_isRecorded_butNobodyIsNotified() {
    new Silences(store, new Ids(clock, new java.util.Random(1)), clock)
        .create(
            new Silences.Request(
                List.of("alertname=~High.*", "job=book-creator"),
                Optional.of("1h"),
                Optional.empty(),
                "known slowness",
                "test"));

    ReceivedAlerts.Outcome outcome =
        received.receive(group("firing", latency("aa01", AlertState.FIRING, T0)));

    assertThat(outcome).isEqualTo(new ReceivedAlerts.Outcome(false, 1, 0));
    assertThat(store.pendingNotifications()).isEmpty();
    assertThat(store.alertHistory(T0, 10))
        .extracting(AlertChange::to)
        .containsExactly(AlertState.FIRING);
  }

  @Test
  void aGroup_withoutAlerts_orWithAFingerprintTwice_isRefused() {
    assertThatThrownBy(() -> group("firing"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alerts: must not be empty");
    assertThatThrownBy(
            () ->
                group(
                    "firing",
                    latency("aa01", AlertState.FIRING, T0),
                    latency("aa01", AlertState.FIRING, T0)))
        .hasMessageContaining("the fingerprint aa01 is there twice");
  }
}
