package org.bookcreator.server;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.bookcreator.core.support.Json;
import org.bookcreator.core.view.AlertView;
import org.bookcreator.core.view.OperationsQueries;
import org.bookcreator.core.view.SilenceView;
import org.bookcreator.core.view.ViewJson;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code alerts} topic of {@code GET /api/events}: an {@code alert} event for each move of an
 * alert instance (to pending, firing or resolved: the alert as {@code GET /api/alerts/history}
 * shows it, with its {@code change}), and a {@code silence} event when a silence starts to apply
 * ({@code "change": "created"}) or stops ({@code "change": "ended"}). Each read is of the moves
 * since the newest seen (less an overlap) and of the silences in force, not of the whole history.
 */
final class AlertChanges extends Topic {
  /** How far back each read looks past the newest move seen (late commits); sent once each. */
  static final Duration OVERLAP = Duration.ofSeconds(5);

  /** The most moves one read takes; a read that finds more takes the rest next time. */
  static final int READ_LIMIT = 1000;

  private final OperationsQueries operations;
  private final InstantSource clock;

  /** Moves read in the overlap window, by what identifies them, with their time. */
  private final Map<String, Instant> recent = new HashMap<>();

  /** The silences in force at the previous read, by id. */
  private Map<String, SilenceView> silences = Map.of();

  private Instant newest;

  AlertChanges(OperationsQueries operations, InstantSource clock, Duration every) {
    this(operations, clock, every, System::nanoTime);
  }

  AlertChanges(
      OperationsQueries operations, InstantSource clock, Duration every, LongSupplier nanoTime) {
    super("alerts", every.toNanos(), nanoTime);
    this.operations = operations;
    this.clock = clock;
    this.newest = clock.instant();
  }

  @Override
  protected List<News> read(boolean first) {
    List<News> out = new ArrayList<>();
    List<AlertView> moves = operations.alertHistory(newest.minus(OVERLAP), READ_LIMIT);
    for (AlertView a : moves.reversed()) { // oldest first
      if (a.change().isEmpty()) continue;
      AlertView.Change c = a.change().get();
      String key = a.fingerprint() + ' ' + c.to() + ' ' + c.at();
      if (recent.putIfAbsent(key, c.at()) != null) continue;
      if (c.at().isAfter(newest)) newest = c.at();
      out.add(new News("alert", ViewJson.write(a), a));
    }
    Instant forget = newest.minus(OVERLAP);
    recent.values().removeIf(at -> at.isBefore(forget));

    Map<String, SilenceView> now = new HashMap<>();
    for (SilenceView s : operations.silences(clock.instant())) now.put(s.id(), s);
    if (!first) {
      for (SilenceView s : now.values()) {
        if (!silences.containsKey(s.id())) out.add(silence(s, "created"));
      }
      for (SilenceView s : silences.values()) {
        if (!now.containsKey(s.id())) out.add(silence(s, "ended"));
      }
    }
    silences = now;
    return out;
  }

  private static News silence(SilenceView s, String change) {
    ObjectNode o = (ObjectNode) ViewJson.tree(s);
    o.put("change", change);
    return new News("silence", Json.write(o), s);
  }
}
