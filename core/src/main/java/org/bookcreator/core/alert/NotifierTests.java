package org.bookcreator.core.alert;

import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test notifications: one goes straight through a configured notifier, now (not through the outbox:
 * no retry, nothing recorded), and the answer says whether it arrived at the notifier's end. It is
 * about a synthetic alert, {@value #ALERT_NAME}, a warning labelled {@code test="true"} whose
 * summary and description say it is a test. The use case of {@code alerts test} and {@code POST
 * /api/alerts/test}. Thread-safe; a call blocks for as long as the notifier takes (its own time
 * limit).
 */
public final class NotifierTests {
  private static final Logger log = LoggerFactory.getLogger(NotifierTests.class);

  /** The synthetic alert of a test notification. */
  public static final String ALERT_NAME = "BookCreatorTest";

  private final Map<String, Notifier> notifiers = new LinkedHashMap<>();
  private final Supplier<String> ids;
  private final InstantSource clock;

  /**
   * @param notifiers the configured notifiers
   * @param ids new notification ids
   */
  public NotifierTests(List<Notifier> notifiers, Supplier<String> ids, InstantSource clock) {
    for (Notifier n : notifiers) this.notifiers.put(n.name(), n);
    this.ids = Objects.requireNonNull(ids, "ids");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * How a test went, as the command line's {@code --json} and the API show it: {@code outcome}
   * {@value #DELIVERED}, or {@value #FAILED} with the notifier's reason (secrets masked).
   */
  public record Result(String notifier, String id, String outcome, Optional<String> reason) {
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";

    public Result {
      Objects.requireNonNull(notifier, "notifier");
      Objects.requireNonNull(id, "id");
      if (!outcome.equals(DELIVERED) && !outcome.equals(FAILED))
        throw new IllegalArgumentException("outcome must be delivered or failed, was " + outcome);
      reason = Objects.requireNonNullElse(reason, Optional.empty());
    }

    public boolean delivered() {
      return outcome.equals(DELIVERED);
    }
  }

  /** A notifier name that is not configured; the message lists those that are. */
  public static final class Unknown extends IllegalArgumentException {
    Unknown(String name, List<String> configured) {
      super(
          configured.isEmpty()
              ? "no notifier is configured, so there is none named '"
                  + org.bookcreator.core.support.VisibleText.escape(name, 40)
                  + "' (notify.webhooks, notify.email.to, notify.desktop, notify.alertmanager.urls:"
                  + " docs/alerts.md)"
              : "no notifier named '"
                  + org.bookcreator.core.support.VisibleText.escape(name, 40)
                  + "'; the notifiers are "
                  + String.join(", ", configured));
    }
  }

  /** The configured notifiers' names, in configuration order. */
  public List<String> names() {
    return List.copyOf(notifiers.keySet());
  }

  /**
   * Sends a test notification through {@code name} now and waits for its answer.
   *
   * @throws Unknown when no notifier of that name is configured
   */
  public Result send(String name) {
    Notifier notifier = notifiers.get(name);
    if (notifier == null) throw new Unknown(Objects.requireNonNullElse(name, ""), names());
    Notification n = notification(notifier.name(), ids.get(), clock.instant());
    Result result =
        switch (NotificationDispatcher.deliver(notifier, n)) {
          case Notifier.Delivery.Delivered d ->
              new Result(name, n.id(), Result.DELIVERED, Optional.empty());
          case Notifier.Delivery.Failed f ->
              new Result(name, n.id(), Result.FAILED, Optional.of(f.reason()));
        };
    if (result.delivered()) log.info("test notification {} delivered to {}", n.id(), name);
    else log.warn("test notification {} to {} failed: {}", n.id(), name, result.reason().get());
    return result;
  }

  /** The test notification to {@code notifier}: one firing {@value #ALERT_NAME}, marked a test. */
  static Notification notification(String notifier, String id, Instant now) {
    Map<String, String> labels = Map.of("test", "true");
    Alert a =
        new Alert(
            Alert.fingerprint(ALERT_NAME, labels),
            ALERT_NAME,
            labels,
            Severity.WARNING,
            AlertState.FIRING,
            "Test notification from Book Creator to " + notifier + ": this is only a test",
            "Sent by bin/book-creator alerts test (or POST /api/alerts/test) to check that"
                + " notifications reach you. Nothing is wrong; there is nothing to do.",
            "",
            now,
            Optional.of(now),
            Optional.empty(),
            Optional.empty());
    return new Notification(
        id, notifier, ALERT_NAME + "{test=true}", Notification.FIRING, List.of(a), 0, now);
  }
}
