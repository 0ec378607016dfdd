package org.bookcreator.app;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bookcreator.core.ops.Diagnosis;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(
    name = "diagnose",
    description = {
      "Where a run's time and money went and why it failed or stalled: its stage history, ledger,",
      "events, stall state and logs read together, ending with the probable cause and the runbook",
      "to follow. Give a run id, or a project id for its latest run."
    },
    mixinStandardHelpOptions = true)
final class DiagnoseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();

  @Parameters(paramLabel = "RUN|PROJECT", description = "A run id (run_...) or a project id (prj_..., its latest run).")
  String target;

  @Option(names = "--json", description = "One JSON document for machines.")
  boolean json;

  @Override
  public Integer call() {
    Settings settings = options.load(Map.of());
    Observability.start(settings, Observability.Mode.READER);
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = StoreReader.require(settings)) {
      Run run = store.run(target)
          .or(() -> store.project(target).flatMap(p -> Diagnosis.latestRun(store, p.id())))
          .orElseThrow(() -> new Main.UsageException(store.project(target).isPresent()
              ? "project " + Text.clean(target) + " has no run yet"
              : "no run or project " + Text.clean(target) + " in " + settings.dataDir() + " (see bin/book-creator runs)"));
      Diagnosis d = Diagnosis.of(store, run, settings.stallThresholds(), Instant.now());
      if (json) out.println(Json.write(toJson(d)));
      else out.print(render(d));
    }
    out.flush();
    return ExitCodes.OK;
  }

  static String render(Diagnosis d) {
    StringBuilder sb = new StringBuilder();
    Run r = d.run();
    sb.append(String.format("run %s of \"%s\" (%s, %d chapters): %s%s after %s%n", r.id(), Text.clean(d.project().title()),
        d.project().category(), d.project().chapters(), r.state().name().toLowerCase(),
        r.stage().map(s -> " in stage " + s.id()).orElse(""), Text.duration(d.elapsed())));
    sb.append(String.format("calls %,d (%,d failed), tokens %,d, cost %s%n%n", d.totals().calls(), d.totals().failedCalls(),
        d.totals().tokens(), Text.money(d.totals().costUsd())));
    sb.append("Probable cause: ").append(Text.clean(d.cause())).append('\n');
    sb.append("Runbook:        ").append(d.runbook()).append("\n\n");

    sb.append("Where the time went (slowest stages first)\n");
    List<List<String>> rows = new ArrayList<>();
    for (var s : d.stages()) {
      rows.add(List.of(s.stage(), s.state(), Text.duration(s.time()), String.format("%.0f%%", s.share() * 100), Integer.toString(s.iterations()),
          Text.clip(s.note(), 60)));
    }
    sb.append(Text.table(List.of("stage", "state", "time", "share", "iterations", "note"), rows)).append('\n');

    sb.append("Where the money went\n");
    rows = new ArrayList<>();
    for (var s : d.spendByStage()) rows.add(List.of(s.name(), Long.toString(s.calls()), Text.money(s.costUsd()), s.latencyMs() + " ms"));
    sb.append(Text.table(List.of("stage", "calls", "cost", "model time"), rows));
    rows = new ArrayList<>();
    for (var s : d.spendByModel()) rows.add(List.of(s.name(), Long.toString(s.calls()), Text.money(s.costUsd()), s.latencyMs() + " ms"));
    sb.append(Text.table(List.of("provider/model", "calls", "cost", "model time"), rows)).append('\n');

    sb.append("Agents (most trouble first)\n");
    rows = new ArrayList<>();
    for (var a : d.roles()) rows.add(List.of(a.role(), Long.toString(a.calls()), Long.toString(a.failedCalls()), Long.toString(a.schemaViolations())));
    sb.append(Text.table(List.of("role", "calls", "failed calls", "schema violations"), rows)).append('\n');

    if (!d.providerErrors().isEmpty()) {
      sb.append("Provider errors\n");
      rows = new ArrayList<>();
      for (var e : d.providerErrors()) {
        rows.add(List.of(e.provider(), e.errorType(), Long.toString(e.count()), e.worstMinute() + " at " + e.worstMinuteAt().toString().substring(11, 16)));
      }
      sb.append(Text.table(List.of("provider", "error type", "calls", "worst minute (UTC)"), rows)).append('\n');
    }
    if (!d.stalls().isEmpty()) {
      sb.append("Stalled\n");
      for (var s : d.stalls()) sb.append("  ").append(s.kind().id()).append(": ").append(Text.clean(s.reason())).append('\n');
      sb.append('\n');
    }
    if (!d.recentErrors().isEmpty()) {
      sb.append("Latest warnings and errors in the logs\n");
      for (String e : d.recentErrors()) sb.append("  ").append(Text.clip(e, 150)).append('\n');
      sb.append('\n');
    }
    sb.append("Next: bin/book-creator logs --run ").append(r.id()).append(" --level WARN   bin/book-creator trace ").append(r.id()).append('\n');
    return sb.toString();
  }

  static ObjectNode toJson(Diagnosis d) {
    ObjectNode o = Json.object();
    o.put("run_id", d.run().id());
    o.put("project_id", d.project().id());
    o.put("state", d.run().state().name().toLowerCase());
    d.run().stage().ifPresent(s -> o.put("stage", s.id()));
    o.put("elapsed_seconds", d.elapsed().toMillis() / 1000.0);
    o.put("calls", d.totals().calls());
    o.put("failed_calls", d.totals().failedCalls());
    o.put("cost_usd", d.totals().costUsd().toPlainString());
    o.put("cause", d.cause());
    o.put("runbook", d.runbook());
    ArrayNode stages = o.putArray("stages");
    for (var s : d.stages()) {
      stages.addObject().put("stage", s.stage()).put("state", s.state()).put("seconds", s.time().toMillis() / 1000.0)
          .put("share", s.share()).put("iterations", s.iterations()).put("note", s.note());
    }
    ArrayNode spend = o.putArray("spend_by_stage");
    for (var s : d.spendByStage()) spend.addObject().put("stage", s.name()).put("calls", s.calls()).put("cost_usd", s.costUsd().toPlainString()).put("latency_ms", s.latencyMs());
    ArrayNode models = o.putArray("spend_by_model");
    for (var s : d.spendByModel()) models.addObject().put("model", s.name()).put("calls", s.calls()).put("cost_usd", s.costUsd().toPlainString()).put("latency_ms", s.latencyMs());
    ArrayNode roles = o.putArray("agents");
    for (var a : d.roles()) roles.addObject().put("role", a.role()).put("calls", a.calls()).put("failed_calls", a.failedCalls()).put("schema_violations", a.schemaViolations());
    ArrayNode errors = o.putArray("provider_errors");
    for (var e : d.providerErrors()) {
      errors.addObject().put("provider", e.provider()).put("error_type", e.errorType()).put("count", e.count())
          .put("worst_minute_count", e.worstMinute()).put("worst_minute_at", e.worstMinuteAt().toString());
    }
    ArrayNode stalls = o.putArray("stalls");
    for (var s : d.stalls()) stalls.addObject().put("kind", s.kind().id()).put("reason", s.reason()).put("last_progress", s.lastProgress().toString());
    ArrayNode logs = o.putArray("recent_warnings");
    d.recentErrors().forEach(logs::add);
    return o;
  }
}
