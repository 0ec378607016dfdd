package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import org.bookcreator.store.sqlite.SqliteStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live stream's changes over a real store: one read per period for every open stream, each
 * change once, and what a reconnecting client missed. The store is counted through a proxy that
 * passes every call on to the real one.
 */
class RunChangesTest {
  private static final Duration EVERY = Duration.ofSeconds(1);

  @TempDir Path dir;
  private Store real;
  private Store store;
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicLong nanos = new AtomicLong();
  private int runs;

  @BeforeEach
  void open() {
    real = SqliteStore.open(dir.resolve("data"), true);
    store =
        (Store)
            Proxy.newProxyInstance(
                Store.class.getClassLoader(),
                new Class<?>[] {Store.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("runsChangedSince")) reads.incrementAndGet();
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
  void fiftyStreams_shareOneReadPerPeriod_andEachHearsEveryChangeOnce() {
    RunChanges changes = new RunChanges(store, EVERY, nanos::get);
    List<EventStreams.Feed> feeds =
        java.util.stream.IntStream.range(0, 50)
            .mapToObj(i -> changes.feed(Optional.empty()))
            .toList();
    reads.set(0);
    String run = aRun();

    nanos.addAndGet(EVERY.toNanos());
    List<List<EventStreams.Event>> first = feeds.stream().map(EventStreams.Feed::poll).toList();
    List<List<EventStreams.Event>> again = feeds.stream().map(EventStreams.Feed::poll).toList();
    nanos.addAndGet(EVERY.toNanos());
    List<List<EventStreams.Event>> later = feeds.stream().map(EventStreams.Feed::poll).toList();

    assertThat(reads.get()).isEqualTo(2);
    assertThat(first)
        .allSatisfy(
            events ->
                assertThat(events)
                    .singleElement()
                    .satisfies(
                        e -> {
                          assertThat(e.name()).isEqualTo("run");
                          assertThat(Json.parse(e.data()).get("id").asString()).isEqualTo(run);
                          assertThat(Json.parse(e.data()).get("state").asString())
                              .isEqualTo("running");
                        }));
    assertThat(again).allSatisfy(events -> assertThat(events).isEmpty());
    // Read again inside the overlap window, unchanged: no news.
    assertThat(later).allSatisfy(events -> assertThat(events).isEmpty());
  }

  @Test
  void aClientThatReconnects_getsWhatItMissed_orAResetWhenItIsNoLongerKept() {
    RunChanges changes = new RunChanges(store, EVERY, nanos::get);
    EventStreams.Feed first = changes.feed(Optional.empty());
    String one = aRun();
    nanos.addAndGet(EVERY.toNanos());
    EventStreams.Event seen = first.poll().getFirst();
    String two = aRun(); // the client is away

    List<EventStreams.Event> caughtUp = changes.feed(Optional.of(seen.id())).poll();
    List<EventStreams.Event> fresh = changes.feed(Optional.empty()).poll();
    List<EventStreams.Event> notOurs = changes.feed(Optional.of("x\u0000")).poll();

    assertThat(Json.parse(seen.data()).get("id").asString()).isEqualTo(one);
    assertThat(caughtUp)
        .singleElement()
        .satisfies(e -> assertThat(Json.parse(e.data()).get("id").asString()).isEqualTo(two));
    assertThat(fresh).isEmpty();
    assertThat(notOurs).isEmpty();

    for (int i = 0; i < RunChanges.KEPT + 1; i++) {
      nanos.addAndGet(EVERY.toNanos());
      real.transitionRun(
          two,
          i % 2 == 0 ? RunState.RUNNING : RunState.PAUSED,
          i % 2 == 0 ? RunState.PAUSED : RunState.RUNNING,
          "toggle",
          Instant.now().plusMillis(i + 1));
      first.poll(); // another client keeps up
    }
    assertThat(changes.feed(Optional.of(seen.id())).poll())
        .singleElement()
        .satisfies(e -> assertThat(e.name()).isEqualTo("reset"));
  }

  private String aRun() {
    String p = "p" + ++runs;
    Instant now = Instant.now();
    real.createProject(
        new Project(
            p,
            "Title " + p,
            "fiction",
            Optional.empty(),
            "A brief.",
            3,
            Optional.empty(),
            List.of(),
            now));
    real.createRun("r" + runs, p, 7, "test", now);
    real.transitionRun("r" + runs, RunState.QUEUED, RunState.RUNNING, "started", now);
    return "r" + runs;
  }
}
