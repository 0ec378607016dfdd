package org.bookcreator.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.store.postgres.PostgresDatabase;

/**
 * Throughput of the scaled-out topology by the number of worker processes: for each count K, a
 * fresh scratch PostgreSQL database, one {@code serve --role orchestrator} and K {@code serve
 * --role worker} processes (JVMs of their own, this JVM's java and classpath) sharing {@code
 * workersTotal} agent workers, against the simulated provider with a fixed latency. The books are
 * created and started through the store from this process, as the API role does; the wall time runs
 * from the first start until every run has ended. Every child is killed at the end, also on
 * failure; a child that dies fails the benchmark with the end of its output.
 */
final class ProcessesBench {
  private ProcessesBench() {}

  /** What to measure. */
  record Sizes(
      List<Integer> processes,
      int workersTotal,
      String latency,
      int books,
      int chapters,
      int warmup,
      int repeat) {}

  /**
   * One round of books, measured: its completed tasks, wall time, the CPU time the children used
   * (every JVM of the topology) and the share of the machine's CPU time that was busy (PostgreSQL
   * and anything else included; -1 where /proc/stat cannot be read).
   */
  private record Round(long tasks, long wallMs, double childCpuSeconds, double machineBusy) {
    double tasksPerSecond() {
      return tasks * 1000.0 / wallMs;
    }
  }

  /** One count of worker processes, measured: its rounds after the warm-up. */
  private record Result(int processes, int workersEach, List<Round> rounds) {
    /** The round of median throughput (the lower middle one of an even count). */
    Round median() {
      List<Round> sorted =
          rounds.stream()
              .sorted(java.util.Comparator.comparingDouble(Round::tasksPerSecond))
              .toList();
      return sorted.get((sorted.size() - 1) / 2);
    }

    double tasksPerSecond() {
      return median().tasksPerSecond();
    }

    double min() {
      return rounds.stream().mapToDouble(Round::tasksPerSecond).min().orElseThrow();
    }

    double max() {
      return rounds.stream().mapToDouble(Round::tasksPerSecond).max().orElseThrow();
    }
  }

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(30);

  static int run(PrintWriter out, PostgresDatabase.Settings server, Sizes sizes)
      throws IOException, InterruptedException {
    out.printf(
        "worker processes %s, %d agent workers in all, simulated latency %s (sigma 0), rounds of"
            + " %d books of %d chapters in the same processes, %d unmeasured then %d measured;"
            + " a scratch database per count on PostgreSQL %s%n",
        sizes.processes(),
        sizes.workersTotal(),
        sizes.latency(),
        sizes.books(),
        sizes.chapters(),
        sizes.warmup(),
        sizes.repeat(),
        server.where());
    out.flush();
    List<Result> results = new ArrayList<>();
    for (int k : sizes.processes()) {
      results.add(once(out, server, sizes, k));
    }
    Result first = results.getFirst();
    out.printf(
        "%n| processes | workers each | tasks a round | median wall ms | tasks/s median | min | max"
            + " | JVM CPU ms a task | machine busy | tasks/s vs %d process(es) |%n",
        first.processes());
    out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (Result r : results) {
      Round m = r.median();
      out.printf(
          "| %d | %d | %d | %d | %.1f | %.1f | %.1f | %.2f | %s | %.3f |%n",
          r.processes(),
          r.workersEach(),
          m.tasks(),
          m.wallMs(),
          m.tasksPerSecond(),
          r.min(),
          r.max(),
          m.childCpuSeconds() * 1000 / m.tasks(),
          m.machineBusy() < 0 ? "?" : String.format("%.0f%%", m.machineBusy() * 100),
          r.tasksPerSecond() / first.tasksPerSecond());
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static Result once(PrintWriter out, PostgresDatabase.Settings server, Sizes sizes, int k)
      throws IOException, InterruptedException {
    int each = sizes.workersTotal() / k;
    Path dir = Files.createTempDirectory("book-creator-processes-bench");
    List<Child> children = new ArrayList<>();
    try (ScratchDatabase db = ScratchDatabase.create(server)) {
      Path config =
          Files.writeString(
              dir.resolve("bench.yaml"),
              "pipeline:\n  workers: "
                  + each
                  + "\nsimulated:\n  latency_median: "
                  + sizes.latency()
                  + "\n  latency_sigma: 0\n");
      Child orchestrator = Child.start(dir, config, db, "orchestrator", "bench-orchestrator");
      children.add(orchestrator);
      orchestrator.await(": the active orchestrator");
      for (int i = 1; i <= k; i++)
        children.add(Child.start(dir, config, db, "worker", "bench-worker-" + i));
      for (Child c : children.subList(1, children.size())) c.await(" agent workers on ");

      Map<Setting<?>, String> flags = new HashMap<>(db.flags());
      flags.put(Setting.DATA_DIR, dir.resolve("data").toString());
      Settings settings = Settings.load(null, Map.of(), flags);
      List<Round> rounds = new ArrayList<>();
      try (Engine engine = Engine.open(settings, BenchCommand.noTelemetry(), Engine.Use.SHARED)) {
        for (int i = 0; i < sizes.warmup() + sizes.repeat(); i++) {
          Round r = round(engine, children, sizes);
          boolean measured = i >= sizes.warmup();
          if (measured) rounds.add(r);
          out.printf(
              "processes=%d workers each=%d %s %d: %,d tasks in %d ms, %.1f tasks/s, JVM CPU %.1f"
                  + " s, machine busy %s%n",
              k,
              each,
              measured ? "round" : "warm-up",
              measured ? i - sizes.warmup() + 1 : i + 1,
              r.tasks(),
              r.wallMs(),
              r.tasksPerSecond(),
              r.childCpuSeconds(),
              r.machineBusy() < 0 ? "?" : String.format("%.0f%%", r.machineBusy() * 100));
          out.flush();
        }
      }
      return new Result(k, each, rounds);
    } finally {
      for (Child c : children) c.process.destroyForcibly();
      for (Child c : children) c.process.waitFor(30, TimeUnit.SECONDS);
      BenchCommand.deleteTree(dir);
    }
  }

  /** Creates and starts a round of books, waits until every run ended, and checks them. */
  private static Round round(Engine engine, List<Child> children, Sizes sizes)
      throws InterruptedException {
    List<Project> projects = BenchCommand.createBooks(engine, sizes.books(), sizes.chapters());
    double cpuBefore = childCpuSeconds(children);
    long[] machineBefore = machineTicks();
    long start = System.nanoTime();
    List<String> runs = new ArrayList<>();
    for (Project p : projects) runs.add(engine.runs.start(p.id(), 42, "bench").id());
    long deadline = start + RUN_TIMEOUT.toNanos();
    while (!engine.store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING)).isEmpty()) {
      for (Child c : children) c.checkAlive();
      if (System.nanoTime() > deadline)
        throw new IllegalStateException(
            "the runs did not end within " + RUN_TIMEOUT.toMinutes() + " minutes");
      Thread.sleep(20);
    }
    long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
    double cpu = childCpuSeconds(children) - cpuBefore;
    long[] machineAfter = machineTicks();
    for (String id : runs) {
      Run run = engine.store.run(id).orElseThrow();
      if (run.state() != RunState.COMPLETED)
        throw new IllegalStateException("bench run did not complete: " + run);
    }
    double busy =
        machineBefore == null || machineAfter == null || machineAfter[1] == machineBefore[1]
            ? -1
            : (double) (machineAfter[0] - machineBefore[0]) / (machineAfter[1] - machineBefore[1]);
    return new Round(completedTasks(engine, runs), ms, cpu, busy);
  }

