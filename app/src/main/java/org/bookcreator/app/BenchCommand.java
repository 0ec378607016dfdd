package org.bookcreator.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.bookcreator.core.project.Brief;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.Store;
import org.bookcreator.store.postgres.PostgresDatabase;
import org.bookcreator.telemetry.sdk.TelemetrySdk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bench",
    header = "Benchmark the pipeline, telemetry overhead, cost reports and log queries.",
    description = {
      "Benchmark the pipeline end to end with zero simulated latency and no faults: N books of C",
      "chapters run concurrently in a fresh temporary data directory, R times; prints wall time",
      "(median, min, max) and peak heap. See docs/benchmarks.md."
    },
    mixinStandardHelpOptions = true)
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options.PipelineFlags pipelineFlags = new Options.PipelineFlags();

  @Option(
      names = "--books",
      defaultValue = "1",
      description = "Books run concurrently, 1..1000 (default: ${DEFAULT-VALUE}).")
  String booksFlag;

  private int books;

  @Option(
      names = "--chapters",
      defaultValue = "12",
      description = "Chapters per book, 1..100 (default: ${DEFAULT-VALUE}).")
  String chaptersFlag;

  private int chapters;

  @Option(
      names = "--repeat",
      description = "Measured repetitions, 1..1000 (default: 5; 50 with --dashboard).")
  String repeatFlag;

  private int repeat;

  @Option(
      names = "--telemetry",
      defaultValue = "on",
      description =
          "Telemetry on (JSON log file, metrics, traces), off, or compare (pairs of off and on runs"
              + " in this JVM) (default: ${DEFAULT-VALUE}).")
  String telemetry;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override a setting for the benchmark, e.g. --set telemetry.span_store=false"
              + " (repeatable).")
  Map<String, String> overrides = new java.util.LinkedHashMap<>();

  @Option(
      names = "--ledger-rows",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Instead of books: fill a ledger with N synthetic calls and time 'cost report --by BY'"
              + " over it.")
  String ledgerRowsFlag;

  private int ledgerRows;

  @Option(
      names = "--log-records",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Instead of books: fill the logs' copy with N synthetic records (2,000 runs) and time the"
              + " first page of a query by run and level.")
  String logRecordsFlag;

  private int logRecords;

  @Option(
      names = "--report-by",
      paramLabel = "DIM",
      defaultValue = "stage",
      split = ",",
      description =
          "Grouping of the timed cost report, or 'each': no grouping, then every dimension alone"
              + " (default: ${DEFAULT-VALUE}).")
  List<String> reportBy;

  @Option(
      names = "--ledger-shape",
      paramLabel = "SHAPE",
      defaultValue = "random",
      description =
          "Synthetic ledger of --ledger-rows: random (stage, role, provider and model drawn"
              + " independently: the rollups' worst case) or pipeline (a role of the stage, each"
              + " model at one provider) (default: ${DEFAULT-VALUE}).")
  String ledgerShape;

  @Option(
      names = "--rollups",
      defaultValue = "on",
      description =
          "With --ledger-rows: off drops the rollup triggers before the fill, to time ledger writes"
              + " without them; no report is timed then (default: ${DEFAULT-VALUE}).")
  String rollups;

  @Option(
      names = "--alerts",
      defaultValue = "on",
      description =
          "The alert evaluator on (every alerts.interval), off, or compare (pairs of off and on"
              + " runs in this JVM) (default: ${DEFAULT-VALUE}).")
  String alerts;

  @Option(
      names = "--alert-cycle",
      description =
          "Instead of books: fill a store with --active-runs running runs and --ledger-rows ledger"
              + " rows (default 1,000,000 here) and time one evaluation of every alert rule.")
  boolean alertCycle;

  @Option(
      names = "--active-runs",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Running runs of --alert-cycle, 1..1000000 (default: ${DEFAULT-VALUE}).")
  String activeRunsFlag;

  @Option(
      names = "--live-pages",
      paramLabel = "N",
      defaultValue = "0",
      description = {
        "Pairs of runs served as serve serves them (the API on a free port): one with no page",
        "open, one with N dashboard pages following the live stream (GET /api/events), 1..1000;",
        "reports the ratio per pair and the events the pages got (default: 0, no API)."
      })
  String livePagesFlag;

  private int livePages;

  @Option(
      names = "--warmup",
      description = "Unmeasured warm-up repetitions, 0..1000 (default: 1; 5 with --dashboard).")
  String warmupFlag;

  @Option(
      names = "--dashboard",
      description = {
        "Instead of books: fill a store with --projects projects, --runs runs, --ledger-rows",
        "ledger rows and --log-records log lines (defaults 10,000, 100,000, 1,000,000 and",
        "1,000,000 here), serve the API over it and time every GET of the dashboard's pages:",
        "p50, p95 and max per request, --repeat times after --warmup; fails on any non-2xx."
      })
  boolean dashboard;

  @Option(
      names = "--keep-store",
      paramLabel = "DIR",
      description =
          "With --dashboard: the data directory of the library, filled when it has none and kept,"
              + " so a later run times the same library (default: a temporary one, deleted).")
  Path keepStore;

  @Option(
      names = "--projects",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Projects of --dashboard, 1..1000000 (default: ${DEFAULT-VALUE}).")
  String projectsFlag;

  @Option(
      names = "--runs",
      paramLabel = "N",
      defaultValue = "100000",
      description =
          "Runs of --dashboard, at least --projects, up to 10000000 (default: ${DEFAULT-VALUE}).")
  String runsFlag;

  @Option(
      names = "--claims",
      paramLabel = "N",
      description = {
        "Instead of books: N workers, 1..1000, claim and complete --runs runs x --tasks-per-run",
        "tasks (default 200 x 50 here) as fast as they can from the store the settings name (a",
        "scratch SQLite store, or the empty PostgreSQL database of store.url), a fresh queue a",
        "round, --warmup rounds unmeasured then --repeat measured; prints the claim latency",
        "p50/p95/p99/max of the measured rounds and the claims per second, and fails if a task",
        "is claimed twice or not at all."
      })
  String claimsFlag;

  @Option(
      names = "--tasks-per-run",
      paramLabel = "N",
      defaultValue = "50",
      description = "Tasks per run of --claims, 1..10000 (default: ${DEFAULT-VALUE}).")
  String tasksPerRunFlag;

  @Option(
      names = "--compare-stores",
      description = {
        "The books on a scratch SQLite store against the same books on PostgreSQL, in pairs",
        "alternating which goes first, --repeat times after --warmup; prints both medians and the",
        "ratio. Needs store.url (BOOK_CREATOR_STORE_URL, with BOOK_CREATOR_STORE_USER) naming any",
        "database of the PostgreSQL server: each PostgreSQL run gets a database of its own there,",
        "bc_bench_..., created (store.user needs CREATEDB) and dropped after; store.url's own",
        "database is not written."
      })
  boolean compareStores;

  @Option(
      names = "--worker-processes",
      paramLabel = "K,K...",
      split = ",",
      description = {
        "Instead of the books in this JVM: for each count K, a scratch PostgreSQL database (as",
        "--compare-stores makes), one 'serve --role orchestrator' and K 'serve --role worker'",
        "child processes sharing --workers-total agent workers, the simulated provider at",
        "--latency; rounds of --books books of --chapters chapters started through the store in",
        "the same processes, --warmup unmeasured then --repeat measured; prints each round's wall",
        "time until every run completed, tasks per second, the JVMs' CPU time and how busy the",
        "machine was, and the median of each K against the first."
      })
  List<String> workerProcessesFlag;

  @Option(
      names = "--workers-total",
      paramLabel = "N",
      defaultValue = "32",
      description =
          "Agent workers of --worker-processes in all, divided evenly among the processes; a"
              + " multiple of every K, 1..1024 (default: ${DEFAULT-VALUE}).")
  String workersTotalFlag;

  @Option(
      names = "--latency",
      paramLabel = "DURATION",
      defaultValue = "200ms",
      description =
          "Simulated latency of every call with --worker-processes, exact (sigma 0) (default:"
              + " ${DEFAULT-VALUE}).")
  String latencyFlag;

  private int warmup;

  @Override
  public Integer call() throws IOException {
    books = Flags.wholeNumber("--books", booksFlag, 1, 1000);
    chapters = Flags.wholeNumber("--chapters", chaptersFlag, 1, 100);
    repeat =
        Flags.wholeNumber(
            "--repeat", repeatFlag == null ? (dashboard ? "50" : "5") : repeatFlag, 1, 1000);
    warmup =
        Flags.wholeNumber(
            "--warmup", warmupFlag == null ? (dashboard ? "5" : "1") : warmupFlag, 0, 1000);
    livePages = Flags.wholeNumber("--live-pages", livePagesFlag, 0, 1000);
    ledgerRows = Flags.wholeNumber("--ledger-rows", ledgerRowsFlag, 0, 100_000_000);
    logRecords = Flags.wholeNumber("--log-records", logRecordsFlag, 0, 100_000_000);
    if (!List.of("on", "off", "compare").contains(telemetry))
      throw new Main.UsageException("--telemetry must be on, off or compare");
    if (!List.of("on", "off", "compare").contains(alerts))
      throw new Main.UsageException("--alerts must be on, off or compare");
    if (telemetry.equals("compare") && alerts.equals("compare"))
      throw new Main.UsageException("compare telemetry or alerts, not both at once");
    PrintWriter out = spec.commandLine().getOut();
    if (claimsFlag != null) return claimBench(out);
    if (workerProcessesFlag != null) return processesBench(out);
    if (compareStores) {
      PostgresDatabase.Settings server = postgresServer("--compare-stores");
      out.printf(
          "sqlite: a scratch data directory per run; postgresql: a scratch database per run on"
              + " %s%n",
          server.where());
      return comparePairs(
          out,
          "store",
          "sqlite",
          "postgresql",
          pg -> pg ? oncePostgres(server) : once(telemetry, alerts.equals("on")));
    }
    if (alertCycle) {
      int runs = Flags.wholeNumber("--active-runs", activeRunsFlag, 1, 1_000_000);
      return AlertCycleBench.run(
          out,
          runs,
          ledgerRows > 0 ? ledgerRows : 1_000_000,
          warmup,
          repeat,
          BenchCommand::scratch);
    }
    if (dashboard) {
      org.bookcreator.telemetry.sdk.LogSetup.install(
          org.bookcreator.telemetry.LogConfig.console(
              "book-creator", org.bookcreator.telemetry.LogConfig.Console.OFF, "ERROR"),
          org.bookcreator.telemetry.Redactor.none(),
          () -> {});
      return DashboardBench.run(
          out,
          new DashboardBench.Sizes(
              Flags.wholeNumber("--projects", projectsFlag, 1, 1_000_000),
              Flags.wholeNumber("--runs", runsFlag, 1, 10_000_000),
              ledgerRows > 0 ? ledgerRows : 1_000_000,
              logRecords > 0 ? logRecords : 1_000_000),
          java.util.Optional.ofNullable(keepStore),
          warmup,
          repeat,
          BenchCommand::scratch);
    }
    if (ledgerRows > 0) return costBench(out);
    if (logRecords > 0) return logBench(out);
    if (telemetry.equals("compare"))
      return comparePairs(out, "telemetry", on -> once(on ? "on" : "off", alerts.equals("on")));
    if (alerts.equals("compare")) return comparePairs(out, "alerts", on -> once(telemetry, on));
    if (livePages > 0) {
      int result =
          comparePairs(
              out,
              livePages + " live pages",
              on -> once(telemetry, alerts.equals("on"), on ? livePages : 0));
      out.printf(
          "live pages: %,d run events received by the pages in all (warm-up included)%n",
          liveEvents.get());
      out.flush();
      return result;
    }
    List<Long> times = new ArrayList<>();
    long peak = 0;
    for (int i = 0; i < warmup + repeat; i++) {
      Path dir = Files.createTempDirectory("book-creator-bench");
      try {
        System.gc();
        resetPeaks();
        long ms = once(dir, telemetry, alerts.equals("on"), -1);
        long heap = peakHeap();
        if (i < warmup) evaluatorShares.clear();
        if (i >= warmup) {
          times.add(ms);
          peak = Math.max(peak, heap);
          out.printf("run %d: %d ms, peak heap %d MiB%n", i - warmup + 1, ms, heap >> 20);
          out.flush();
        }
      } finally {
        deleteTree(dir);
      }
    }
    List<Long> sorted = times.stream().sorted().toList();
    out.printf(
        "books=%d chapters=%d workers=%s: median %d ms, min %d ms, max %d ms over %d runs; peak"
            + " heap %d MiB (max heap %d MiB)%n",
        books,
        chapters,
        pipelineFlags.workers == null ? "8" : pipelineFlags.workers,
        sorted.get(sorted.size() / 2),
        sorted.get(0),
        sorted.get(sorted.size() - 1),
        sorted.size(),
        peak >> 20,
        Runtime.getRuntime().maxMemory() >> 20);
    printEvaluatorShares(out);
    out.flush();
    return ExitCodes.OK;
  }

  /** One measured run of the books in a fresh temporary data directory, deleted afterwards. */
  private long once(String telemetry, boolean alertsOn) throws IOException {
    return once(telemetry, alertsOn, -1);
  }

  /** {@code pages}: -1 without the API, else the API served with that many live pages open. */
  private long once(String telemetry, boolean alertsOn, int pages) throws IOException {
    Path dir = Files.createTempDirectory("book-creator-bench");
    try {
      System.gc();
      return once(dir, telemetry, alertsOn, pages);
    } finally {
      deleteTree(dir);
    }
  }

  /** The run events the live pages of the measured runs received. */
  private final java.util.concurrent.atomic.AtomicLong liveEvents =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * Opens {@code pages} clients of the live stream, as dashboard pages do, each on its own virtual
   * thread reading lines until the server ends the stream; counts the run events they get.
   */
  private List<Thread> openPages(int port, int pages) {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/api/events"))
            .header("Accept", "text/event-stream")
            .build();
    java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(pages);
    List<Thread> out = new ArrayList<>();
    for (int i = 0; i < pages; i++) {
      out.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      client
                          .send(request, java.net.http.HttpResponse.BodyHandlers.ofLines())
                          .body()
                          .forEach(
                              line -> {
                                if (line.equals(": connected")) connected.countDown();
                                if (line.equals("event: run")) liveEvents.incrementAndGet();
                              });
                    } catch (IOException e) {
                      // the server closed the stream at the end of the run
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
    try {
      if (!connected.await(30, java.util.concurrent.TimeUnit.SECONDS))
        throw new IllegalStateException("the live pages did not connect within 30 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the live pages connected", e);
    }
    return out;
  }

  /** Deletes a benchmark's temporary directory and everything in it. */
  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** A run of the books with something on or off. */
  @FunctionalInterface
  private interface Side {
    long run(boolean on) throws IOException;
  }

  /**
   * Something (telemetry, the alert evaluator) on against off in the same JVM: pairs of runs, the
   * order alternating per pair, so both sides see the same JIT state, heap and machine noise.
   * Prints both medians and the ratio.
   */
  private int comparePairs(PrintWriter out, String what, Side side) throws IOException {
    return comparePairs(out, what, "off", "on", side);
  }

  /**
   * As {@link #comparePairs(PrintWriter, String, Side)}, the sides named {@code off}, {@code on}.
   */
  private int comparePairs(PrintWriter out, String what, String offName, String onName, Side side)
      throws IOException {
    List<Long> off = new ArrayList<>();
    List<Long> on = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < warmup + repeat; i++) {
      long[] pair = new long[2];
      for (int k = 0; k < 2; k++) {
        boolean sideOn = (i + k) % 2 == 1;
        pair[sideOn ? 1 : 0] = side.run(sideOn);
      }
      if (i < warmup) evaluatorShares.clear();
      if (i >= warmup) {
        off.add(pair[0]);
        on.add(pair[1]);
        ratios.add((double) pair[1] / pair[0]);
        out.printf(
            "pair %d: %s %d ms, %s %d ms, %s/%s %.3f%n",
            i - warmup + 1,
            offName,
            pair[0],
            onName,
            pair[1],
            onName,
            offName,
            (double) pair[1] / pair[0]);
        out.flush();
      }
    }
    out.printf(
        "books=%d chapters=%d: %s %s median %d ms, %s median %d ms; %s/%s ratio median"
            + " %.3f (min %.3f, max %.3f) over %d pairs%n",
        books,
        chapters,
        what,
        offName,
        median(off),
        onName,
        median(on),
        onName,
        offName,
        ratios.stream().sorted().toList().get(ratios.size() / 2),
        ratios.stream().min(Double::compare).orElseThrow(),
        ratios.stream().max(Double::compare).orElseThrow(),
        ratios.size());
    printEvaluatorShares(out);
    out.flush();
    return ExitCodes.OK;
  }

  private static long median(List<Long> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }

  /**
   * The alert evaluator's own time during a run: its evaluations and the time spent in them, next
   * to the run's wall time (an upper bound of what it cost the run: all of it on the run's path).
   */
  private record EvaluatorShare(long evaluations, Duration busy, long wallMs) {
    double percent() {
      return 100.0 * busy.toNanos() / 1e6 / wallMs;
    }
  }

  /** One per measured run with the evaluator on, in order. */
  private final List<EvaluatorShare> evaluatorShares = new ArrayList<>();

  /** The evaluator's time against the runs' wall times, when it ran. */
  private void printEvaluatorShares(PrintWriter out) {
    if (evaluatorShares.isEmpty()) return;
    List<Double> shares = evaluatorShares.stream().map(EvaluatorShare::percent).sorted().toList();
    out.printf(
        "alert evaluator: %d evaluations, %.1f ms in them over %d runs; share of wall time median"
            + " %.3f%%, max %.3f%%%n",
        evaluatorShares.stream().mapToLong(EvaluatorShare::evaluations).sum(),
        evaluatorShares.stream().mapToLong(e -> e.busy().toNanos()).sum() / 1e6,
        evaluatorShares.size(),
        shares.get(shares.size() / 2),
        shares.getLast());
  }

  private long once(Path dir, String telemetry, boolean alertsOn) {
    return once(dir, telemetry, alertsOn, -1);
  }

  private long once(Path dir, String telemetry, boolean alertsOn, int pages) {
    return once(dir, telemetry, alertsOn, pages, Map.of());
  }

  /** {@code store}: the settings of the store, none for the SQLite store in {@code dir}. */
  private long once(
      Path dir, String telemetry, boolean alertsOn, int pages, Map<Setting<?>, String> store) {
    Map<Setting<?>, String> flags = new HashMap<>();
    flags.putAll(pipelineFlags.flags());
    flags.put(Setting.DATA_DIR, dir.toString());
    flags.put(Setting.ALERTS_ENABLED, Boolean.toString(alertsOn));
    flags.put(Setting.SIM_LATENCY, "0ms");
    flags.put(Setting.METRICS_ENABLED, Boolean.toString(telemetry.equals("on")));
    flags.put(Setting.TRACING_ENABLED, Boolean.toString(telemetry.equals("on")));
    overrides.forEach(
        (k, v) ->
            flags.put(
                Setting.byKey(k)
                    .orElseThrow(
                        () -> new Main.UsageException("--set: unknown setting '" + k + "'")),
                v));
    flags.putAll(store);
    if (pages >= 0) {
      flags.put(Setting.HTTP_HOST, "127.0.0.1");
      flags.put(Setting.HTTP_PORT, "0");
    }
    Settings settings = Settings.load(null, Map.of(), flags);
    Observability.Observed t =
        telemetry.equals("on")
            ? Observability.start(settings, Observability.Mode.FOREGROUND)
            : noTelemetry();
    if (telemetry.equals("off")) {
      org.bookcreator.telemetry.sdk.LogSetup.install(
          org.bookcreator.telemetry.LogConfig.console(
              "book-creator", org.bookcreator.telemetry.LogConfig.Console.OFF, "ERROR"),
          org.bookcreator.telemetry.Redactor.none(),
          () -> {});
    }
    ServeCommand.Serving serving = pages >= 0 ? ServeCommand.Serving.start(settings, t) : null;
    Engine engine =
        serving != null ? serving.engine : Engine.open(settings, t, Engine.Use.PIPELINE);
    List<Thread> pageThreads = List.of();
    try {
      List<Project> projects = createBooks(engine, books, chapters);
      if (serving == null) engine.pipeline().start(true); // serve started it
      if (pages > 0) pageThreads = openPages(serving.api.port(), pages);
      long start = System.nanoTime();
      List<CompletableFuture<Run>> done = new ArrayList<>();
      for (Project p : projects)
        done.add(engine.pipeline().completion(engine.runs.start(p.id(), 42, "bench").id()));
      try {
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
      } catch (CompletionException e) {
        throw RunCommand.failure(e);
      }
      long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
      engine.alerts.ifPresent(
          a -> evaluatorShares.add(new EvaluatorShare(a.evaluations(), a.busy(), ms)));
      for (CompletableFuture<Run> f : done) {
        if (f.join().state() != RunState.COMPLETED)
          throw new IllegalStateException("bench run did not complete: " + f.join());
      }
      return ms;
    } finally {
      if (serving != null) serving.close();
      else engine.close();
      for (Thread page : pageThreads) {
        try {
          page.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Creates the benchmark's {@code books} projects of {@code chapters} chapters, not started. */
  static List<Project> createBooks(Engine engine, int books, int chapters) {
    String[] categories = {
      "fiction", "non-fiction", "technical", "children", "biography", "self-help"
    };
    List<Project> projects = new ArrayList<>();
    for (int i = 0; i < books; i++) {
      Brief brief =
          new Brief(
              "Benchmark Book " + (i + 1),
              categories[i % categories.length],
              java.util.Optional.empty(),
              "A benchmark book about measuring things carefully.",
              chapters,
              java.util.Optional.empty(),
              List.of());
      projects.add(engine.runs.createProject(brief, "for the benchmark"));
    }
    return projects;
  }

  /**
   * The logs' copy at scale: N records over 2,000 runs (4% WARN, 1% ERROR, the rest INFO) inserted
   * 10,000 per transaction, then the first page (50 records) of "run R, level WARN or worse" for
   * runs picked at random, each query timed on its own.
   */
  private int logBench(PrintWriter out) throws IOException {
    org.bookcreator.telemetry.sdk.LogSetup.install(
        org.bookcreator.telemetry.LogConfig.console(
            "book-creator", org.bookcreator.telemetry.LogConfig.Console.OFF, "ERROR"),
        org.bookcreator.telemetry.Redactor.none(),
        () -> {});
    Path dir = Files.createTempDirectory("book-creator-log-bench");
    try (Engine scratch = scratch(dir)) {
      Store store = scratch.store;
      java.util.Random random = new java.util.Random(1);
      long t0 = java.time.Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
      long fillStart = System.nanoTime();
      fillLogs(store, logRecords, random, 2000, r -> "run_" + r, r -> "prj_" + (r / 20), t0, 50);
      out.printf(
          "filled %,d log records in %d ms%n",
          logRecords, Duration.ofNanos(System.nanoTime() - fillStart).toMillis());
      List<Double> times = new ArrayList<>();
      int found = 0;
      for (int i = 0; i < warmup + repeat; i++) {
        String run = "run_" + random.nextInt(2000);
        long start = System.nanoTime();
        var page =
            store.logs(
                org.bookcreator.core.store.LogQuery.newest(50).withRun(run).withMinLevel("WARN"));
        double ms = (System.nanoTime() - start) / 1e6;
        found += page.size();
        if (i >= warmup) times.add(ms);
      }
      List<Double> sorted = times.stream().sorted().toList();
      out.printf(
          "first page (50) of run R at WARN or worse over %,d records: median %.1f ms, min %.1f ms,"
              + " max %.1f ms over %d queries (%.0f records per page on average)%n",
          logRecords,
          sorted.get(sorted.size() / 2),
          sorted.get(0),
          sorted.get(sorted.size() - 1),
          sorted.size(),
          (double) found / (warmup + repeat));
    } finally {
      deleteTree(dir);
    }
    out.flush();
    return ExitCodes.OK;
  }

  /**
   * Writes {@code records} synthetic log records of {@code runs} runs (4% WARN, 1% ERROR, the rest
   * INFO), one every {@code stepMs} from {@code t0}, 10,000 per transaction.
   */
  static void fillLogs(
      Store store,
      int records,
      java.util.Random random,
      int runs,
      java.util.function.IntFunction<String> runId,
      java.util.function.IntFunction<String> projectId,
      long t0,
      long stepMs) {
    String[] stages = {
      "outline", "structure_critique", "research", "chapter_writing", "editing", "fact_check"
    };
    String[] roles = {"planner", "critic", "researcher", "writer", "editor", "fact_checker"};
    List<org.bookcreator.telemetry.LogLine> batch = new ArrayList<>(10_000);
    for (int i = 0; i < records; i++) {
      int run = random.nextInt(runs);
      int roll = random.nextInt(100);
      String level = roll < 1 ? "ERROR" : roll < 5 ? "WARN" : "INFO";
      String stage = stages[random.nextInt(stages.length)];
      String role = roles[random.nextInt(roles.length)];
      long ts = t0 + i * stepMs;
      String json =
          "{\"ts\":\""
              + java.time.Instant.ofEpochMilli(ts)
              + "\",\"level\":\""
              + level
              + "\",\"logger\":\"org.bookcreator.core.pipeline.AgentExecutor\","
              + "\"thread\":\"worker-3\",\"message\":\"llm call "
              + (level.equals("INFO") ? "ok" : "failed: 503")
              + "\",\"service\":\"book-creator\","
              + "\"project_id\":\""
              + projectId.apply(run)
              + "\",\"run_id\":\""
              + runId.apply(run)
              + "\",\"stage\":\""
              + stage
              + "\",\"agent_role\":\""
              + role
              + "\",\"trace_id\":\""
              + org.bookcreator.telemetry.Telemetry.traceIdFor(runId.apply(run))
              + "\",\"provider\":\"openai\",\"model\":\"gpt-4o-mini\","
              + "\"latency_ms\":"
              + random.nextInt(3000)
              + ",\"input_tokens\":"
              + random.nextInt(8000)
              + ",\"output_tokens\":"
              + random.nextInt(3000)
              + "}";
      batch.add(
          new org.bookcreator.telemetry.LogLine(
              ts,
              level,
              projectId.apply(run),
              runId.apply(run),
              stage,
              role,
              "openai",
              org.bookcreator.telemetry.Telemetry.traceIdFor(runId.apply(run)),
              null,
              json));
      if (batch.size() == 10_000) {
        store.recordLogs(batch);
        batch.clear();
      }
    }
    store.recordLogs(batch);
  }

  private int claimBench(PrintWriter out) throws IOException {
    int claimers = Flags.wholeNumber("--claims", claimsFlag, 1, 1000);
    int runs = Flags.wholeNumber("--runs", runsFlagGiven() ? runsFlag : "200", 1, 1_000_000);
    int tasks = Flags.wholeNumber("--tasks-per-run", tasksPerRunFlag, 1, 10_000);
    Path scratch = Files.createTempDirectory("book-creator-claim-bench");
    Map<String, String> env =
        Options.ENVIRONMENT.get() != null ? Options.ENVIRONMENT.get() : System.getenv();
    // The store's settings come from the environment (BOOK_CREATOR_STORE_URL and its sign-in).
    Settings on = Settings.load(null, env, Map.of(Setting.DATA_DIR, scratch.toString()));
    String where =
        on.postgresStore().map(pg -> "PostgreSQL " + pg.where()).orElse("SQLite (" + scratch + ")");
    try (Engine engine = Engine.open(on, noTelemetry(), Engine.Use.EXCLUSIVE)) {
      return ClaimBench.run(
          out, engine.store, where, new ClaimBench.Sizes(claimers, runs, tasks, warmup, repeat));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("bench --claims interrupted", e);
    } finally {
      deleteTree(scratch);
    }
  }

  /** The PostgreSQL server of store.url, on which the benchmark makes its scratch databases. */
  private static PostgresDatabase.Settings postgresServer(String option) {
    Map<String, String> env =
        Options.ENVIRONMENT.get() != null ? Options.ENVIRONMENT.get() : System.getenv();
    return Settings.load(null, env, Map.of())
        .postgresStore()
        .orElseThrow(
            () ->
                new Main.UsageException(
                    option
                        + " needs a PostgreSQL server: set store.url (BOOK_CREATOR_STORE_URL) to"
                        + " jdbc:postgresql://HOST[:PORT]/DATABASE and BOOK_CREATOR_STORE_USER to"
                        + " a role that may create databases"));
  }

  /** One run of the books on a scratch PostgreSQL database of {@code server}, dropped after. */
  private long oncePostgres(PostgresDatabase.Settings server) throws IOException {
    Path dir = Files.createTempDirectory("book-creator-bench");
    try (ScratchDatabase db = ScratchDatabase.create(server)) {
      System.gc();
      return once(dir, telemetry, alerts.equals("on"), -1, db.flags());
    } finally {
      deleteTree(dir);
    }
  }

  private int processesBench(PrintWriter out) throws IOException {
    List<Integer> counts = new ArrayList<>();
    for (String k : workerProcessesFlag)
      counts.add(Flags.wholeNumber("--worker-processes", k.strip(), 1, 64));
    int total = Flags.wholeNumber("--workers-total", workersTotalFlag, 1, 1024);
    for (int k : counts) {
      if (total % k != 0)
        throw new Main.UsageException(
            "--workers-total " + total + " does not divide evenly among " + k + " processes");
    }
    // Checks the latency as the children will read it, before any of them starts.
    Settings.load(null, Map.of(), Map.of(Setting.SIM_LATENCY, latencyFlag));
    PostgresDatabase.Settings server = postgresServer("--worker-processes");
    try {
      return ProcessesBench.run(
          out,
          server,
          new ProcessesBench.Sizes(
              counts, total, latencyFlag.strip(), books, chapters, warmup, repeat));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("bench --worker-processes interrupted", e);
    }
  }

  private boolean runsFlagGiven() {
    return spec.commandLine().getParseResult().hasMatchedOption("--runs");
  }

  /** A scratch store in {@code dir} for the store benchmarks: no pipeline, no telemetry. */
  static Engine scratch(Path dir) {
    Settings settings = Settings.load(null, Map.of(), Map.of(Setting.DATA_DIR, dir.toString()));
    return Engine.open(settings, noTelemetry(), Engine.Use.EXCLUSIVE);
  }

  static Observability.Observed noTelemetry() {
    return new Observability.Observed(TelemetrySdk.noop(), null);
  }

  private int costBench(PrintWriter out) throws IOException {
    org.bookcreator.telemetry.sdk.LogSetup.install(
        org.bookcreator.telemetry.LogConfig.console(
            "book-creator", org.bookcreator.telemetry.LogConfig.Console.OFF, "ERROR"),
        org.bookcreator.telemetry.Redactor.none(),
        () -> {});
    if (!List.of("random", "pipeline").contains(ledgerShape))
      throw new Main.UsageException(
          "--ledger-shape must be random or pipeline, got '" + Text.clean(ledgerShape) + "'");
    if (!List.of("on", "off").contains(rollups))
      throw new Main.UsageException(
          "--rollups must be on or off, got '" + Text.clean(rollups) + "'");
    List<List<org.bookcreator.core.cost.CostDimension>> groupings = new ArrayList<>();
    if (reportBy.equals(List.of("each"))) {
      groupings.add(List.of());
      for (var d : org.bookcreator.core.cost.CostDimension.values()) groupings.add(List.of(d));
    } else {
      try {
        groupings.add(
            reportBy.stream().map(org.bookcreator.core.cost.CostDimension::parse).toList());
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException("--report-by: " + e.getMessage());
      }
    }
    Path dir = Files.createTempDirectory("book-creator-cost-bench");
    try {
      return CostReportBench.run(
          out,
          dir,
          BenchCommand::scratch,
          ledgerRows,
          groupings,
          ledgerShape.equals("pipeline"),
          rollups.equals("on"),
          warmup,
          repeat);
    } finally {
      deleteTree(dir);
    }
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) p.resetPeakUsage();
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
    }
    return sum;
  }
}
