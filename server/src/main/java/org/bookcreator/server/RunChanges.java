package org.bookcreator.server;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code GET /api/events} streams: one {@code run} event for each run that appeared, or whose
 * state, stage or update time moved, oldest change first. Shared by every stream of a server: at
 * most one read of the store per {@code every}, however many pages are open, and that read is of
 * the runs changed lately ({@link Store#runsChangedSince}), not of every run. Each change gets the
 * next number, sent as the event's {@code id}; a client that reconnects with {@code Last-Event-ID}
 * gets what it missed while the last {@value #KEPT} changes still hold it, else a {@code reset}
 * event (reload what you show). Thread-safe.
 */
final class RunChanges {
  /** Changes kept for clients that reconnect. */
  static final int KEPT = 10_000;

  /**
   * How far back each read looks past the newest change seen: a transaction that took its time
   * stamp before another's but committed after it is still read. Changes seen twice are sent once.
   */
  static final Duration OVERLAP = Duration.ofSeconds(5);

  private record Seen(RunState state, Optional<Stage> stage, Instant updatedAt) {
    static Seen of(Run run) {
      return new Seen(run.state(), run.stage(), run.updatedAt());
    }
  }

  private record Change(long id, EventStreams.Event event) {}

  private final Store store;
  private final long everyNanos;
  private final LongSupplier nanoTime;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Change> kept = new ArrayDeque<>();

  /** The runs read in the overlap window, as they were: a run read again unchanged is no change. */
  private final Map<String, Seen> recent = new HashMap<>();

  private long lastId;
  private Instant newest;
  private long readAt;

  RunChanges(Store store, Duration every) {
    this(store, every, System::nanoTime);
  }

  RunChanges(Store store, Duration every, LongSupplier nanoTime) {
    this.store = store;
    this.everyNanos = every.toNanos();
    this.nanoTime = nanoTime;
    // Changes before the server started are history, not news: read from now on.
    this.newest = Instant.now();
    this.readAt = nanoTime.getAsLong() - everyNanos;
  }

  /**
   * A stream's feed: the changes after {@code lastEventId} (a reconnecting client's), else those
   * after now.
   */
  EventStreams.Feed feed(Optional<String> lastEventId) {
    lock.lock();
    try {
      refresh(true);
      long from = lastEventId.flatMap(RunChanges::number).orElse(lastId);
      return new Cursor(from > lastId ? lastId : from);
    } finally {
      lock.unlock();
    }
  }

  private static Optional<Long> number(String id) {
    try {
      return Optional.of(Long.parseLong(id.strip()));
    } catch (NumberFormatException e) {
      return Optional.empty(); // not one of ours: start from now
    }
  }

  private final class Cursor implements EventStreams.Feed {
    private long after;

    Cursor(long after) {
      this.after = after;
    }

    @Override
    public List<EventStreams.Event> poll() {
      lock.lock();
      try {
        refresh(false);
        List<EventStreams.Event> out = new ArrayList<>();
        if (!kept.isEmpty() && kept.peekFirst().id() > after + 1) {
          // It fell behind further than the changes kept: it must reload what it shows.
          out.add(new EventStreams.Event("reset", "{}", Long.toString(lastId)));
        } else {
          // From the newest back to the first one it has: a cursor is usually near the end.
          var newestFirst = kept.descendingIterator();
          while (newestFirst.hasNext()) {
            Change c = newestFirst.next();
            if (c.id() <= after) break;
            out.add(c.event());
          }
          java.util.Collections.reverse(out);
        }
        after = lastId;
        return out;
      } finally {
        lock.unlock();
      }
    }
  }

  /** Reads the runs changed lately, once per {@code every} (or now, when {@code force}). */
  private void refresh(boolean force) {
    long now = nanoTime.getAsLong();
    if (!force && now - readAt < everyNanos) return;
    readAt = now;
    Instant since = newest.minus(OVERLAP);
    for (Run run : store.runsChangedSince(since)) {
      Seen seen = Seen.of(run);
      if (seen.equals(recent.put(run.id(), seen))) continue;
      if (run.updatedAt().isAfter(newest)) newest = run.updatedAt();
      kept.addLast(
          new Change(
              ++lastId,
              new EventStreams.Event("run", Json.write(view(run)), Long.toString(lastId))));
      if (kept.size() > KEPT) kept.removeFirst();
    }
    Instant forget = newest.minus(OVERLAP);
    recent.values().removeIf(s -> s.updatedAt().isBefore(forget));
  }

  private static ObjectNode view(Run run) {
    ObjectNode o = Json.object();
    o.put("id", run.id());
    o.put("project_id", run.projectId());
    o.put("number", run.number());
    o.put("state", run.state().name().toLowerCase(Locale.ROOT));
    run.stage().ifPresent(s -> o.put("stage", s.id()));
    o.put("updated_at", run.updatedAt().toString());
    return o;
  }
}
