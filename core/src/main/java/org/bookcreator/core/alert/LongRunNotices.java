package org.bookcreator.core.alert;

import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices of long work: a run that took longer than {@code after} (from its creation to its end)
 * and completed ({@value #BOOK_READY}: the title, the manuscript's path, the time and the cost) or
 * failed ({@value #BOOK_FAILED}: the reason, the time and the cost) is announced to the notifiers
 * through the outbox, once per end of a run. A notice is not an alert: it is never evaluated,
 * listed or resolved; it travels as a notification about a synthetic alert of that name, severity
 * {@link Severity#INFO}, labelled with the run and project ids, status {@code firing}, so every
 * notifier, route and silence handles it as it handles alerts.
 *
 * <p>Each look reads the runs that ended in the last day. Once per run end: the notice's receipt is
 * recorded with its notifications in one transaction ({@link Store#saveReceivedAlerts}), so a
 * restart, or a second process looking, finds it taken. Thread-safe; looks never overlap.
 */
public final class LongRunNotices {
  private static final Logger log = LoggerFactory.getLogger(LongRunNotices.class);

  public static final String BOOK_READY = "BookReady";
  public static final String BOOK_FAILED = "BookFailed";

  /** How far back a look reads: a run that ended longer ago is old news. */
  static final Duration LOOKBACK = Duration.ofDays(1);

  private final Store store;
  private final NotificationPolicy policy;
  private final Duration after;
  private final BiFunction<String, String, Path> manuscripts;
  private final Supplier<String> ids;
  private final InstantSource clock;
  private final ReentrantLock lock = new ReentrantLock();

  /** Receipts this process recorded or found taken, with the end of their run (for pruning). */
  private final Map<String, Instant> taken = new HashMap<>();

  private Ticker ticker;

  /**
   * @param policy the notifiers and their routes
   * @param after a run that took longer than this is announced
   * @param manuscripts where the manuscript of a project's run is
   * @param ids new notification ids
   */
  public LongRunNotices(
      Store store,
      NotificationPolicy policy,
      Duration after,
      BiFunction<String, String, Path> manuscripts,
      Supplier<String> ids,
      InstantSource clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.after = Objects.requireNonNull(after, "after");
    this.manuscripts = Objects.requireNonNull(manuscripts, "manuscripts");
    this.ids = Objects.requireNonNull(ids, "ids");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Announces the long runs that ended since the last look and were not announced yet.
   *
   * @return how many runs this look announced
   */
  public int announce() {
    lock.lock();
    try {
      Instant now = clock.instant();
      taken.values().removeIf(end -> end.isBefore(now.minus(LOOKBACK)));
      int announced = 0;
      for (Run r : store.runsEndedSince(now.minus(LOOKBACK))) {
        if (Duration.between(r.createdAt(), r.updatedAt()).compareTo(after) <= 0) continue;
        String receipt = receipt(r);
        if (taken.containsKey(receipt)) continue;
        Alert notice = notice(r);
        List<Silence> silences = store.activeSilences(now);
        List<OutboxWrite> outbox = new ArrayList<>();
        if (Silence.silencing(notice, silences, now).isEmpty()) {
          String group = policy.groupKey(notice);
          for (String notifier : policy.notifiersFor(notice)) {
            outbox.add(
                new OutboxWrite.Insert(
                    new Notification(
                        ids.get(), notifier, group, Notification.FIRING, List.of(notice), 0, now),
                    now));
          }
        }
        if (store.saveReceivedAlerts(receipt, List.of(), outbox, now)) {
          announced++;
          log.atInfo()
              .addKeyValue("run_id", r.id())
              .log("{}: {} ({} notification(s))", notice.name(), notice.summary(), outbox.size());
        }
        taken.put(receipt, r.updatedAt());
      }
      return announced;
    } finally {
      lock.unlock();
    }
  }

  private void announceQuietly() {
    try {
      announce();
    } catch (RuntimeException e) {
      log.warn("looking for long runs that ended failed; trying again at the next look", e);
    }
  }

  /** Looks every {@code every} on a daemon thread of its own until {@link #close}. */
  public void start(Duration every) {
    lock.lock();
    try {
      if (ticker == null) ticker = Ticker.every("long-run-notices", every, this::announceQuietly);
    } finally {
      lock.unlock();
    }
  }

  /** Stops the looks after a last one: a foreground run that ends is announced before exit. */
  public void close() {
    Ticker t;
    lock.lock();
    try {
      t = ticker;
      ticker = null;
    } finally {
      lock.unlock();
    }
    if (t != null) t.close();
    announceQuietly();
  }

  /** The identity of one end of a run: a restarted run that ends again is news again. */
  private static String receipt(Run r) {
    return "long-run\0"
        + HexFormat.of()
            .formatHex(
                Alert.sha256(r.id() + "\0" + r.state() + "\0" + r.updatedAt().toEpochMilli()));
  }

  /** The notice of a run's end, as the synthetic alert notifiers know how to show. */
  Alert notice(Run r) {
    Optional<Project> project = store.project(r.projectId());
    String title = project.map(Project::title).orElse(r.projectId());
    String took = StallDetector.human(Duration.between(r.createdAt(), r.updatedAt()));
    String cost =
        "$" + store.totals(r.id()).costUsd().setScale(2, RoundingMode.HALF_UP).toPlainString();
    boolean ready = r.state() == RunState.COMPLETED;
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("run_id", r.id());
    labels.put("project_id", r.projectId());
    String name = ready ? BOOK_READY : BOOK_FAILED;
    return new Alert(
        Alert.fingerprint(name, labels),
        name,
        labels,
        Severity.INFO,
        AlertState.FIRING,
        ready
            ? "Your book \"" + title + "\" is ready (" + took + ", " + cost + ")"
            : "The run of \"" + title + "\" failed after " + took + " (" + cost + " spent)",
        (ready
                ? "Manuscript: " + manuscripts.apply(r.projectId(), r.id())
                : r.reason().orElse("no reason recorded"))
            + ". Run "
            + r.id()
            + " took "
            + took
            + " and cost "
            + cost
            + (ready
                ? "."
                : ". Look: bin/book-creator diagnose "
                    + r.id()
                    + "; restart: bin/book-creator runs restart "
                    + r.id()),
        ready ? "" : "run-failed",
        r.createdAt(),
        Optional.of(r.updatedAt()),
        Optional.empty(),
        Optional.empty());
  }
}
