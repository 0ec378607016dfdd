package org.bookcreator.server;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code GET /api/events} streams: one {@code run} event for each run that appeared, or whose
 * state, stage or update time moved, since the previous poll, oldest change first. The first poll
 * compares with the runs as they were when the stream opened, so a client hears of changes, not of
 * every run there is.
 */
final class RunChanges implements EventStreams.Feed {
  private record Seen(RunState state, Optional<Stage> stage, Instant updatedAt) {
    static Seen of(Run run) {
      return new Seen(run.state(), run.stage(), run.updatedAt());
    }
  }

  private final Store store;
  private Map<String, Seen> seen;

  RunChanges(Store store) {
    this.store = store;
    this.seen = snapshot(store.runs(Optional.empty()));
  }

  @Override
  public List<EventStreams.Event> poll() {
    List<Run> runs = store.runs(Optional.empty());
    List<Run> changed = new ArrayList<>();
    for (Run run : runs) {
      if (!Seen.of(run).equals(seen.get(run.id()))) changed.add(run);
    }
    seen = snapshot(runs);
    changed.sort(Comparator.comparing(Run::updatedAt).thenComparing(Run::id));
    List<EventStreams.Event> events = new ArrayList<>();
    for (Run run : changed) events.add(new EventStreams.Event("run", Json.write(view(run))));
    return events;
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

  private static Map<String, Seen> snapshot(List<Run> runs) {
    Map<String, Seen> out = new HashMap<>();
    for (Run run : runs) out.put(run.id(), Seen.of(run));
    return out;
  }
}