  /** CPU time used so far by the children, user and system. */
  private static double childCpuSeconds(List<Child> children) {
    double s = 0;
    for (Child c : children)
      s += c.process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    return s;
  }

  /**
   * The machine's busy and total CPU ticks since boot, from the first line of /proc/stat (busy: all
   * but idle and iowait); null where it cannot be read.
   */
  private static long[] machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) total += Long.parseLong(f[i]);
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The completed tasks of the round's runs, through the bench's own store. */
  private static long completedTasks(Engine engine, List<String> runs) {
    long n = 0;
    for (String run : runs) {
      n +=
          engine.store.tasks(run).stream()
              .filter(t -> t.state() == org.bookcreator.core.run.TaskState.COMPLETED)
              .count();
    }
    return n;
  }

  /**
   * The command line of {@code bin/book-creator args...} in a JVM of its own: this JVM's java and
   * classpath.
   */
  static List<String> cliCommand(String... args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** A {@code serve} child process, its output (stdout and stderr) in a file. */
  private record Child(String name, Process process, Path log) {
    static Child start(Path dir, Path config, ScratchDatabase db, String role, String name)
        throws IOException {
      List<String> cmd =
          cliCommand(
              "serve",
              "--role",
              role,
              "--port",
              "0",
              "--worker-port",
              "-1",
              "--data-dir",
              dir.resolve("data").toString(),
              "--config",
              config.toString());
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().keySet().removeIf(k -> k.startsWith("BOOK_CREATOR_"));
      pb.environment().putAll(db.environment());
      pb.environment().put("BOOK_CREATOR_INSTANCE_ID", name);
      Path log = dir.resolve(name + ".log");
      return new Child(
          name, pb.redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
    }

    /** Waits until the child has printed {@code text}; fails if it dies or takes too long. */
    void await(String text) throws IOException, InterruptedException {
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (!Files.readString(log).contains(text)) {
        checkAlive();
        if (System.nanoTime() > deadline)
          throw new IllegalStateException(
              name
                  + " did not start within "
                  + START_TIMEOUT.toSeconds()
                  + " s (no '"
                  + text.strip()
                  + "'); its output ends:\n"
                  + tail());
        Thread.sleep(50);
      }
    }

    void checkAlive() {
      if (!process.isAlive())
        throw new IllegalStateException(
            name + " exited with code " + process.exitValue() + "; its output ends:\n" + tail());
    }

    private String tail() {
      try {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
      } catch (IOException e) {
        return "(cannot read " + log + ": " + e.getMessage() + ")";
      }
    }
  }
}
