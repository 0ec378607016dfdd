package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bookcreator.core.cost.CostLine;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.Store;
import org.bookcreator.store.sqlite.SqliteStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every call the provider served is in the ledger, through kills and freezes of real book-creator
 * processes. The provider is a local server speaking OpenAI's wire format ({@link
 * OpenAiWireServer}, standing in for OpenAI, which a test cannot reach) that counts every request
 * it answers, with the ledger id each carried.
 *
 * <ul>
 *   <li>SIGKILL at 20 random points: after a random number of requests, plus a random delay, so
 *       some land while calls are in flight and some while the store is being written;
 *   <li>SIGSTOP + {@code runs restart} + SIGCONT at 5 points: the process is frozen while one of
 *       its calls waits at the server, another process restarts the run (taking the frozen worker's
 *       lease back), the server answers, and the process goes on. The late answer must be recorded
 *       as paid and wasted, not dropped.
 * </ul>
 *
 * Then every run must complete, every served request must be a ledger row, and the answered rows
 * must equal the served requests exactly, in count and tokens.
 */
class LedgerFaultTest {
  private static final int KILLS = 20;
  private static final int FREEZES = 5;

  @TempDir Path dir;
  private Path data;
  private OpenAiWireServer server;
  private final AtomicReference<Hold> hold = new AtomicReference<>();
  private int briefs;

  /** Keeps the next request waiting at the server until released. */
  private record Hold(CountDownLatch arrived, CountDownLatch release) {
    Hold() {
      this(new CountDownLatch(1), new CountDownLatch(1));
    }
  }

