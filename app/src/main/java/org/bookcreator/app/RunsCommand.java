package org.bookcreator.app;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.ops.RunService;
import org.bookcreator.core.ops.RunService.RestartRequest;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoreLockedException;
import org.bookcreator.core.view.OverviewQueries;
import org.bookcreator.core.view.StallView;
import org.bookcreator.core.view.ViewJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "runs",
    description = "List runs with their state, stage, tokens and cost; --json adds stage history.",
    mixinStandardHelpOptions = true,
    subcommands = {RunsCommand.Cancel.class, RunsCommand.Restart.class, ConversationCommand.class})
final class RunsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();

  @Option(
      names = "--json",
      description = "One JSON document for machines, with each run's stages and history.")
  boolean json;

  @Option(names = "--project", paramLabel = "ID", description = "Only runs of this project.")
  String project;

  @Option(
      names = "--sort",
      paramLabel = "KEY",
      defaultValue = "created",
      description =
          "Order of the list: created (newest first, the default), time (longest first) or cost"
              + " (most expensive first).")
  String sort;

  @Option(
      names = "--stalled",
      description =
          "Only active runs that made no progress for --older-than, or whose task lease expired.")
  boolean stalled;

  @Option(
      names = "--active",
      description =
          "Only open (queued, running or paused) runs, with their progress, an estimated time to"
              + " finish and the projected cost to complete, from their category's completed runs"
              + " (the items of GET /api/runs/active).")
  boolean active;

  @Option(
      names = "--older-than",
      paramLabel = "DURATION",
      description =
          "With --stalled: how long without progress counts as stalled, for every stage (default:"
              + " stalls.threshold, 10m, and stalls.thresholds per stage).")
  String olderThan;

  @Override
  public Integer call() {
    Optional<StallDetector.Thresholds> threshold = olderThan();
    Settings settings = options.load(Map.of());
    PrintWriter out = spec.commandLine().getOut();
    Optional<Engine> opened = Engine.read(settings);
    if (opened.isEmpty()) {
      out.println(
          json ? "[]" : "no runs in " + settings.dataDir() + " yet; try: bin/book-creator demo");
      out.flush();
      return ExitCodes.OK;
    }
    try (Engine engine = opened.get()) {
      Store store = engine.store;
      if (project != null && store.project(project).isEmpty()) {
        throw new Main.UsageException(
            "no project " + Text.clean(project) + " in " + settings.dataDir());
      }
      List<Run> runs = new ArrayList<>(store.runs(Optional.ofNullable(project)));
      switch (sort) {
        case "created" -> {}
        case "time" ->
            runs.sort(
                java.util.Comparator.comparing(
                        (Run r) ->
                            Duration.between(
                                r.createdAt(),
                                r.state().isActive() ? java.time.Instant.now() : r.updatedAt()))
                    .reversed());
        case "cost" -> {
          Map<String, java.math.BigDecimal> cost = new java.util.HashMap<>();
          for (Run r : runs) cost.put(r.id(), store.totals(r.id()).costUsd());
          runs.sort(java.util.Comparator.comparing((Run r) -> cost.get(r.id())).reversed());
        }
        default ->
            throw new Main.UsageException(
                "--sort must be created, time or cost, got '" + Text.clean(sort) + "'");
      }
      if (stalled) return printStalled(engine, runs, settings, threshold, out);
      if (active) return printActive(store, out);
      if (json) {
        out.println(ViewJson.write(runs.stream().map(engine.library::detail).toList()));
      } else if (runs.isEmpty()) {
        out.println("no runs yet; try: bin/book-creator demo");
      } else {
        List<List<String>> rows = new ArrayList<>();
        for (Run r : runs) {
          RunTotals t = store.totals(r.id());
          rows.add(
              List.of(
                  r.id(),
                  r.projectId(),
                  Integer.toString(r.number()),
                  r.state().name().toLowerCase(),
                  r.stage().map(s -> s.id()).orElse("-"),
                  r.createdAt().toString().substring(0, 19).replace('T', ' '),
                  Text.duration(Duration.between(r.createdAt(), r.updatedAt())),
                  String.format("%,d", t.tokens()),
                  Text.money(t.costUsd())));
        }
        out.print(
            Text.table(
                List.of(
                    "run",
                    "project",
                    "#",
                    "state",
                    "stage",
                    "created (UTC)",
                    "time",
                    "tokens",
                    "cost"),
                rows));
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private int printActive(Store store, PrintWriter out) {
    List<OverviewQueries.ActiveRun> found =
        new OverviewQueries(store)
            .activeRuns(java.time.Instant.now()).stream()
                .filter(a -> project == null || a.projectId().equals(project))
                .toList();
    if (json) {
      out.println(ViewJson.write(found));
    } else if (found.isEmpty()) {
      out.println("no active runs; start one with: bin/book-creator run BRIEF");
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (OverviewQueries.ActiveRun a : found) {
        boolean none = a.remainingSeconds().isEmpty();
        rows.add(
            List.of(
                a.runId(),
                a.category(),
                a.state(),
                a.stage().orElse("-"),
                a.stagesDone() + "/" + a.stagesTotal(),
                a.tasksDone() + "/" + a.tasksTotal(),
                Text.money(a.spentUsd()),
                none ? "no history" : Text.duration(Duration.ofSeconds(a.remainingSeconds().get())),
                a.costToCompleteUsd().map(Text::money).orElse("no history"),
                a.projectedTotalUsd().map(Text::money).orElse("-"),
                a.forecastBasis().replace('_', ' ')));
      }
      out.print(
          Text.table(
              List.of(
                  "run",
                  "category",
                  "state",
                  "stage",
                  "stages",
                  "tasks",
                  "spent",
                  "time left",
                  "cost to complete",
                  "projected total",
                  "from"),
              rows));
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** The thresholds of {@code --older-than}, if given: checked before the store is opened. */
  private Optional<StallDetector.Thresholds> olderThan() {
    if (olderThan == null) return Optional.empty();
    try {
      return Optional.of(StallDetector.Thresholds.of(Settings.duration(olderThan)));
    } catch (IllegalArgumentException e) {
      throw new Main.UsageException(
          "--older-than: " + e.getMessage() + ", got '" + Text.clean(olderThan) + "'");
    }
  }

  private int printStalled(
      Engine engine,
      List<Run> runs,
      Settings settings,
      Optional<StallDetector.Thresholds> threshold,
      PrintWriter out) {
    StallDetector.Thresholds thresholds = threshold.orElse(settings.stallThresholds());
    java.time.Instant now = java.time.Instant.now();
    List<StallView> found = engine.operations.stalls(runs, thresholds, now);
    if (json) {
      out.println(ViewJson.write(found));
    } else if (found.isEmpty()) {
      out.println(
          "no stalled runs (threshold "
              + (olderThan != null
                  ? olderThan
                  : settings.text(Setting.STALL_THRESHOLD)
                      + (settings.text(Setting.STALL_THRESHOLDS).isBlank()
                          ? ""
                          : ", per stage: " + settings.text(Setting.STALL_THRESHOLDS)))
              + ")");
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (StallView st : found) {
        rows.add(
            List.of(
                st.runId(),
                st.stage().orElse("-"),
                Text.duration(Duration.ofSeconds(st.stalledSeconds())),
                Text.clip(st.reason(), 90)));
      }
      out.print(Text.table(List.of("run", "stage", "idle", "reason"), rows));
      out.println(
          "restart one with: bin/book-creator runs restart RUN --reason TEXT  "
              + " (docs/runbooks/stalled-workflow.md)");
    }
    out.flush();
    return ExitCodes.OK;
  }

  @Command(
      name = "cancel",
      header = "Stop a run cleanly, the reason recorded in its history.",
      mixinStandardHelpOptions = true,
      description = {
        "Stop a run cleanly: it becomes cancelled (final) with the reason in its history, its"
            + " queued",
        "tasks are cancelled, and workers take nothing more from it (a task in flight finishes).",
        "Works while another Book Creator process is running the run."
      })
  static final class Cancel implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();

    @picocli.CommandLine.Parameters(paramLabel = "RUN", description = "The run id.")
    String runId;

    @Option(
        names = "--reason",
        paramLabel = "TEXT",
        required = true,
        description = "Why, recorded in the run's history.")
    String reason;

    @Override
    public Integer call() {
      if (reason.isBlank()) throw new Main.UsageException("--reason must not be blank");
      Settings settings = options.load(Map.of());
      try (Engine engine = Engine.require(settings)) {
        RunService.Cancelled c;
        try {
          c = engine.runs.cancel(runId, Text.clean(reason));
        } catch (RunService.NotFound e) {
          throw new Main.UsageException(
              "no run " + Text.clean(runId) + " in " + settings.dataDir());
        } catch (RunService.Conflict e) {
          throw new Main.UsageException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
            "run %s cancelled (was %s); %d queued task(s) cancelled%n",
            c.run().id(), c.was().name().toLowerCase(), c.tasksCancelled());
        out.flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "restart",
      header = "Restart a stuck, paused or failed run without losing work or paying twice.",
      mixinStandardHelpOptions = true,
      description = {
        "Restart a stuck, paused or failed run without losing work or paying twice: leases held by",
        "(possibly frozen) workers are taken back, failed tasks queued again, and the run goes on"
            + " from",
        "its last completed task, whose recorded calls are replayed, not paid again. With"
            + " --from-stage,",
        "that stage and every later one run again (new calls). Every change is recorded in the"
            + " run's",
        "history with the reason. If no other Book Creator process holds the data directory, the"
            + " run",
        "is driven to its end here, in the foreground; otherwise that process picks it up."
      })
  static final class Restart implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();
    @Mixin Options.PipelineFlags pipelineFlags = new Options.PipelineFlags();

    @picocli.CommandLine.Parameters(paramLabel = "RUN", description = "The run id.")
    String runId;

    @Option(
        names = "--reason",
        paramLabel = "TEXT",
        required = true,
        description = "Why, recorded in the run's history.")
    String reason;

    @Option(
        names = "--from-stage",
        paramLabel = "STAGE",
        description = "Re-run this stage and every later one (e.g. chapter_writing).")
    String fromStage;

    @Option(names = "--dry-run", description = "Print what would change, and change nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
      if (reason.isBlank()) throw new Main.UsageException("--reason must not be blank");
      Optional<org.bookcreator.core.run.Stage> from;
      try {
        from =
            Optional.ofNullable(fromStage)
                .map(
                    st ->
                        org.bookcreator.core.run.Stage.fromId(
                            st.strip().toLowerCase(java.util.Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException("--from-stage: " + e.getMessage());
      }
      Settings settings = options.load(pipelineFlags.flags());
      PrintWriter out = spec.commandLine().getOut();
      RestartRequest request =
          new RestartRequest(runId, from, Optional.empty(), Text.clean(reason), dryRun);
      if (dryRun) {
        try (Engine engine = Engine.require(settings)) {
          var plan = usage(settings, () -> engine.runs.restart(request)).plan();
          out.println("dry run, nothing changed; bin/book-creator runs restart would:");
          plan.describe().forEach(l -> out.println("  " + l));
        }
        out.flush();
        return ExitCodes.OK;
      }
      Engine.requireStore(settings);
      Engine engine;
      try {
        engine = Engine.open(settings, Observability.Mode.FOREGROUND, Engine.Use.PIPELINE);
      } catch (StoreLockedException locked) {
        // Another process (serve) owns the pipeline: change the store, and let its orchestrator
        // drive the run. Its workers keep moving meanwhile; the service plans again if it must.
        try (Engine shared =
            Engine.open(settings, Observability.Mode.FOREGROUND, Engine.Use.SHARED)) {
          var plan = usage(settings, () -> shared.runs.restart(request)).plan();
          plan.describe().forEach(l -> out.println(l));
          out.println(
              "restarted; the Book Creator process that holds "
                  + settings.dataDir()
                  + " carries the run on. Follow it with:");
          out.println(
              "  bin/book-creator runs --project "
                  + plan.run().projectId()
                  + "    bin/book-creator logs --run "
                  + runId
                  + " --follow");
        }
        out.flush();
        return ExitCodes.OK;
      }
      try (engine) {
        // This process holds the data directory, so every lease in the store is stale: restart
        // before the workers start, and the plan sees the store as nobody else changes it.
        RunService.Restarted done = usage(settings, () -> engine.runs.restart(request));
        engine.pipeline().start(true);
        done.plan().describe().forEach(l -> out.println(l));
        out.flush();
        List<Run> finished =
            DemoCommand.await(engine, List.of(done.run().orElseThrow()), engine.clock.instant());
        out.print(DemoCommand.table(engine, finished));
        out.flush();
        Run end = finished.get(0);
        if (end.state() == RunState.COMPLETED) return ExitCodes.OK;
        return end.state() == RunState.PAUSED ? ExitCodes.PAUSED : ExitCodes.RUN_FAILED;
      }
    }

    /** Runs an action on the run, its refusals turned into usage errors that name the run. */
    private <T> T usage(Settings settings, java.util.function.Supplier<T> action) {
      try {
        return action.get();
      } catch (RunService.NotFound e) {
        throw new Main.UsageException("no run " + Text.clean(runId) + " in " + settings.dataDir());
      } catch (RunService.Conflict e) {
        throw new Main.UsageException(e.getMessage());
      }
    }
  }
}
