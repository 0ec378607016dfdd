package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertChange;
import org.bookcreator.core.alert.AlertState;
import org.bookcreator.core.alert.Severity;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import org.bookcreator.core.view.OperationsQueries;
import org.bookcreator.store.sqlite.SqliteStore;
import org.bookcreator.telemetry.LogLine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerts and logs topics over a real store, on a clock the test moves: fifty streams share one
 * read per period, each hears each change once, filters hold, and a flood reaches a stream at the
 * bounded rate. The store's reads are counted through a proxy that passes every call on.
 */
class LiveEventsTest {
  private static final Duration EVERY = Duration.ofSeconds(1);

  @TempDir Path dir;
  private Store real;
  private Store store;
  private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
  private final AtomicLong nanos = new AtomicLong();

  @BeforeEach
  void open() {
    real = SqliteStore.open(dir.resolve("data"), true);
    store =
        (Store)
            Proxy.newProxyInstance(
                Store.class.getClassLoader(),
                new Class<?>[] {Store.class},
                (proxy, method, args) -> {
                  reads
                      .computeIfAbsent(method.getName(), k -> new AtomicInteger())
                      .incrementAndGet();
                  try {
                    return method.invoke(real, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
  }

  @AfterEach
  void close() {
    real.close();
  }

  @Test
  void fiftyStreamsOfLogsAndAlerts_shareOneReadOfEachPerPeriod_andEachHearsEveryChangeOnce() {
    LiveEvents live = live(LiveEvents.MAX_PER_POLL);
    List<EventStreams.Feed> feeds =
        IntStream.range(0, 50)
            .mapToObj(i -> live.feed(Optional.empty(), query("topics", "alerts,logs")))
            .toList();
    reads.clear();
    real.recordLogs(List.of(EventStreamTest.aLogLine("r1", "INFO", "one")));
    real.saveAlerts(
        List.of(
            new AlertChange(
                anAlert(), Optional.empty(), AlertState.FIRING, Instant.now().plusMillis(1))));

    nanos.addAndGet(EVERY.toNanos());
    List<List<EventStreams.Event>> first = feeds.stream().map(EventStreams.Feed::poll).toList();
    List<List<EventStreams.Event>> again = feeds.stream().map(EventStreams.Feed::poll).toList();
    nanos.addAndGet(EVERY.toNanos());
    List<List<EventStreams.Event>> later = feeds.stream().map(EventStreams.Feed::poll).toList();

    assertThat(reads.get("logs").get()).isEqualTo(2);
    assertThat(reads.get("alertHistory").get()).isEqualTo(2);
    assertThat(reads.get("activeSilences").get()).isEqualTo(2);
    assertThat(first)
        .allSatisfy(
            events ->
                assertThat(events)
                    .extracting(EventStreams.Event::name)
                    .containsExactly("alert", "log"));
    assertThat(again).allSatisfy(events -> assertThat(events).isEmpty());
    assertThat(later).allSatisfy(events -> assertThat(events).isEmpty());
  }

  @Test
  void aFloodOfLogLines_reachesAStreamAtTheBoundedRate_inOrder_andFiltersHold() {
    LiveEvents live = live(100);
    EventStreams.Feed all = live.feed(Optional.empty(), query("topics", "logs"));
    EventStreams.Feed errors =
        live.feed(Optional.empty(), query("topics", "logs", "level", "error"));
    List<LogLine> flood = new ArrayList<>();
    for (int i = 0; i < 250; i++)
      flood.add(EventStreamTest.aLogLine("r1", i == 200 ? "ERROR" : "INFO", "line " + i));
    real.recordLogs(flood);

    List<List<EventStreams.Event>> polls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      nanos.addAndGet(EVERY.toNanos());
      polls.add(all.poll());
    }
    List<EventStreams.Event> filtered = errors.poll();

    assertThat(polls).extracting(List::size).containsExactly(100, 100, 50, 0);
    assertThat(polls.stream().flatMap(List::stream).map(e -> message(e)).toList())
        .isEqualTo(IntStream.range(0, 250).mapToObj(i -> "line " + i).toList());
    assertThat(filtered).extracting(this::message).containsExactly("line 200");
  }

  @Test
  void anIdOfRunsAlone_asBeforeTopics_isAPlaceInRuns() {
    assertThat(LiveEvents.places("12")).containsExactly(Map.entry('r', 12L));
    assertThat(LiveEvents.places("r3.a4.l5"))
        .containsExactly(Map.entry('r', 3L), Map.entry('a', 4L), Map.entry('l', 5L));
    assertThat(LiveEvents.places("x\u0000")).isEmpty();
  }

  private String message(EventStreams.Event e) {
    return Json.parse(e.data()).get("message").asString();
  }

  private LiveEvents live(int max) {
    return new LiveEvents(
        List.of(
            new RunChanges(store, EVERY, nanos::get),
            new AlertChanges(
                new OperationsQueries(store, StallDetector.Thresholds.of(Duration.ofMinutes(10))),
                InstantSource.system(),
                EVERY,
                nanos::get),
            new LogChanges(store, EVERY, nanos::get)),
        max);
  }

  private static java.util.function.Function<String, Optional<String>> query(String... pairs) {
    Map<String, String> q = new java.util.HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) q.put(pairs[i], pairs[i + 1]);
    return name -> Optional.ofNullable(q.get(name));
  }

  private static Alert anAlert() {
    Instant now = Instant.now();
    Map<String, String> labels = Map.of("run_id", "r1");
    return new Alert(
        Alert.fingerprint("RunFailed", labels),
        "RunFailed",
        labels,
        Severity.WARNING,
        AlertState.FIRING,
        "A run failed",
        "It failed.",
        "run-failed",
        now,
        Optional.of(now),
        Optional.empty(),
        Optional.empty());
  }
}
