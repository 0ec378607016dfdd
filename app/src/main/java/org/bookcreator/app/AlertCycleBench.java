package org.bookcreator.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import org.bookcreator.core.alert.AlertEvaluator;
import org.bookcreator.core.alert.AlertInputs;
import org.bookcreator.core.alert.AlertRule;
import org.bookcreator.core.alert.ProcessProbe;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.store.Store;

/**
 * {@code bench --alert-cycle}: one evaluation of every built-in alert rule over a store the size
 * issue 12 names: N running runs (each with a budget, two tasks and a recent change, so none is
 * stalled) and M ledger rows spread evenly over the last seven days (so a 10-minute window holds
 * about M/1,000 of them), 3 providers, 2% failed calls. Times whole evaluations, then the parts of
 * one (the active runs, the stall detector's look, each rule) so a slow cycle says where it goes.
 */
final class AlertCycleBench {
  private AlertCycleBench() {}

  private static final String[] PROVIDERS = {"openai", "anthropic", "simulated"};

  static int run(
      PrintWriter out,
      int activeRuns,
      int ledgerRows,
      int warmup,
      int repeat,
      Function<Path, Engine> scratch)
      throws IOException {
    Path dir = Files.createTempDirectory("book-creator-alert-bench");
    try (Engine engine = scratch.apply(dir)) {
      Store store = engine.store;
      Instant now = InstantSource.system().instant();
      long fillStart = System.nanoTime();
      fillRuns(store, activeRuns, now.minus(Duration.ofMinutes(1)));
      long runsMs = Duration.ofNanos(System.nanoTime() - fillStart).toMillis();
      fillStart = System.nanoTime();
      fillLedger(store, activeRuns, ledgerRows, now);
      for (int w = 0; w < 8; w++) store.heartbeat("pool_bench-w" + w, Instant.now());
      out.printf(
          "filled %,d running runs (%,d tasks) in %d ms and %,d ledger rows in %d ms%n",
          activeRuns,
          2L * activeRuns,
          runsMs,
          ledgerRows,
          Duration.ofNanos(System.nanoTime() - fillStart).toMillis());
      out.flush();

      AlertEvaluator evaluator =
          Engine.alertEvaluator(engine.settings, store, InstantSource.system(), () -> 0);
      List<Double> cycles = new ArrayList<>();
      for (int i = 0; i < warmup + repeat; i++) {
        long start = System.nanoTime();
        evaluator.evaluate();
        double ms = (System.nanoTime() - start) / 1e6;
        if (i >= warmup) {
          cycles.add(ms);
          out.printf("cycle %d: %.1f ms%n", i - warmup + 1, ms);
          out.flush();
        }
      }
      out.printf(
          "one evaluation cycle, %,d running runs, %,d ledger rows, %d rules: median %.1f ms, min"
              + " %.1f ms, max %.1f ms over %d cycles; %d alert(s) open%n",
          activeRuns,
          ledgerRows,
          evaluator.rules().size(),
          median(cycles),
          cycles.stream().min(Double::compare).orElseThrow(),
          cycles.stream().max(Double::compare).orElseThrow(),
          cycles.size(),
          store.openAlerts().size());
      parts(out, engine.settings, store, evaluator.rules(), repeat);
    } finally {
      BenchCommand.deleteTree(dir);
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** The parts of a cycle, each timed on its own {@code repeat} times: medians. */
  private static void parts(
      PrintWriter out, Settings settings, Store store, List<AlertRule> rules, int repeat) {
    Map<String, List<Double>> times = new LinkedHashMap<>();
    for (int i = 0; i < repeat; i++) {
      Instant now = Instant.now();
      long t = System.nanoTime();
      StallDetector.Thresholds thresholds = settings.stallThresholds();
      List<Run> candidates = store.stallCandidates(now.minus(thresholds.shortest()), now);
      t = lap(times, "stall candidates", t);
      StallDetector.Look look = StallDetector.look(store, candidates, thresholds, now);
      t = lap(times, "stall detector", t);
      AlertInputs in = new AlertInputs(store, now, look, ProcessProbe.NONE);
      for (AlertRule r : rules) {
        r.check(in);
        t = lap(times, r.name(), t);
      }
      store.openAlerts();
      lap(times, "open alerts", t);
    }
    StringBuilder line = new StringBuilder("parts (median ms):");
    times.forEach((k, v) -> line.append(String.format(" %s %.1f;", k, median(v))));
    out.println(line);
  }

  private static long lap(Map<String, List<Double>> times, String part, long since) {
    long now = System.nanoTime();
    times.computeIfAbsent(part, k -> new ArrayList<>()).add((now - since) / 1e6);
    return now;
  }

  private static double median(List<Double> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }

  private static void fillRuns(Store store, int runs, Instant at) {
    for (int i = 0; i < runs; i++) {
      String project = "p" + i;
      String run = "r" + i;
      store.createProject(
          new Project(
              project,
              "Book " + i,
              "fiction",
              Optional.empty(),
              "A brief.",
              12,
              Optional.of(new BigDecimal("1000")),
              List.of(),
              at));
      store.createRun(run, project, 1, "bench", at);
      store.transitionRun(run, RunState.QUEUED, RunState.RUNNING, "bench", at);
      store.enqueue(
          run + "-plan", run, new TaskSpec("plan", Stage.INTAKE, TaskKind.PLAN, "{}"), at);
      store.enqueue(
          run + "-outline",
          run,
          new TaskSpec("outline", Stage.OUTLINE, TaskKind.OUTLINE, "{}"),
          at);
    }
  }

  private static void fillLedger(Store store, int runs, int rows, Instant now) {
    Random random = new Random(1);
    long span = Duration.ofDays(7).toMillis();
    AgentRole[] roles = {AgentRole.PLANNER, AgentRole.CRITIC, AgentRole.WRITER, AgentRole.EDITOR};
    List<LedgerEntry> batch = new ArrayList<>(10_000);
    for (int i = 0; i < rows; i++) {
      int run = random.nextInt(runs);
      boolean failed = random.nextInt(50) == 0;
      batch.add(
          new LedgerEntry(
              "c" + i,
              "p" + run,
              "r" + run,
              "r" + run + "-outline",
              Stage.OUTLINE,
              roles[random.nextInt(roles.length)],
              0,
              PROVIDERS[random.nextInt(PROVIDERS.length)],
              "m" + random.nextInt(3),
              new Usage(random.nextInt(8000), random.nextInt(3000), 0, 0, 0),
              Optional.of(BigDecimal.valueOf(random.nextLong(1, 50_000_000_000L), 12)),
              Optional.of("v1"),
              random.nextInt(30_000),
              failed ? LedgerEntry.ERROR : LedgerEntry.OK,
              failed ? Optional.of("server_error") : Optional.empty(),
              Optional.empty(),
              now.minusMillis((long) i * span / rows)));
      if (batch.size() == 10_000) {
        store.recordCalls(batch);
        batch.clear();
      }
    }
    store.recordCalls(batch);
  }
}