  @Test
  void everyServedCall_isInTheLedger_exactly_throughKillsAndFreezes() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    data = dir.resolve("data");
    server =
        OpenAiWireServer.start(
            Optional.of("gpt-4o-mini-2024-07-18"),
            Duration.ofMillis(40),
            (n, exchange) -> {
              Hold h = hold.getAndSet(null);
              if (h != null) {
                h.arrived().countDown();
                await(h.release());
              }
              return false;
            });
    try (OpenAiWireServer serving = server) {
      Path busy = config("busy.yaml", 2);
      for (int i = 0; i < KILLS; i++) {
        Process child = next(busy);
        awaitRequests(child, 1 + random.nextInt(6));
        Thread.sleep(random.nextInt(150));
        child.destroyForcibly();
        child.waitFor();
      }
      // One worker while frozen: it waits at the server, so the process holds no write lock of
      // the store that the restarting process would wait for.
      Path single = config("single.yaml", 1);
      for (int i = 0; i < FREEZES; i++) freezeRestartThaw(single);
      Process last = child(busy, "resume");
      assertThat(last.waitFor(120, TimeUnit.SECONDS)).as("the last resume ends").isTrue();
      assertThat(last.exitValue()).as(log("resume")).isZero();
    }
    checkLedger(seed);
  }

  /**
   * Starts a process that works on the open run, or on a new book when none is open; waits until
   * its call is held at the server, freezes it, restarts the run from another process, lets the
   * server answer, and thaws it. The process must finish the run and exit by itself.
   */
  private void freezeRestartThaw(Path config) throws Exception {
    Hold h = new Hold();
    hold.set(h);
    Process child = next(config);
    // A resume whose run needs no more model calls (only assembly was left) ends without one:
    // then the next process works on a new book.
    for (int tries = 0; !held(h, child); tries++) {
      assertThat(child.exitValue()).as(log("resume") + log("run")).isZero();
      assertThat(tries).as("a process that calls the provider").isLessThan(5);
      child = next(config);
    }
    try {
      signal("STOP", child);
      String runId = openRuns().get(0).id();
      Process restart = child(config, "runs", "restart", runId, "--reason", "worker frozen");
      if (!restart.waitFor(60, TimeUnit.SECONDS)) {
        // Seen once in CI (2026-12-01) and not reproduced since: say where it waited
        String threads = threadDump(restart);
        restart.destroyForcibly();
        throw new AssertionError(
            "runs restart did not end within 60 s while the worker process was frozen; its"
                + " output:\n"
                + log("runs")
                + "\nits threads:\n"
                + threads);
      }
      assertThat(restart.exitValue()).as(log("runs")).isZero();
    } finally {
      h.release().countDown();
      Thread.sleep(200); // the answer reaches the frozen process's socket
      if (child.isAlive()) signal("CONT", child);
    }
    assertThat(child.waitFor(120, TimeUnit.SECONDS))
        .as("the thawed process finishes its work and exits")
        .isTrue();
    assertThat(child.exitValue()).as(log("resume") + log("run")).isZero();
  }

  /** Whether a call of the child is held at the server (false once the child has ended). */
  private static boolean held(Hold h, Process child) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (h.arrived().await(50, TimeUnit.MILLISECONDS)) return true;
      if (!child.isAlive()) return h.arrived().getCount() == 0;
    }
    throw new AssertionError("no call reached the server within 60 s");
  }

  private void checkLedger(long seed) {
    List<OpenAiWireServer.Served> served = server.served();
    Map<String, OpenAiWireServer.Served> byId =
        served.stream()
            .collect(Collectors.toMap(OpenAiWireServer.Served::requestId, Function.identity()));
    try (Store store = SqliteStore.open(data, false)) {
      List<Run> runs = store.runs(Optional.empty());
      assertThat(runs).as("seed " + seed).isNotEmpty();
      assertThat(runs)
          .as("every run completes (seed %d)", seed)
          .allSatisfy(r -> assertThat(r.state()).isEqualTo(RunState.COMPLETED));
      List<LedgerEntry> ledger = runs.stream().flatMap(r -> store.calls(r.id()).stream()).toList();
      Map<String, LedgerEntry> rows =
          ledger.stream().collect(Collectors.toMap(LedgerEntry::callId, Function.identity()));

      assertThat(byId).as("one physical request, one id").hasSameSizeAs(served);
      assertThat(ledger).as("nothing left pending").noneMatch(e -> e.outcome().equals("pending"));
      assertThat(byId.keySet()).as("every served call is a ledger row").isSubsetOf(rows.keySet());
      List<LedgerEntry> answered = ledger.stream().filter(LedgerEntry::answered).toList();
      for (LedgerEntry e : answered) {
        OpenAiWireServer.Served s = byId.get(e.callId());
        assertThat(s).as("answered row %s was served", e.callId()).isNotNull();
        assertThat(e.usage().inputTokens()).isEqualTo(s.promptTokens() - s.cachedTokens());
        assertThat(e.usage().cacheReadTokens()).isEqualTo(s.cachedTokens());
        assertThat(e.usage().outputTokens()).isEqualTo(s.completionTokens());
        assertThat(e.model()).isEqualTo(s.model());
      }
      long servedButUnread =
          served.stream()
              .filter(s -> rows.get(s.requestId()).outcome().equals(LedgerEntry.INTERRUPTED))
              .count();
      assertThat(answered.size() + servedButUnread)
          .as("answered rows + served calls whose answer a killed process never read")
          .isEqualTo(served.size());
      long tokens =
          answered.stream()
              .mapToLong(e -> e.usage().inputTokens() + e.usage().outputTokens())
              .sum();
      long servedTokens =
          served.stream()
              .filter(s -> rows.get(s.requestId()).answered())
              .mapToLong(s -> s.promptTokens() - s.cachedTokens() + s.completionTokens())
              .sum();
      assertThat(tokens).isEqualTo(servedTokens);
      assertThat(ledger)
          .as("each frozen worker's late answer is paid and wasted")
          .filteredOn(e -> e.outcome().equals(LedgerEntry.WASTED))
          .hasSize(FREEZES);
      CostLine total = store.costReport(CostQuery.all(List.of())).get(0);
      System.out.printf(
          "LedgerFaultTest seed %d: %d runs, %d requests served, %d ledger rows: %d answered, %d"
              + " wasted, %d interrupted (%d of them served, answer never read)%n",
          seed,
          runs.size(),
          served.size(),
          ledger.size(),
          answered.size(),
          total.wastedCalls(),
          total.interruptedCalls(),
          servedButUnread);
      assertThat(total.unpricedCalls()).as("snapshot names are priced").isZero();
      assertThat(total.wastedCalls()).isEqualTo(FREEZES);
      assertThat(total.calls()).isEqualTo(ledger.size());
    }
  }

  /** A process working on the open runs, or on a new one-chapter book when none is open. */
  private Process next(Path config) throws Exception {
    if (!openRuns().isEmpty()) return child(config, "resume");
    Path brief =
        Files.writeString(
            dir.resolve("brief-" + briefs + ".yaml"),
            "title: Lights Over HTTP "
                + briefs++
                + "\ncategory: non-fiction\nbrief: A short history of lighthouses.\nchapters: 1\n");
    return child(config, "run", brief.toString());
  }

  private List<Run> openRuns() {
    if (!Files.exists(data.resolve(SqliteStore.DB_FILE))) return List.of();
    try (Store store = SqliteStore.open(data, false)) {
      return store.runs(Optional.empty()).stream().filter(r -> r.state().isOpen()).toList();
    }
  }

  private Process child(Path config, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(args));
    cmd.addAll(List.of("--data-dir", data.toString(), "--config", config.toString()));
    ProcessBuilder pb =
        ChildCli.builder(cmd.toArray(String[]::new))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(args[0] + ".log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("OPENAI"));
    pb.environment().put("OPENAI_BASE_URL", server.baseUrl());
    pb.environment().put("OPENAI_API_KEY", "sk-fault-test-key-0123456789");
    return pb.start();
  }

  private Path config(String name, int workers) throws Exception {
    return Files.writeString(
        dir.resolve(name),
        "provider: openai\npipeline:\n  workers: "
            + workers
            + "\n  backoff_base: 10ms\n  backoff_max: 50ms\n  heartbeat: 10s\n  lease: 60s\n"
            + "worker:\n  metrics_port: -1\n");
  }

  /** Waits until the server has received {@code n} more requests, or the child has ended. */
  private void awaitRequests(Process child, int n) throws Exception {
    int target = server.received() + n;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (server.received() < target && child.isAlive() && System.nanoTime() < deadline)
      Thread.sleep(5);
  }

  private static void signal(String signal, Process p) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    assertThat(kill.waitFor()).as("kill -" + signal).isZero();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(120, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The threads of a live child JVM, as {@code jcmd Thread.print} prints them. */
  private static String threadDump(Process child) {
    try {
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(child.pid()),
                  "Thread.print")
              .redirectErrorStream(true)
              .start();
      String out = new String(jcmd.getInputStream().readAllBytes());
      jcmd.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (Exception e) {
      return "(no thread dump: " + e + ")";
    }
  }

  private String log(String name) {
    try {
      return Files.readString(dir.resolve(name + ".log"));
    } catch (Exception e) {
      return "(no " + name + ".log)";
    }
  }
}
