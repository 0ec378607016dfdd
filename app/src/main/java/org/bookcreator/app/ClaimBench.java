package org.bookcreator.app;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.store.Store;

/**
 * {@code bench --claims N}: N workers on threads of their own claim tasks from one store as fast as
 * they can, each completing what it claims before claiming again, until the queue is empty; prints
 * the claim latency (p50, p95, p99, max: one {@link Store#claim} call, as a worker waits for it)
 * and the claims per second. The store is the one the settings name: the SQLite file of a scratch
 * data directory, or the PostgreSQL database of {@code store.url} (which must be empty; the bench
 * leaves its rows there).
 */
final class ClaimBench {
  private ClaimBench() {}

  /**
   * How the queue is filled, each round: runs of the given number of tasks each; {@code warmup}
   * rounds unmeasured (class loading and JIT compilation, in this process and the database's
   * plans), then {@code repeat} measured ones.
   */
  record Sizes(int claimers, int runs, int tasksPerRun, int warmup, int repeat) {}

  /** One round: every claim's latency in nanoseconds, and the tasks claimed per second. */
  private record Round(List<Long> latencies, double tasksPerSecond) {}

  static int run(PrintWriter out, Store store, String where, Sizes sizes)
      throws InterruptedException {
    if (!store.projects().isEmpty()) {
      throw new Main.UsageException(
          "bench --claims needs an empty store; " + where + " holds projects already");
    }
    int total = sizes.runs() * sizes.tasksPerRun();
    List<Long> measured = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    for (int i = 0; i < sizes.warmup() + sizes.repeat(); i++) {
      long fillStart = System.nanoTime();
      fill(store, sizes, "claim-bench-" + i + "-");
      long fillMs = (System.nanoTime() - fillStart) / 1_000_000;
      Optional<Round> round = round(store, sizes, total, out);
      if (round.isEmpty()) return ExitCodes.RUN_FAILED;
      List<Long> sorted = sorted(round.get().latencies());
      boolean counted = i >= sizes.warmup();
      out.printf(
          "%s %d: filled %,d queued tasks (%,d runs) in %d ms; claim p50 %.2f ms, p99 %.2f ms;"
              + " %,.0f tasks claimed and completed per second%n",
          counted ? "round" : "warm-up",
          counted ? i - sizes.warmup() + 1 : i + 1,
          total,
          sizes.runs(),
          fillMs,
          quantile(sorted, 0.50),
          quantile(sorted, 0.99),
          round.get().tasksPerSecond());
      out.flush();
      if (counted) {
        measured.addAll(round.get().latencies());
        rates.add(round.get().tasksPerSecond());
      }
    }
    List<Long> sorted = sorted(measured);
    List<Double> sortedRates = rates.stream().sorted().toList();
    out.printf(
        "%d claimers, %,d tasks a round on %s, %d measured round(s) after %d warm-up: claim"
            + " latency p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms over %,d claims; %,.0f"
            + " tasks claimed and completed per second (median round); every task claimed exactly"
            + " once%n",
        sizes.claimers(),
        total,
        where,
        sizes.repeat(),
        sizes.warmup(),
        quantile(sorted, 0.50),
        quantile(sorted, 0.95),
        quantile(sorted, 0.99),
        sorted.getLast() / 1e6,
        sorted.size(),
        sortedRates.get((sortedRates.size() - 1) / 2));
    out.flush();
    return ExitCodes.OK;
  }

  /** Queues {@code runs x tasksPerRun} tasks of running runs, their ids starting {@code prefix}. */
  private static void fill(Store store, Sizes sizes, String prefix) {
    Instant t0 = Instant.now();
    for (int r = 0; r < sizes.runs(); r++) {
      String project = prefix + "p" + r;
      String run = prefix + "r" + r;
      store.createProject(
          new Project(
              project,
              "Claim bench " + r,
              "fiction",
              Optional.empty(),
              "A brief.",
              1,
              Optional.of(BigDecimal.TEN),
              List.of(),
              t0));
      store.createRun(run, project, 1, "bench", t0);
      store.transitionRun(run, RunState.QUEUED, RunState.RUNNING, "bench", t0);
      for (int t = 0; t < sizes.tasksPerRun(); t++) {
        store.enqueue(
            run + "-t" + t,
            run,
            new TaskSpec("t" + t, Stage.CHAPTER_WRITING, TaskKind.DRAFT_CHAPTER, "{}"),
            t0);
      }
    }
  }

  /**
   * The claimers claim and complete until the queue is empty; empty when a task was claimed twice
   * or not at all (said on {@code out}).
   */
  private static Optional<Round> round(Store store, Sizes sizes, int total, PrintWriter out)
      throws InterruptedException {
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> claimed = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    long began;
    try (ExecutorService pool = Executors.newFixedThreadPool(sizes.claimers())) {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < sizes.claimers(); w++) {
        String worker = "claim-bench-w" + w;
        workers.add(
            pool.submit(
                () -> {
                  start.await();
                  while (true) {
                    Instant now = Instant.now();
                    long s = System.nanoTime();
                    Optional<Task> task = store.claim(worker, now, now.plusSeconds(300));
                    latencies.add(System.nanoTime() - s);
                    if (task.isEmpty()) return null;
                    claimed.add(task.get().id());
                    store.complete(task.get().id(), worker, "{}", Instant.now());
                  }
                }));
      }
      began = System.nanoTime();
      start.countDown();
      for (Future<?> f : workers) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("a claimer failed: " + e.getCause(), e.getCause());
        }
      }
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    if (claimed.size() != total || claimed.stream().distinct().count() != total) {
      out.printf(
          "FAILED: %,d claims of %,d tasks (%,d distinct)%n",
          claimed.size(), total, claimed.stream().distinct().count());
      out.flush();
      return Optional.empty();
    }
    return Optional.of(new Round(List.copyOf(latencies), total / seconds));
  }

  private static List<Long> sorted(List<Long> latencies) {
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    return sorted;
  }

  /** The nearest-rank quantile, in milliseconds. */
  private static double quantile(List<Long> sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, rank - 1)) / 1e6;
  }
}
