package org.bookcreator.server;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code runs} topic of {@code GET /api/events}: one {@code run} event for each run that
 * appeared, or whose state, stage or update time moved, oldest change first (a stage change is a
 * run event with the new {@code stage}). Each read is of the runs changed lately ({@link
 * Store#runsChangedSince}), not of every run. Filters: {@code run}, {@code project}.
 */
final class RunChanges extends Topic {
  /** Changes kept for clients that reconnect. */
  static final int KEPT = Topic.KEPT;

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

  private final Store store;

  /** The runs read in the overlap window, as they were: a run read again unchanged is no change. */
  private final Map<String, Seen> recent = new HashMap<>();

  private Instant newest;

  RunChanges(Store store, Duration every) {
    this(store, every, System::nanoTime);
  }

  RunChanges(Store store, Duration every, LongSupplier nanoTime) {
    super("runs", every.toNanos(), nanoTime);
    this.store = store;
    // Changes before the server started are history, not news: read from now on.
    this.newest = Instant.now();
  }

  /** A stream of this topic alone, from {@code lastEventId} (a reconnecting client's) or now. */
  EventStreams.Feed feed(Optional<String> lastEventId) {
    return LiveEvents.feed(List.of(new LiveEvents.Subscription(this, s -> true)), lastEventId);
  }

  @Override
  protected List<News> read(boolean first) {
    List<News> out = new ArrayList<>();
    Instant since = newest.minus(OVERLAP);
    for (Run run : store.runsChangedSince(since)) {
      Seen seen = Seen.of(run);
      if (seen.equals(recent.put(run.id(), seen))) continue;
      if (run.updatedAt().isAfter(newest)) newest = run.updatedAt();
      out.add(new News("run", Json.write(view(run)), run));
    }
    Instant forget = newest.minus(OVERLAP);
    recent.values().removeIf(s -> s.updatedAt().isBefore(forget));
    return out;
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
