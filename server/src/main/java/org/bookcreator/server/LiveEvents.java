package org.bookcreator.server;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import org.bookcreator.core.view.OperationsQueries;

/**
 * {@code GET /api/events}: the topics a client chooses ({@code ?topics=runs,alerts,logs}; default
 * {@code runs}), each read by one shared {@link Topic} for every open stream, merged into one
 * stream. An event's id holds the stream's place in each of its topics ({@code r12.a3.l4567}), so a
 * client that reconnects with {@code Last-Event-ID} gets what it missed in every topic, or a {@code
 * reset} event naming the topic it fell too far behind in. At most {@link #maxPerPoll} events per
 * poll per stream: a flood of log lines is sent over the next polls, not all at once.
 */
final class LiveEvents {
  /** The most events one stream gets per poll (a poll is a second by default). */
  static final int MAX_PER_POLL = 200;

  /** A topic and what a stream wants of it. */
  record Subscription(Topic topic, Predicate<Object> wanted) {}

  private final Map<String, Topic> topics = new LinkedHashMap<>();
  private final int maxPerPoll;

  LiveEvents(List<Topic> topics, int maxPerPoll) {
    for (Topic t : topics) this.topics.put(t.name(), t);
    if (maxPerPoll < 1) throw new IllegalArgumentException("maxPerPoll must be positive");
    this.maxPerPoll = maxPerPoll;
  }

  /** The topics of a server: runs, alerts and logs, each read at most once per {@code every}. */
  static LiveEvents of(
      Store store, OperationsQueries operations, InstantSource clock, Duration every) {
    return new LiveEvents(
        List.of(
            new RunChanges(store, every),
            new AlertChanges(operations, clock, every),
            new LogChanges(store, every)),
        MAX_PER_POLL);
  }

  /**
   * A stream's feed from its query ({@code topics} and the filters) and the {@code Last-Event-ID}
   * it sent; an unknown topic or level is the client's error.
   */
  EventStreams.Feed feed(Optional<String> lastEventId, Function<String, Optional<String>> query) {
    List<Subscription> chosen = new ArrayList<>();
    String names = query.apply("topics").orElse("runs");
    for (String raw : names.split(",")) {
      String name = raw.strip().toLowerCase(Locale.ROOT);
      if (name.equals("stages")) name = "runs"; // a stage's moves are run events
      Topic topic = topics.get(name);
      if (topic == null)
        throw ApiError.invalidField(
            "topics", "unknown topic '" + raw.strip() + "' (one or more of: runs, alerts, logs)");
      if (chosen.stream().anyMatch(s -> s.topic() == topic)) continue;
      chosen.add(new Subscription(topic, wanted(topic, query)));
    }
    return feed(chosen, lastEventId, maxPerPoll);
  }

  private static Predicate<Object> wanted(Topic topic, Function<String, Optional<String>> query) {
    return switch (topic) {
      case RunChanges r -> {
        Optional<String> run = query.apply("run");
        Optional<String> project = query.apply("project");
        yield s ->
            s instanceof Run x
                && run.map(x.id()::equals).orElse(true)
                && project.map(x.projectId()::equals).orElse(true);
      }
      case LogChanges l -> {
        try {
          yield new LogChanges.Filter(
              query.apply("project"),
              query.apply("run"),
              query.apply("stage"),
              query.apply("role"),
              query.apply("provider"),
              query.apply("level"),
              query.apply("q"));
        } catch (IllegalArgumentException e) {
          throw ApiError.invalidField("level", e.getMessage());
        }
      }
      default -> s -> true;
    };
  }

  static EventStreams.Feed feed(List<Subscription> subscriptions, Optional<String> lastEventId) {
    return feed(subscriptions, lastEventId, MAX_PER_POLL);
  }

  static EventStreams.Feed feed(
      List<Subscription> subscriptions, Optional<String> lastEventId, int maxPerPoll) {
    Map<Character, Long> sent = lastEventId.map(LiveEvents::places).orElse(Map.of());
    long[] at = new long[subscriptions.size()];
    for (int i = 0; i < at.length; i++) {
      Topic t = subscriptions.get(i).topic();
      Long place = sent.get(letter(t));
      at[i] = place != null ? Math.min(place, t.now()) : t.now();
    }
    return new Cursor(subscriptions, at, maxPerPoll);
  }

  private static char letter(Topic t) {
    return t.name().charAt(0);
  }

  /**
   * The places an id holds: {@code r12.a3.l4567}; a bare number (as ids were before topics) is a
   * place in runs; anything else is not ours (nothing: from now).
   */
  static Map<Character, Long> places(String id) {
    Map<Character, Long> out = new LinkedHashMap<>();
    String s = id.strip();
    try {
      if (!s.isEmpty() && Character.isDigit(s.charAt(0))) {
        out.put('r', Long.parseLong(s));
        return out;
      }
      for (String part : s.split("\\.")) {
        if (part.length() < 2) return Map.of();
        out.put(part.charAt(0), Long.parseLong(part.substring(1)));
      }
      return out;
    } catch (NumberFormatException e) {
      return Map.of();
    }
  }

  private static final class Cursor implements EventStreams.Feed {
    private final List<Subscription> subscriptions;
    private final long[] at;
    private final int max;

    Cursor(List<Subscription> subscriptions, long[] at, int max) {
      this.subscriptions = List.copyOf(subscriptions);
      this.at = at;
      this.max = max;
    }

    @Override
    public Optional<String> position() {
      return Optional.of(id());
    }

    @Override
    public List<EventStreams.Event> poll() {
      List<EventStreams.Event> out = new ArrayList<>();
      // Topics in the order asked; runs and alerts are few, so a flood of logs (asked last by the
      // pages) cannot starve them.
      for (int i = 0; i < at.length && out.size() < max; i++) {
        Subscription s = subscriptions.get(i);
        Topic.Batch b = s.topic().after(at[i], s.wanted(), max - out.size());
        if (b.reset()) {
          at[i] = b.next();
          out.add(
              new EventStreams.Event(
                  "reset", Json.write(Json.object().put("topic", s.topic().name())), id()));
          continue;
        }
        for (Topic.Change c : b.changes()) {
          at[i] = c.number();
          out.add(new EventStreams.Event(c.news().name(), c.news().data(), id()));
        }
        at[i] = b.next();
      }
      return out;
    }

    private String id() {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < at.length; i++) {
        if (i > 0) b.append('.');
        b.append(letter(subscriptions.get(i).topic())).append(at[i]);
      }
      return b.toString();
    }
  }
}
