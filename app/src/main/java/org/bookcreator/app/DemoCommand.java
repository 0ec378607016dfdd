package org.bookcreator.app;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bookcreator.core.project.Brief;
import org.bookcreator.core.project.BriefParser;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    header = "Write several sample books at once, with realistic latency and faults.",
    description = {
      "Write several sample books across categories at once, with realistic latency and faults",
      "injected (timeouts, rate limits, server errors, malformed and schema-violating output),",
      "then print a summary table."
    },
    mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();
  @Mixin Options.PipelineFlags pipelineFlags = new Options.PipelineFlags();

  @Option(
      names = "--books",
      paramLabel = "N",
      defaultValue = "6",
      description = "How many books, 1..500 (default: ${DEFAULT-VALUE}).")
  String books;

  @Option(
      names = "--faults",
      paramLabel = "on|off",
      defaultValue = "on",
      description = "Inject provider faults at realistic rates (default: ${DEFAULT-VALUE}).")
  String faults;

  @Option(
      names = "--latency",
      paramLabel = "DURATION",
      defaultValue = "400ms",
      description = "Median simulated call latency, e.g. 0ms, 400ms (default: ${DEFAULT-VALUE}).")
  String latency;

  @Option(
      names = "--serve",
      description =
          "After the books, serve the dashboard and the API over the demo's data until Ctrl-C.")
  boolean serve;

  @Option(
      names = "--port",
      paramLabel = "N",
      description =
          "With --serve: the port to serve on; 0 picks a free one (default: http.port, 8080).")
  String port;

  @Override
  public Integer call() throws InterruptedException {
    if (port != null && !serve)
      throw new Main.UsageException("--port is for --serve: add --serve, or drop --port");
    int books = Flags.wholeNumber("--books", this.books, 1, 500);
    if (!faults.equals("on") && !faults.equals("off"))
      throw new Main.UsageException("--faults must be on or off, got '" + Text.clean(faults) + "'");
    Settings base = options.load(pipelineFlags.flags());
    Map<Setting<?>, String> demo = new HashMap<>();
    demo.putAll(pipelineFlags.flags());
    if (port != null) demo.put(Setting.HTTP_PORT, port);
    demo.put(Setting.SIM_LATENCY, latency);
    if (base.origin(Setting.WORKERS).equals("default")) demo.put(Setting.WORKERS, "16");
    if (faults.equals("on")) {
      putIfDefault(base, demo, Setting.SIM_TIMEOUT_RATE, "0.01");
      putIfDefault(base, demo, Setting.SIM_RATE_LIMIT_RATE, "0.02");
      putIfDefault(base, demo, Setting.SIM_SERVER_ERROR_RATE, "0.01");
      putIfDefault(base, demo, Setting.SIM_MALFORMED_RATE, "0.02");
      putIfDefault(base, demo, Setting.SIM_SCHEMA_RATE, "0.02");
      putIfDefault(base, demo, Setting.BACKOFF_BASE, "200ms");
    } else {
      for (Setting<?> s :
          List.of(
              Setting.SIM_TIMEOUT_RATE,
              Setting.SIM_RATE_LIMIT_RATE,
              Setting.SIM_SERVER_ERROR_RATE,
              Setting.SIM_MALFORMED_RATE,
              Setting.SIM_SCHEMA_RATE)) demo.put(s, "0");
    }
    Settings settings = options.load(demo);
    PrintWriter out = spec.commandLine().getOut();
    int exit;
    try (Engine engine =
        Engine.open(settings, Observability.Mode.FOREGROUND, Engine.Use.PIPELINE)) {
      Path folder = settings.dataDir().resolve("samples");
      List<Path> samples = SampleBriefs.extract(folder);
      BriefParser parser = new BriefParser(settings.categories());
      engine.pipeline().start(true);
      List<Run> runs = new ArrayList<>();
      Instant started = engine.clock.instant();
      for (int i = 0; i < books; i++) {
        Brief brief = parser.parse(samples.get(i % samples.size()));
        Project project = engine.runs.createProject(brief, "for the demo");
        runs.add(engine.runs.start(project.id(), settings.simulation().seed() + i, "demo"));
      }
      System.err.printf(
          "demo: %d books, faults %s, latency %s, %s workers; data in %s%n",
          books, faults, latency, settings.get(Setting.WORKERS), settings.dataDir());
      List<Run> finished = await(engine, runs, started);
      out.print(table(engine, finished));
      long failed = finished.stream().filter(r -> r.state() != RunState.COMPLETED).count();
      BigDecimal cost = BigDecimal.ZERO;
      for (Run r : finished) cost = cost.add(engine.store.totals(r.id()).costUsd());
      out.printf(
          "%d of %d books completed in %s, total cost %s. Manuscripts under %s%n",
          finished.size() - failed,
          finished.size(),
          Text.duration(Duration.between(started, engine.clock.instant())),
          Text.money(cost),
          settings.dataDir().resolve("projects"));
      out.println(
          "Next: bin/book-creator runs, bin/book-creator projects, or open a manuscript.md.");
      if (!serve) {
        out.printf(
            "Dashboard over this data: bin/book-creator serve --data-dir %s, then open"
                + " http://%s:%d/ (or run the demo with --serve)%n",
            settings.dataDir(), settings.get(Setting.HTTP_HOST), settings.get(Setting.HTTP_PORT));
      }
      out.flush();
      exit = failed == 0 ? ExitCodes.OK : ExitCodes.RUN_FAILED;
    }
    if (!serve) return exit;
    // The demo's engine has let the data directory go: serve takes it, with the demo's settings
    // (a book started from the dashboard runs as the demo's did) and its console logs, not JSON.
    ServeCommand.Serving serving =
        ServeCommand.Serving.start(
            settings,
            Observability.start(settings, Observability.Mode.FOREGROUND),
            ServeCommand.Role.ALL);
    out.println("Dashboard over this data: see the address below; Ctrl-C to stop.");
    out.flush();
    ServeCommand.serveUntilStopped(settings, ServeCommand.Role.ALL, serving);
    return exit;
  }

  private static void putIfDefault(
      Settings base, Map<Setting<?>, String> demo, Setting<?> s, String value) {
    if (base.origin(s).equals("default")) demo.put(s, value);
  }

  static List<Run> await(Engine engine, List<Run> runs, Instant started) {
    List<CompletableFuture<Run>> futures =
        runs.stream().map(r -> engine.pipeline().completion(r.id())).toList();
    CompletableFuture<Void> all =
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
    boolean tty = System.console() != null;
    long lastPrint = 0;
    while (true) {
      try {
        all.get(500, TimeUnit.MILLISECONDS);
        break;
      } catch (TimeoutException e) {
        long done = futures.stream().filter(CompletableFuture::isDone).count();
        String line =
            String.format(
                "books %d/%d done  %s",
                done,
                runs.size(),
                Text.duration(Duration.between(started, engine.clock.instant())));
        long now = System.nanoTime();
        if (tty) System.err.print("\r" + line + "   ");
        else if (now - lastPrint > Duration.ofSeconds(5).toNanos()) {
          System.err.println(line);
          lastPrint = now;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw RunCommand.failure(e);
      }
    }
    if (tty) System.err.println();
    return futures.stream().map(CompletableFuture::join).toList();
  }

  static String table(Engine engine, List<Run> runs) {
    List<List<String>> rows = new ArrayList<>();
    for (Run r : runs) {
      RunStatus s = RunStatus.of(engine.store, r, engine.clock.instant());
      rows.add(
          List.of(
              Text.clip(s.project().title(), 34),
              s.project().category(),
              Integer.toString(s.project().chapters()),
              r.state().name().toLowerCase(),
              Text.duration(s.elapsed()),
              Long.toString(s.totals().calls()),
              Integer.toString(s.retries()),
              Integer.toString(s.violations()),
              String.format("%,d", s.totals().tokens()),
              Text.money(s.totals().costUsd())));
    }
    return Text.table(
        List.of(
            "book",
            "category",
            "ch",
            "state",
            "time",
            "calls",
            "retries",
            "violations",
            "tokens",
            "cost"),
        rows);
  }
}
