package org.bookcreator.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.store.Store;

/**
 * {@code bench --dashboard}: every GET the dashboard's pages issue, timed over a big library.
 *
 * <p>Fills a fresh store through its own methods: P projects over the six categories; R runs, run
 * {@code i} of project {@code i mod P}, created evenly over the last 30 days; each project's last
 * run is running (one project in ten, in a stage, with two queued tasks) or ended, earlier runs
 * ended (80% completed in assembly, 15% failed in some stage, 5% cancelled while queued); L ledger
 * rows on random runs within two hours of the run's start, pipeline-shaped (a role of the stage,
 * each role at one provider and model, 2% failed calls), 10,000 per transaction; and N log lines as
 * {@code bench --log-records} writes them, on these runs. Then serves the API over that store as
 * {@code serve --role api} does (127.0.0.1, a free port) and times each request from a
 * java.net.http client in the same JVM: the latencies are client-side over loopback, so an upper
 * bound of the server's time. Any answer other than 2xx fails the benchmark.
 */
final class DashboardBench {
  private DashboardBench() {}

  /** What a p95 over this is marked as: the dashboard's target (issue 13). */
  static final double TARGET_MS = 50;

  private static final String[] CATEGORIES = {
    "fiction", "non-fiction", "technical", "children", "biography", "self-help"
  };

  /** Words in the titles: a search for one matches one project in {@code WORDS.length}. */
  private static final String[] WORDS = {
    "garden", "river", "engine", "harbour", "lantern", "orchard", "compass", "meadow", "quarry",
    "saddle", "thimble", "walnut", "beacon", "cinder", "falcon", "glacier", "hollow", "juniper",
    "kettle", "marble"
  };

  /** The task each stage starts with, for the running runs' queued tasks. */
  private static final Map<Stage, TaskKind> FIRST_TASK =
      Map.of(
          Stage.INTAKE, TaskKind.PLAN,
          Stage.DOCUMENT_PARSING, TaskKind.PARSE_DOCUMENTS,
          Stage.OUTLINE, TaskKind.OUTLINE,
          Stage.STRUCTURE_CRITIQUE, TaskKind.CRITIQUE_OUTLINE,
          Stage.RESEARCH, TaskKind.RESEARCH,
          Stage.CHAPTER_WRITING, TaskKind.DRAFT_CHAPTER,
          Stage.EDITING, TaskKind.EDIT_CHAPTER,
          Stage.FACT_CHECK, TaskKind.FACT_CHECK,
          Stage.ASSEMBLY, TaskKind.ASSEMBLE);

  /** The library's size. */
  record Sizes(int projects, int runs, int ledgerRows, int logRecords) {
    Sizes {
      if (runs < projects)
        throw new Main.UsageException(
            "--runs (" + runs + ") must be at least --projects (" + projects + ")");
    }
  }

  /** One request of a page: its name and the path of its i-th repetition. */
  private record Request(String page, String name, Function<Integer, String> path) {}

  /**
   * {@code keep}: a data directory to fill when it holds no library yet, and to keep afterwards, so
   * a later run (after a migration, say) times the same library without filling it again; empty: a
   * temporary one, deleted.
   */
  static int run(
      PrintWriter out,
      Sizes sizes,
      Optional<Path> keep,
      int warmup,
      int repeat,
      Function<Path, Engine> scratch)
      throws IOException {
    Path dir =
        keep.isPresent()
            ? Files.createDirectories(keep.get())
            : Files.createTempDirectory("book-creator-dashboard-bench");
    try {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      try (Engine engine = scratch.apply(dir)) {
        if (engine.store.project(project(0)).isPresent())
          out.printf("kept library in %s: not filled again%n", dir);
        else fill(out, engine.store, sizes, now);
      }
      Settings settings =
          Settings.load(
              null,
              Map.of(),
              Map.of(
                  Setting.DATA_DIR, dir.toString(),
                  Setting.HTTP_HOST, "127.0.0.1",
                  Setting.HTTP_PORT, "0"));
      try (ServeCommand.Serving serving =
          ServeCommand.Serving.start(settings, BenchCommand.noTelemetry(), ServeCommand.Role.API)) {
        return time(out, serving.api.port(), requests(sizes), warmup, repeat);
      }
    } finally {
      if (keep.isEmpty()) BenchCommand.deleteTree(dir);
      out.flush();
    }
  }

  private static String run(int i) {
    return "r" + i;
  }

  private static String project(int i) {
    return "p" + i;
  }

