package org.bookcreator.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.bookcreator.core.store.LogQuery;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoredLog;
import org.bookcreator.core.support.Json;
import org.bookcreator.telemetry.LogLine;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code logs} topic of {@code GET /api/events}: a {@code log} event for each record added to
 * the store's copy of the logs, as {@code GET /api/logs} shows it (its JSON with {@code id}). Each
 * read is of the records after the newest seen ({@link LogQuery#afterId}, oldest first), at most
 * {@value #PAGES} pages of {@value #PAGE}; a flood beyond that is read on the next periods. Streams
 * filter as the Logs page does ({@link Filter}).
 */
final class LogChanges extends Topic {
  static final int PAGE = 1000;
  static final int PAGES = 5;

  /** A record as streams filter it: the stored line and its message. */
  record Item(StoredLog log, String message) {}

  /**
   * What a stream of logs wants; every filter given must hold, as for {@code GET /api/logs}: the
   * project, run, stage, agent role, provider, the least severe level, a substring of the message
   * (ASCII case-insensitive).
   */
  record Filter(
      Optional<String> project,
      Optional<String> run,
      Optional<String> stage,
      Optional<String> role,
      Optional<String> provider,
      Optional<String> minLevel,
      Optional<String> text)
      implements Predicate<Object> {
    Filter {
      minLevel = minLevel.map(l -> l.strip().toUpperCase(Locale.ROOT));
      minLevel.ifPresent(LogLine::severity);
      text = text.map(t -> t.toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean test(Object subject) {
      if (!(subject instanceof Item item)) return false;
      LogLine l = item.log().line();
      return is(project, l.projectId())
          && is(run, l.runId())
          && is(stage, l.stage())
          && is(role, l.agentRole())
          && is(provider, l.provider())
          && minLevel.map(m -> severity(l.level()) >= LogLine.severity(m)).orElse(true)
          && text.map(t -> item.message().toLowerCase(Locale.ROOT).contains(t)).orElse(true);
    }

    private static boolean is(Optional<String> wanted, String value) {
      return wanted.map(w -> w.equals(value)).orElse(true);
    }

    private static int severity(String level) {
      try {
        return LogLine.severity(level);
      } catch (IllegalArgumentException e) {
        return 0;
      }
    }
  }

  private final Store store;
  private long newestId;

  LogChanges(Store store, Duration every) {
    this(store, every, System::nanoTime);
  }

  LogChanges(Store store, Duration every, LongSupplier nanoTime) {
    super("logs", every.toNanos(), nanoTime);
    this.store = store;
  }

  @Override
  protected List<News> read(boolean first) {
    if (first) {
      // Lines written before are history, not news: start after the newest.
      newestId = store.logs(LogQuery.newest(1)).stream().mapToLong(StoredLog::id).max().orElse(0);
      return List.of();
    }
    List<News> out = new ArrayList<>();
    for (int page = 0; page < PAGES; page++) {
      List<StoredLog> lines =
          store.logs(new LogQuery.Builder().afterId(newestId).limit(PAGE).build());
      for (StoredLog l : lines) {
        ObjectNode o;
        try {
          o = (ObjectNode) Json.parse(l.line().json());
        } catch (RuntimeException e) {
          o = Json.object().put("message", l.line().json());
        }
        o.put("id", l.id());
        newestId = Math.max(newestId, l.id());
        out.add(new News("log", Json.write(o), new Item(l, o.path("message").asString(""))));
      }
      if (lines.size() < PAGE) break;
    }
    return out;
  }
}
