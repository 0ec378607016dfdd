package org.bookcreator.core.alert;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the alert rules: each {@link #evaluate()} asks every rule what it sees, moves each
 * instance along its lifecycle (new → pending → firing after the rule's {@code for}; firing →
 * resolved when the rule no longer sees it) and commits the moves to the store in one transaction.
 * The store is the memory: after a restart the evaluator carries on from the states it finds there,
 * so a firing alert is neither forgotten nor announced twice.
 *
 * <p>A rule that throws is logged and skipped for this evaluation; its alerts keep their state
 * rather than resolving on a failure to look. Thread-safe; evaluations never overlap.
 */
public final class AlertEvaluator {
  private static final Logger log = LoggerFactory.getLogger(AlertEvaluator.class);

  private final Store store;
  private final List<AlertRule> rules;
  private final InstantSource clock;
  private final StallDetector.Thresholds stallThresholds;
  private final ProcessProbe probe;
  private final NotificationPolicy policy;
  private final java.util.function.Supplier<String> ids;
  private final ReentrantLock lock = new ReentrantLock();
  private final java.util.concurrent.atomic.AtomicLong busyNanos =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong evaluations =
      new java.util.concurrent.atomic.AtomicLong();

  /** Firing alerts per rule at the last evaluation; every rule at zero before the first. */
  private volatile Map<String, Long> firing;

  /** An evaluator that records and logs alerts, and notifies nobody. */
  public AlertEvaluator(
      Store store,
      List<AlertRule> rules,
      InstantSource clock,
      StallDetector.Thresholds stallThresholds,
      ProcessProbe probe) {
    this(store, rules, clock, stallThresholds, probe, NotificationPolicy.NONE, () -> "unused");
  }

  /**
   * @param ids new notification ids (their idempotency keys)
   */
  public AlertEvaluator(
      Store store,
      List<AlertRule> rules,
      InstantSource clock,
      StallDetector.Thresholds stallThresholds,
      ProcessProbe probe,
      NotificationPolicy policy,
      java.util.function.Supplier<String> ids) {
    this.policy = policy;
    this.ids = ids;
    this.store = store;
    this.rules = List.copyOf(rules);
    this.clock = clock;
    this.stallThresholds = stallThresholds;
    this.probe = probe;
    Set<String> names = new HashSet<>();
    for (AlertRule r : rules) {
      if (!names.add(r.name())) throw new IllegalArgumentException("rule " + r.name() + " twice");
    }
    Map<String, Long> zeros = new HashMap<>();
    for (AlertRule r : rules) zeros.put(r.name(), 0L);
    this.firing = Map.copyOf(zeros);
  }

  public List<AlertRule> rules() {
    return rules;
  }

  /** How many alerts of one rule fire. */
  public record Firing(String alertname, Severity severity, long alerts) {}

  /**
   * The alerts firing at the last evaluation, one entry per rule in the rules' order (zero before
   * the first evaluation): what {@code book_creator_alerts_firing} exports. Cheap; never throws.
   */
  public List<Firing> firing() {
    Map<String, Long> now = firing;
    return rules.stream()
        .map(r -> new Firing(r.name(), r.severity(), now.getOrDefault(r.name(), 0L)))
        .toList();
  }

  private org.bookcreator.core.support.Ticker ticker;

  /**
   * Evaluates every {@code every} on a daemon thread of its own until {@link #close}. An evaluation
   * that fails (the store unavailable) is logged and tried again at the next tick; it never throws
   * into its host.
   */
  public void start(Duration every) {
    lock.lock();
    try {
      if (ticker == null)
        ticker =
            org.bookcreator.core.support.Ticker.every(
                "alert-evaluator", every, this::evaluateQuietly);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the evaluations {@link #start} scheduled, after one last evaluation: a foreground command
   * that ends (a run failed, a budget ran out) leaves its alerts recorded.
   */
  public void close() {
    lock.lock();
    try {
      if (ticker == null) return;
      ticker.close();
      ticker = null;
    } finally {
      lock.unlock();
    }
    evaluateQuietly();
  }

  private void evaluateQuietly() {
    try {
      for (AlertChange c : evaluate()) {
        if (!c.notifies()) continue;
        Alert a = c.alert();
        if (c.to() == AlertState.FIRING) {
          log.atWarn()
              .addKeyValue("alertname", a.name())
              .addKeyValue("severity", a.severity().id())
              .log(
                  "alert {} firing: {}. {} (docs/runbooks/{}.md)",
                  a.name(),
                  a.summary(),
                  a.description(),
                  a.runbook());
        } else {
          log.atInfo()
              .addKeyValue("alertname", a.name())
              .addKeyValue("severity", a.severity().id())
              .log("alert {} resolved: {}", a.name(), a.summary());
        }
      }
    } catch (RuntimeException e) {
      log.warn("alert evaluation failed; trying again at the next one", e);
    }
  }

  /**
   * The time spent in evaluations since this evaluator was made, on the thread that ran them: what
   * the evaluator costs the process (the 50-book benchmark reports it against the wall time).
   */
  public Duration busy() {
    return Duration.ofNanos(busyNanos.get());
  }

  /** The evaluations run since this evaluator was made. */
  public long evaluations() {
    return evaluations.get();
  }

  /** One evaluation; returns the moves it committed (empty when nothing changed). */
  public List<AlertChange> evaluate() {
    lock.lock();
    long start = System.nanoTime();
    try {
      Instant now = clock.instant();
      List<Run> candidates = store.stallCandidates(now.minus(stallThresholds.shortest()), now);
      AlertInputs in =
          new AlertInputs(
              store, now, StallDetector.look(store, candidates, stallThresholds, now), probe);
      Map<String, Alert> open = new HashMap<>();
      for (Alert a : store.openAlerts()) open.put(a.fingerprint(), a);
      List<AlertChange> changes = new ArrayList<>();
      List<Alert> stillFiring = new ArrayList<>();
      Map<String, Long> firingNow = new HashMap<>();
      for (AlertRule rule : rules) {
        Optional<List<Signal>> seen = check(rule, in);
        if (seen.isEmpty()) {
          // Its alerts keep their state, and so does the count of those firing.
          firingNow.put(rule.name(), firing.getOrDefault(rule.name(), 0L));
          open.values().removeIf(a -> a.name().equals(rule.name()));
          continue;
        }
        long fires = 0;
        for (Signal s : seen.get()) {
          String fp = Alert.fingerprint(rule.name(), s.labels());
          Alert known = open.remove(fp);
          AlertState state;
          if (known == null) {
            AlertChange c = started(rule, s, fp, now);
            changes.add(c);
            state = c.to();
          } else {
            Optional<AlertChange> moved = held(rule, known.describedAs(s), now);
            moved.ifPresent(changes::add);
            if (moved.isEmpty() && known.state() == AlertState.FIRING) stillFiring.add(known);
            state = moved.map(AlertChange::to).orElse(known.state());
          }
          if (state == AlertState.FIRING) fires++;
        }
        firingNow.put(rule.name(), fires);
      }
      // What is left was open and no rule sees it any more.
      for (Alert gone : open.values()) {
        changes.add(
            new AlertChange(
                gone.moved(AlertState.RESOLVED, now),
                Optional.of(gone.state()),
                AlertState.RESOLVED,
                now));
      }
      List<OutboxWrite> outbox = outbox(changes, stillFiring, now);
      if (!changes.isEmpty() || !outbox.isEmpty()) store.saveAlerts(changes, outbox);
      firing = Map.copyOf(firingNow);
      return changes;
    } finally {
      busyNanos.addAndGet(System.nanoTime() - start);
      evaluations.incrementAndGet();
      lock.unlock();
    }
  }

  /**
   * The notifications this evaluation adds: alerts that started firing or resolved after firing,
   * and firing ones last announced more than the repeat interval ago; each joins its group's
   * pending notification if one is still waiting, or starts one due after the group wait (and no
   * sooner than the group interval after the group's last one).
   */
  private List<OutboxWrite> outbox(
      List<AlertChange> changes, List<Alert> stillFiring, Instant now) {
    if (policy.notifiers().isEmpty()) return List.of();
    record Announce(Alert alert, String status) {}
    List<Announce> news = new ArrayList<>();
    for (AlertChange c : changes) {
      if (!c.notifies()) continue;
      // Silences: a resolution nobody heard fire (it was silenced throughout) is no news either.
      if (c.to() == AlertState.RESOLVED && c.alert().notifiedAt().isEmpty()) continue;
      news.add(
          new Announce(
              c.alert(),
              c.to() == AlertState.FIRING ? Notification.FIRING : Notification.RESOLVED));
    }
    for (Alert a : stillFiring) {
      Instant last = a.notifiedAt().or(a::firedAt).orElse(a.activeSince());
      // Silences: one that fired unannounced under a silence since ended is announced now.
      if (a.notifiedAt().isEmpty()
          || Duration.between(last, now).compareTo(policy.repeatInterval()) >= 0)
        news.add(new Announce(a, Notification.FIRING));
    }
    if (news.isEmpty()) return List.of();
    // Silences: what one matches is recorded as usual, and nobody hears of it while it applies.
    List<Silence> silences = store.activeSilences(now);
    news.removeIf(n -> !Silence.silencing(n.alert(), silences, now).isEmpty());
    if (news.isEmpty()) return List.of();
    Map<String, Notification> waiting = new HashMap<>();
    for (Notification n : store.pendingNotifications()) {
      if (n.attempts() == 0) waiting.put(n.notifier() + "\0" + n.groupKey() + "\0" + n.status(), n);
    }
    Map<String, OutboxWrite> writes = new java.util.LinkedHashMap<>();
    for (Announce announce : news) {
      Alert a = announce.alert();
      String status = announce.status();
      String group = policy.groupKey(a);
      for (String notifier : policy.notifiersFor(a)) {
        String key = notifier + "\0" + group + "\0" + status;
        Notification pending = waiting.get(key);
        if (pending != null) {
          Notification joined = pending.with(a);
          waiting.put(key, joined);
          OutboxWrite before = writes.get(key);
          writes.put(
              key,
              before instanceof OutboxWrite.Insert ins
                  ? new OutboxWrite.Insert(joined, ins.dueAt())
                  : new OutboxWrite.Extend(joined));
        } else {
          Notification n = new Notification(ids.get(), notifier, group, status, List.of(a), 0, now);
          Instant due = now.plus(policy.groupWait());
          Optional<Instant> last = store.lastNotification(notifier, group);
          if (last.isPresent() && last.get().plus(policy.groupInterval()).isAfter(due))
            due = last.get().plus(policy.groupInterval());
          waiting.put(key, n);
          writes.put(key, new OutboxWrite.Insert(n, due));
        }
      }
    }
    return List.copyOf(writes.values());
  }

  private static Optional<List<Signal>> check(AlertRule rule, AlertInputs in) {
    try {
      return Optional.of(rule.check(in));
    } catch (RuntimeException e) {
      log.warn(
          "alert rule {} failed; its alerts keep their state until it works again", rule.name(), e);
      return Optional.empty();
    }
  }

  private static AlertChange started(AlertRule rule, Signal s, String fingerprint, Instant now) {
    boolean fires = rule.holdFor().isZero();
    AlertState state = fires ? AlertState.FIRING : AlertState.PENDING;
    Alert a =
        new Alert(
            fingerprint,
            rule.name(),
            s.labels(),
            rule.severity(),
            state,
            s.summary(),
            s.description(),
            rule.runbook(),
            now,
            fires ? Optional.of(now) : Optional.empty(),
            Optional.empty(),
            Optional.empty());
    return new AlertChange(a, Optional.empty(), state, now);
  }

  /** A pending alert fires once it has held for the rule's duration; otherwise nothing moves. */
  private static Optional<AlertChange> held(AlertRule rule, Alert a, Instant now) {
    if (a.state() != AlertState.PENDING) return Optional.empty();
    if (Duration.between(a.activeSince(), now).compareTo(rule.holdFor()) < 0)
      return Optional.empty();
    return Optional.of(
        new AlertChange(
            a.moved(AlertState.FIRING, now),
            Optional.of(AlertState.PENDING),
            AlertState.FIRING,
            now));
  }
}
