package org.bookcreator.core.alert;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;
import org.bookcreator.core.store.Store;
import org.bookcreator.telemetry.BookMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox: each due notification to its notifier, at least once. A failed attempt is
 * tried again after an exponential backoff with jitter (from {@code retryBase}, doubling, at most
 * {@code retryMax}) until the notification is older than {@code giveUpAfter}, when it is given up
 * and logged as an error; a notifier's final refusal is given up at once. The id travels with every
 * attempt as the idempotency key. Runs on its own thread: a slow or dead receiver never holds up
 * the pipeline or the evaluator. Each attempt counts in {@code book_creator_notifications_total}
 * (delivered, failed, given_up), every configured notifier at zero from the start.
 */
public final class NotificationDispatcher {
  private static final Logger log = LoggerFactory.getLogger(NotificationDispatcher.class);
  private static final int BATCH = 50;

  private final Store store;
  private final Map<String, Notifier> notifiers;
  private final InstantSource clock;
  private final Duration retryBase;
  private final Duration retryMax;
  private final Duration giveUpAfter;
  private final Random random;
  private final BookMetrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private org.bookcreator.core.support.Ticker ticker;

  public NotificationDispatcher(
      Store store,
      List<Notifier> notifiers,
      InstantSource clock,
      Duration retryBase,
      Duration retryMax,
      Duration giveUpAfter,
      Random random,
      BookMetrics metrics) {
    this.store = store;
    this.notifiers = new java.util.LinkedHashMap<>();
    for (Notifier n : notifiers) {
      if (this.notifiers.put(n.name(), n) != null)
        throw new IllegalArgumentException("two notifiers named " + n.name());
    }
    this.clock = clock;
    this.retryBase = retryBase;
    this.retryMax = retryMax;
    this.giveUpAfter = giveUpAfter;
    this.random = random;
    this.metrics = metrics;
    metrics.notificationsAtZero(List.copyOf(this.notifiers.keySet()));
  }

  /** Delivers what is due now; returns how many were delivered. Never throws. */
  public int dispatchDue() {
    lock.lock();
    try {
      int delivered = 0;
      for (Notification n : store.dueNotifications(clock.instant(), BATCH)) {
        if (attempt(n)) delivered++;
      }
      return delivered;
    } catch (RuntimeException e) {
      log.warn("delivering notifications failed; trying again at the next tick", e);
      return 0;
    } finally {
      lock.unlock();
    }
  }

  private boolean attempt(Notification n) {
    Notifier notifier = notifiers.get(n.notifier());
    Notifier.Delivery outcome =
        notifier == null
            ? new Notifier.Delivery.Failed(
                "notifier " + n.notifier() + " is not configured any more", false)
            : deliver(notifier, n);
    Instant now = clock.instant();
    switch (outcome) {
      case Notifier.Delivery.Delivered d -> {
        store.notificationDelivered(n.id(), now);
        metrics.notification(n.notifier(), "delivered");
        log.atInfo()
            .addKeyValue("notifier", n.notifier())
            .log(
                "notification {} ({} {}) delivered to {}",
                n.id(),
                n.status(),
                n.groupKey(),
                n.notifier());
        return true;
      }
      case Notifier.Delivery.Failed f -> {
        Instant retry = now.plus(backoff(n.attempts() + 1));
        boolean giveUp = !f.retryable() || retry.isAfter(n.createdAt().plus(giveUpAfter));
        store.notificationFailed(
            n.id(), f.reason(), giveUp ? Optional.empty() : Optional.of(retry), now);
        metrics.notification(n.notifier(), giveUp ? "given_up" : "failed");
        if (giveUp) {
          log.atError()
              .addKeyValue("notifier", n.notifier())
              .log(
                  "notification {} ({} {}) given up after {} attempt(s): {}",
                  n.id(),
                  n.status(),
                  n.groupKey(),
                  n.attempts() + 1,
                  f.reason());
        } else {
          log.atWarn()
              .addKeyValue("notifier", n.notifier())
              .log(
                  "notification {} to {} failed (attempt {}), trying again at {}: {}",
                  n.id(),
                  n.notifier(),
                  n.attempts() + 1,
                  retry,
                  f.reason());
        }
        return false;
      }
    }
  }

  /** One attempt through {@code notifier}; a notifier that throws is a retryable failure. */
  static Notifier.Delivery deliver(Notifier notifier, Notification n) {
    try {
      return notifier.deliver(n);
    } catch (RuntimeException e) {
      log.warn("notifier {} threw on notification {}", notifier.name(), n.id(), e);
      return new Notifier.Delivery.Failed("notifier failed: " + e, true);
    }
  }

  /** The wait before attempt {@code attempt + 1}: doubling from the base, capped, ±20% jitter. */
  Duration backoff(int attempt) {
    long base = retryBase.toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(base, retryMax.toMillis());
    return Duration.ofMillis((long) (capped * (0.8 + 0.4 * random.nextDouble())));
  }

  /** Delivers every {@code every} on a daemon thread until {@link #close}. */
  public void start(Duration every) {
    lock.lock();
    try {
      if (ticker == null)
        ticker =
            org.bookcreator.core.support.Ticker.every(
                "notification-dispatcher", every, this::dispatchDue);
    } finally {
      lock.unlock();
    }
  }

  /** Stops the ticks; what is still pending stays in the outbox for the next process. */
  public void close() {
    org.bookcreator.core.support.Ticker t;
    lock.lock();
    try {
      t = ticker;
      ticker = null;
    } finally {
      lock.unlock();
    }
    if (t != null) t.close();
  }
}
