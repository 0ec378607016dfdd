package org.bookcreator.app;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.Transition;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "runs", description = "List runs with their state, stage, tokens and cost; --json adds stage history.",
    mixinStandardHelpOptions = true, subcommands = {RunsCommand.Cancel.class})
final class RunsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();

  @Option(names = "--json", description = "One JSON document for machines, with each run's stages and history.")
  boolean json;

  @Option(names = "--project", paramLabel = "ID", description = "Only runs of this project.")
  String project;

  @Option(names = "--stalled", description = "Only active runs that made no progress for --older-than, or whose task lease expired.")
  boolean stalled;

  @Option(names = "--older-than", paramLabel = "DURATION", defaultValue = "10m",
      description = "With --stalled: how long without progress counts as stalled (default: ${DEFAULT-VALUE}).")
  String olderThan;

  @Override
  public Integer call() {
    Settings settings = options.load(Map.of());
    Observability.start(settings, Observability.Mode.READER);
    PrintWriter out = spec.commandLine().getOut();
    Optional<Store> opened = StoreReader.open(settings);
    if (opened.isEmpty()) {
      out.println(json ? "[]" : "no runs in " + settings.dataDir() + " yet; try: bin/book-creator demo");
      out.flush();
      return ExitCodes.OK;
    }
    try (Store store = opened.get()) {
      if (project != null && store.project(project).isEmpty()) {
        throw new Main.UsageException("no project " + Text.clean(project) + " in " + settings.dataDir());
      }
      List<Run> runs = store.runs(Optional.ofNullable(project));
      if (stalled) return printStalled(store, runs, out);
      if (json) {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (Run r : runs) arr.add(runJson(store, r));
        out.println(Json.write(arr));
      } else if (runs.isEmpty()) {
        out.println("no runs yet; try: bin/book-creator demo");
      } else {
        List<List<String>> rows = new ArrayList<>();
        for (Run r : runs) {
          RunTotals t = store.totals(r.id());
          rows.add(List.of(r.id(), r.projectId(), Integer.toString(r.number()), r.state().name().toLowerCase(),
              r.stage().map(s -> s.id()).orElse("-"), r.createdAt().toString().substring(0, 19).replace('T', ' '),
              Text.duration(Duration.between(r.createdAt(), r.updatedAt())), String.format("%,d", t.tokens()),
              Text.money(t.costUsd())));
        }
        out.print(Text.table(List.of("run", "project", "#", "state", "stage", "created (UTC)", "time", "tokens", "cost"), rows));
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** A run that made no progress (or holds an expired lease): why, and since when. */
  record Stall(Run run, String reason, java.time.Instant lastProgress) {}

  static List<Stall> stalls(Store store, List<Run> runs, java.time.Duration threshold, java.time.Instant now) {
    List<Stall> out = new ArrayList<>();
    for (Run r : runs) {
      if (!r.state().isActive()) continue;
      java.time.Instant last = r.updatedAt();
      String expired = null;
      for (var t : store.taskOutcomes(r.id())) {
        if (t.updatedAt().isAfter(last)) last = t.updatedAt();
        if (t.state() == org.bookcreator.core.run.TaskState.LEASED && t.leaseExpiresAt().map(x -> x.isBefore(now)).orElse(false)) {
          expired = "lease of task " + t.key() + " held by " + t.leaseOwner().orElse("?") + " expired at " + t.leaseExpiresAt().get()
              + " without a heartbeat";
        }
      }
      if (expired != null) out.add(new Stall(r, expired, last));
      else if (java.time.Duration.between(last, now).compareTo(threshold) > 0) {
        out.add(new Stall(r, "no progress in stage " + r.stage().map(x -> x.id()).orElse("-") + " for "
            + Text.duration(java.time.Duration.between(last, now)), last));
      }
    }
    return out;
  }

  private int printStalled(Store store, List<Run> runs, PrintWriter out) {
    java.time.Duration threshold;
    try {
      threshold = Settings.duration(olderThan);
    } catch (IllegalArgumentException e) {
      throw new Main.UsageException("--older-than: expected a duration such as 30s, 10m or 2h, got '" + Text.clean(olderThan) + "'");
    }
    java.time.Instant now = java.time.Instant.now();
    List<Stall> found = stalls(store, runs, threshold, now);
    if (json) {
      ArrayNode arr = Json.MAPPER.createArrayNode();
      for (Stall st : found) {
        ObjectNode o = arr.addObject();
        o.put("id", st.run().id());
        o.put("project_id", st.run().projectId());
        st.run().stage().ifPresent(x -> o.put("stage", x.id()));
        o.put("reason", st.reason());
        o.put("last_progress", st.lastProgress().toString());
        o.put("stalled_seconds", java.time.Duration.between(st.lastProgress(), now).toSeconds());
      }
      out.println(Json.write(arr));
    } else if (found.isEmpty()) {
      out.println("no stalled runs (threshold " + olderThan + ")");
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (Stall st : found) {
        rows.add(List.of(st.run().id(), st.run().stage().map(x -> x.id()).orElse("-"),
            Text.duration(java.time.Duration.between(st.lastProgress(), now)), Text.clip(st.reason(), 90)));
      }
      out.print(Text.table(List.of("run", "stage", "idle", "reason"), rows));
      out.println("restart with: bin/book-creator resume   (see docs/cli.md)");
    }
    out.flush();
    return ExitCodes.OK;
  }

  static ObjectNode runJson(Store store, Run r) {
    return org.bookcreator.server.Views.run(store, r);
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true, description = {
      "Stop a run cleanly: it becomes cancelled (final) with the reason in its history, its queued",
      "tasks are cancelled, and workers take nothing more from it (a task in flight finishes).",
      "Works while another Book Creator process is running the run."})
  static final class Cancel implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();

    @picocli.CommandLine.Parameters(paramLabel = "RUN", description = "The run id.")
    String runId;

    @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why, recorded in the run's history.")
    String reason;

    @Override
    public Integer call() {
      if (reason.isBlank()) throw new Main.UsageException("--reason must not be blank");
      Settings settings = options.load(Map.of());
      Observability.start(settings, Observability.Mode.READER);
      try (Store store = StoreReader.require(settings)) {
        org.bookcreator.core.ops.RunControl.Cancelled c;
        try {
          c = org.bookcreator.core.ops.RunControl.cancel(store, runId, Text.clean(reason), java.time.Instant.now());
        } catch (org.bookcreator.core.ops.RunControl.NotFound e) {
          throw new Main.UsageException("no run " + Text.clean(runId) + " in " + settings.dataDir());
        } catch (org.bookcreator.core.ops.RunControl.Conflict e) {
          throw new Main.UsageException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("run %s cancelled (was %s); %d queued task(s) cancelled%n", c.run().id(), c.was().name().toLowerCase(), c.tasksCancelled());
        out.flush();
      }
      return ExitCodes.OK;
    }
  }
}