  /** The dashboard's GETs, as its pages issue them (server/src/main/resources/dashboard/*.js). */
  private static List<Request> requests(Sizes s) {
    Random random = new Random(7);
    int projects = s.projects();
    int runs = s.runs();
    // The running runs: the last run of each tenth project.
    int lastRound = runs - projects;
    Function<Integer, Integer> anyRun = i -> random.nextInt(runs);
    Function<Integer, Integer> running =
        i -> {
          int p = 10 * random.nextInt((projects + 9) / 10);
          return lastRound + Math.floorMod(p - lastRound, projects);
        };
    List<Request> r = new ArrayList<>();
    r.add(new Request("overview", "costs", i -> "/api/costs"));
    // From the first UTC day the chart draws (before 928a1b0 it asked since=14d: ledger rows).
    String firstDay = LocalDate.now(ZoneOffset.UTC).minusDays(13).toString();
    r.add(
        new Request(
            "overview", "costs by day, 14 UTC days", i -> "/api/costs?by=day&since=" + firstDay));
    r.add(new Request("overview", "alerts", i -> "/api/alerts"));
    r.add(new Request("overview", "stalls", i -> "/api/stalls"));
    // The Overview's range (7 days, the default) starts on a whole hour, as the page sends it.
    String week = Instant.now().minus(Duration.ofDays(7)).truncatedTo(ChronoUnit.HOURS).toString();
    String month = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).toString();
    r.add(new Request("overview", "spend this month", i -> "/api/costs?since=" + month));
    r.add(
        new Request(
            "overview",
            "throughput per day, 7 days",
            i -> "/api/throughput?bucket=day&zone=Europe/Paris&since=" + week));
    r.add(
        new Request(
            "overview", "throughput, all time, per week", i -> "/api/throughput?bucket=week"));
    r.add(new Request("overview", "providers, 7 days", i -> "/api/providers?since=" + week));
    r.add(new Request("overview", "open runs with forecast", i -> "/api/runs/active"));
    r.add(new Request("runs", "runs (newest first)", i -> "/api/runs?limit=50"));
    r.add(new Request("runs", "runs state=running", i -> "/api/runs?state=running&limit=50"));
    r.add(new Request("runs", "runs state=failed", i -> "/api/runs?state=failed&limit=50"));
    r.add(
        new Request(
            "runs",
            "runs category=C",
            i -> "/api/runs?category=" + CATEGORIES[i % CATEGORIES.length] + "&limit=50"));
    r.add(
        new Request(
            "runs",
            "runs stage=S",
            i ->
                "/api/runs?stage=" + Stage.values()[i % Stage.values().length].id() + "&limit=50"));
    r.add(
        new Request(
            "runs", "runs q=word", i -> "/api/runs?q=" + WORDS[i % WORDS.length] + "&limit=50"));
    r.add(
        new Request(
            "runs", "runs q=run id", i -> "/api/runs?q=" + run(anyRun.apply(i)) + "&limit=50"));
    r.add(new Request("runs", "runs sort=cost", i -> "/api/runs?sort=cost&limit=50"));
    r.add(new Request("runs", "runs sort=updated", i -> "/api/runs?sort=updated&limit=50"));
    r.add(
        new Request(
            "runs",
            "runs deep offset",
            i ->
                "/api/runs?limit=50&offset="
                    + (runs / 2 + random.nextInt(Math.max(1, runs / 2 - 50)))));
    r.add(
        new Request(
            "runs",
            "runs state+category, asc",
            i ->
                "/api/runs?state=completed&category="
                    + CATEGORIES[i % CATEGORIES.length]
                    + "&order=asc&limit=50"));
    r.add(new Request("run", "run", i -> "/api/runs/" + run(anyRun.apply(i))));
    r.add(new Request("run", "run (running)", i -> "/api/runs/" + run(running.apply(i))));
    r.add(new Request("run", "project", i -> "/api/projects/" + project(random.nextInt(projects))));
    r.add(new Request("run", "diagnosis", i -> "/api/runs/" + run(anyRun.apply(i)) + "/diagnosis"));
    r.add(
        new Request(
            "run",
            "diagnosis (running)",
            i -> "/api/runs/" + run(running.apply(i)) + "/diagnosis"));
    r.add(new Request("run", "trace", i -> "/api/runs/" + run(anyRun.apply(i)) + "/trace"));
    r.add(
        new Request(
            "run",
            "costs of run by stage,agent",
            i -> "/api/costs?run=" + run(anyRun.apply(i)) + "&by=stage,agent"));
    r.add(
        new Request(
            "run", "logs of run", i -> "/api/logs?run=" + run(anyRun.apply(i)) + "&limit=100"));
    r.add(new Request("alerts", "alerts", i -> "/api/alerts"));
    r.add(new Request("alerts", "silences", i -> "/api/silences"));
    r.add(new Request("alerts", "alert history", i -> "/api/alerts/history?limit=200"));
    r.add(new Request("logs", "logs (newest)", i -> "/api/logs?limit=100"));
    r.add(new Request("logs", "logs level=WARN", i -> "/api/logs?level=WARN&limit=100"));
    r.add(new Request("logs", "logs level=ERROR", i -> "/api/logs?level=ERROR&limit=100"));
    r.add(
        new Request(
            "logs",
            "logs stage+role",
            i -> "/api/logs?stage=chapter_writing&role=writer&limit=100"));
    r.add(new Request("logs", "logs since=2h", i -> "/api/logs?since=2h&limit=100"));
    r.add(new Request("logs", "logs q=text", i -> "/api/logs?q=503&limit=100"));
    r.add(new Request("workers", "workers", i -> "/api/workers"));
    // The analytics pages at their default range (7 days, from a whole hour) and over all time.
    String lastWeek = "since=" + week;
    r.add(new Request("library", "library", i -> "/api/library"));
    r.add(new Request("costs", "budgets", i -> "/api/budgets"));
    r.add(new Request("agents", "agents 7d", i -> "/api/agents?" + lastWeek));
    r.add(new Request("agents", "agents all", i -> "/api/agents"));
    r.add(new Request("agents", "costs by=agent 7d", i -> "/api/costs?by=agent&" + lastWeek));
    r.add(new Request("providers", "providers 7d", i -> "/api/providers?" + lastWeek));
    r.add(new Request("providers", "providers all", i -> "/api/providers"));
    return r;
  }

  /** Times each request; prints p50, p95 and max; 1 (failure) if any answered other than 2xx. */
  private static int time(
      PrintWriter out, int port, List<Request> requests, int warmup, int repeat) {
    HttpClient client = HttpClient.newHttpClient();
    out.printf(
        "%-9s %-30s %6s %9s %9s %9s %10s%n",
        "page", "request", "status", "p50 ms", "p95 ms", "max ms", "bytes");
    int failures = 0;
    int over = 0;
    for (Request request : requests) {
      List<Double> times = new ArrayList<>();
      int status = 200;
      String failed = null;
      long bytes = 0;
      for (int i = 0; i < warmup + repeat; i++) {
        String path = request.path().apply(i);
        HttpRequest get =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build();
        long start = System.nanoTime();
        HttpResponse<byte[]> response;
        try {
          response = client.send(get, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
          throw new IllegalStateException("GET " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted during GET " + path, e);
        }
        double ms = (System.nanoTime() - start) / 1e6;
        if (response.statusCode() / 100 != 2 && failed == null) {
          status = response.statusCode();
          failed =
              path + ": " + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        }
        if (i >= warmup) {
          times.add(ms);
          bytes = Math.max(bytes, response.body().length);
        }
      }
      List<Double> sorted = times.stream().sorted().toList();
      double p95 =
          sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(0.95 * sorted.size()) - 1));
      boolean slow = p95 > TARGET_MS;
      if (slow) over++;
      out.printf(
          "%-9s %-30s %6d %9.1f %9.1f %9.1f %10d%s%n",
          request.page(),
          request.name(),
          status,
          sorted.get(sorted.size() / 2),
          p95,
          sorted.getLast(),
          bytes,
          slow ? "  over 50 ms" : "");
      out.flush();
      if (failed != null) {
        failures++;
        out.printf(
            "  failed: %s%n",
            Text.clean(failed.length() > 300 ? failed.substring(0, 300) : failed));
      }
    }
    out.printf(
        "%d requests, %d repetitions each after %d warm-up: %d over %.0f ms at p95, %d failed"
            + " (client-side latency over loopback: an upper bound of the server's time)%n",
        requests.size(), repeat, warmup, over, TARGET_MS, failures);
    out.flush();
    return failures == 0 ? ExitCodes.OK : ExitCodes.RUN_FAILED;
  }

  private static void fill(PrintWriter out, Store store, Sizes s, Instant now) {
    Random random = new Random(1);
    Instant from = now.minus(Duration.ofDays(30));
    long span = Duration.ofDays(30).toMillis();
    long start = System.nanoTime();
    for (int p = 0; p < s.projects(); p++) {
      store.createProject(
          new Project(
              project(p),
              "Book " + p + " of the " + WORDS[p % WORDS.length],
              CATEGORIES[p % CATEGORIES.length],
              Optional.empty(),
              "A brief.",
              12,
              p % 4 == 0 ? Optional.of(new BigDecimal("50")) : Optional.empty(),
              List.of(),
              from));
    }
    long projectsMs = lap(start);
    start = System.nanoTime();
    Stage[] stages = Stage.values();
    int running = 0;
    for (int i = 0; i < s.runs(); i++) {
      int p = i % s.projects();
      String id = run(i);
      Instant at = created(from, span, i, s.runs());
      store.createRun(id, project(p), i, "bench", at);
      boolean last = i + s.projects() >= s.runs();
      int roll = random.nextInt(100);
      if (last && p % 10 == 0) {
        Stage stage = stages[random.nextInt(stages.length)];
        store.transitionRun(id, RunState.QUEUED, RunState.RUNNING, "bench", at);
        store.transitionStage(
            id, stage, StageState.PENDING, StageState.RUNNING, Optional.empty(), 0, "bench", at);
        TaskKind kind = FIRST_TASK.get(stage);
        store.enqueue(id + "-1", id, new TaskSpec("a", stage, kind, "{}"), at);
        store.enqueue(id + "-2", id, new TaskSpec("b", stage, kind, "{}"), at);
        running++;
      } else if (roll < 5) {
        store.transitionRun(id, RunState.QUEUED, RunState.CANCELLED, "bench", at.plusSeconds(60));
      } else {
        boolean completed = roll >= 20;
        Stage stage = completed ? Stage.ASSEMBLY : stages[random.nextInt(stages.length)];
        store.transitionRun(id, RunState.QUEUED, RunState.RUNNING, "bench", at);
        store.transitionStage(
            id,
            stage,
            StageState.PENDING,
            StageState.RUNNING,
            Optional.empty(),
            0,
            "bench",
            at.plusSeconds(60));
        store.transitionRun(
            id,
            RunState.RUNNING,
            completed ? RunState.COMPLETED : RunState.FAILED,
            "bench",
            at.plus(Duration.ofMinutes(90)));
      }
    }
    long runsMs = lap(start);
    start = System.nanoTime();
    fillLedger(store, s, random, from, span, now);
    long ledgerMs = lap(start);
    start = System.nanoTime();
    BenchCommand.fillLogs(
        store,
        s.logRecords(),
        random,
        s.runs(),
        DashboardBench::run,
        r -> project(r % s.projects()),
        from.toEpochMilli(),
        Math.max(1, span / Math.max(1, s.logRecords())));
    long logsMs = lap(start);
    for (int w = 0; w < 8; w++) store.heartbeat("pool_bench-w" + w, now);
    out.printf(
        "filled %,d projects in %,d ms, %,d runs (%,d running) in %,d ms, %,d ledger rows in %,d"
            + " ms, %,d log lines in %,d ms%n",
        s.projects(),
        projectsMs,
        s.runs(),
        running,
        runsMs,
        s.ledgerRows(),
        ledgerMs,
        s.logRecords(),
        logsMs);
    out.flush();
  }

  private static Instant created(Instant from, long span, int i, int runs) {
    return from.plusMillis(i * span / runs);
  }

  private static long lap(long since) {
    return Duration.ofNanos(System.nanoTime() - since).toMillis();
  }

  /** Each role at one provider and model, as a configured pipeline writes them. */
  private static String[] model(AgentRole role) {
    return switch (role.ordinal() % 3) {
      case 0 -> new String[] {"openai", "gpt-4o"};
      case 1 -> new String[] {"openai", "gpt-4o-mini"};
      default -> new String[] {"anthropic", "claude-sonnet"};
    };
  }

  private static void fillLedger(
      Store store, Sizes s, Random random, Instant from, long span, Instant now) {
    Stage[] stages = Stage.values();
    List<LedgerEntry> batch = new ArrayList<>(10_000);
    for (int i = 0; i < s.ledgerRows(); i++) {
      int run = random.nextInt(s.runs());
      Stage stage = stages[random.nextInt(stages.length)];
      AgentRole role = stage.roles().get(random.nextInt(stage.roles().size()));
      String[] pm = model(role);
      boolean failed = random.nextInt(50) == 0;
      Instant at = created(from, span, run, s.runs()).plusSeconds(random.nextInt(7200));
      if (at.isAfter(now)) at = now;
      batch.add(
          new LedgerEntry(
              "c" + i,
              project(run % s.projects()),
              run(run),
              run(run) + "-" + stage.id(),
              stage,
              role,
              0,
              pm[0],
              pm[1],
              new Usage(random.nextInt(8000), random.nextInt(3000), random.nextInt(500), 0, 0),
              Optional.of(BigDecimal.valueOf(random.nextLong(1, 50_000_000_000L), 12)),
              Optional.of("v1"),
              random.nextInt(30_000),
              failed ? LedgerEntry.ERROR : LedgerEntry.OK,
              failed ? Optional.of("server_error") : Optional.empty(),
              Optional.empty(),
              at));
      if (batch.size() == 10_000) {
        store.recordCalls(batch);
        batch.clear();
      }
    }
    store.recordCalls(batch);
  }
}
