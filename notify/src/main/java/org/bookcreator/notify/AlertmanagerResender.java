package org.bookcreator.notify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertState;
import org.bookcreator.core.alert.Notifier.Delivery;
import org.bookcreator.core.support.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts the alerts that still fire to each Alertmanager every resend interval, as Prometheus does:
 * Alertmanager resolves an alert whose {@code endsAt} passes, so a firing alert must be posted
 * again before then. The first post of a firing alert and its resolution go through the outbox
 * (persistent, retried); these re-posts keep no state and need none: a failed one is simply made
 * again at the next tick, as Prometheus makes it. Only alerts already announced are posted (one
 * that fired under a silence is announced when the silence ends). Runs on a daemon thread of its
 * own; never throws into its host.
 */
public final class AlertmanagerResender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertmanagerResender.class);

  private final List<AlertmanagerNotifier> alertmanagers;
  private final Supplier<List<Alert>> openAlerts;
  private final Set<String> failing = new HashSet<>();
  private final Ticker ticker;

  private AlertmanagerResender(
      List<AlertmanagerNotifier> alertmanagers, Supplier<List<Alert>> openAlerts, Duration every) {
    this.alertmanagers = List.copyOf(alertmanagers);
    this.openAlerts = openAlerts;
    this.ticker = Ticker.every("alertmanager-resend", every, this::resendQuietly); // last
  }

  /**
   * Re-posts every {@code every} until {@link #close}.
   *
   * @param openAlerts the evaluator's open alerts (the store's), read at each tick
   */
  public static AlertmanagerResender start(
      List<AlertmanagerNotifier> alertmanagers, Supplier<List<Alert>> openAlerts, Duration every) {
    return new AlertmanagerResender(alertmanagers, openAlerts, every);
  }

  /** One round: the announced firing alerts to each Alertmanager. */
  void resendQuietly() {
    try {
      List<Alert> firing = new ArrayList<>();
      for (Alert a : openAlerts.get()) {
        if (a.state() == AlertState.FIRING && a.notifiedAt().isPresent()) firing.add(a);
      }
      for (AlertmanagerNotifier am : alertmanagers) {
        switch (am.resend(firing)) {
          case Delivery.Delivered d -> {
            if (failing.remove(am.name()))
              log.info("re-sending firing alerts to {} works again", am.name());
          }
          case Delivery.Failed f -> {
            // Once per outage, not once a minute: the next tick tries again anyway.
            if (failing.add(am.name()))
              log.warn(
                  "re-sending {} firing alert(s) to {} failed; trying again every interval: {}",
                  firing.size(),
                  am.name(),
                  f.reason());
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("re-sending firing alerts to Alertmanager failed; trying again at the next one", e);
    }
  }

  @Override
  public void close() {
    ticker.close();
  }
}
