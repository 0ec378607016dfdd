package org.bookcreator.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * One kind of change that {@code GET /api/events} streams ({@code runs}, {@code alerts}, {@code
 * logs}), read by one reader for every open stream: at most one {@link #read()} per {@code every},
 * however many pages are open. Each change gets the next number; the last {@value #KEPT} are kept
 * for streams that fall behind or reconnect. A stream asks for what follows its number ({@link
 * #after}), filtered by what it chose, at most so many at once. Thread-safe.
 */
abstract class Topic {
  /** Changes kept for streams that fall behind or reconnect. */
  static final int KEPT = 10_000;

  /**
   * One change as a reader found it: the event's name and data (one line of JSON), and what streams
   * filter on ({@code subject}, the topic's own type).
   */
  record News(String name, String data, Object subject) {
    News {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(data, "data");
    }
  }

  /** A change with its number. */
  record Change(long number, News news) {}

  /**
   * What a stream gets: the changes after its number that it wants (oldest first), the number it is
   * at afterwards, and whether it fell behind what is kept (then it must reload what it shows).
   */
  record Batch(List<Change> changes, long next, boolean reset) {}

  private final String name;
  private final long everyNanos;
  private final LongSupplier nanoTime;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Change> kept = new ArrayDeque<>();
  private long last;
  private long readAt;
  private boolean started;

  Topic(String name, long everyNanos, LongSupplier nanoTime) {
    this.name = name;
    this.everyNanos = everyNanos;
    this.nanoTime = nanoTime;
    this.readAt = nanoTime.getAsLong() - everyNanos;
  }

  /** The topic's name in {@code ?topics=}. */
  final String name() {
    return name;
  }

  /**
   * Called once per period under the topic's lock: the changes since the previous call, oldest
   * first. The first call sets where the topic starts (changes before it are history, not news).
   */
  protected abstract List<News> read(boolean first);

  /** The number of the newest change, after reading now: where a new stream starts. */
  final long now() {
    lock.lock();
    try {
      refresh(true);
      return last;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The changes after {@code number} that {@code wanted} accepts, at most {@code max}; a number
   * ahead of the newest (not ours) counts as the newest.
   */
  final Batch after(long number, Predicate<Object> wanted, int max) {
    lock.lock();
    try {
      refresh(false);
      long from = Math.min(number, last);
      if (!kept.isEmpty() && kept.peekFirst().number() > from + 1) {
        return new Batch(List.of(), last, true);
      }
      List<Change> out = new ArrayList<>();
      long next = last;
      // From the newest back to the first one the stream lacks: a stream is usually near the end.
      Iterator<Change> newestFirst = kept.descendingIterator();
      List<Change> missing = new ArrayList<>();
      while (newestFirst.hasNext()) {
        Change c = newestFirst.next();
        if (c.number() <= from) break;
        missing.add(c);
      }
      for (int i = missing.size() - 1; i >= 0; i--) {
        Change c = missing.get(i);
        if (!wanted.test(c.news().subject())) continue;
        if (out.size() == max) {
          next = c.number() - 1; // the rest on a later poll: the rate of events stays bounded
          break;
        }
        out.add(c);
      }
      return new Batch(out, next, false);
    } finally {
      lock.unlock();
    }
  }

  private void refresh(boolean force) {
    long now = nanoTime.getAsLong();
    if (started && !force && now - readAt < everyNanos) return;
    readAt = now;
    boolean first = !started;
    started = true;
    for (News n : read(first)) {
      kept.addLast(new Change(++last, n));
      if (kept.size() > KEPT) kept.removeFirst();
    }
  }
}
