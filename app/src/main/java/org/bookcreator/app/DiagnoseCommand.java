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
import org.bookcreator.core.view.DiagnosisView;
import org.bookcreator.core.view.ViewJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "diagnose",
    header = "Where a run's time and money went, the probable cause, the runbook.",
    description = {
      "Where a run's time and money went and why it failed or stalled: its stage history, ledger,",
      "events, stall state and logs read together, ending with the probable cause and the runbook",
      "to follow. Give a run id, or a project id for its latest run."
    },
    mixinStandardHelpOptions = true)
final class DiagnoseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();

  @Parameters(
      paramLabel = "RUN|PROJECT",
      description = "A run id (run_...) or a project id (prj_..., its latest run).")
  String target;

  @Option(names = "--json", description = "One JSON document for machines.")
  boolean json;

  @Override
  public Integer call() {
    Settings settings = options.load(Map.of());
    PrintWriter out = spec.commandLine().getOut();
    try (Engine engine = Engine.require(settings)) {
      Store store = engine.store;
      Run run =
          store
              .run(target)
              .or(() -> store.project(target).flatMap(p -> Diagnosis.latestRun(store, p.id())))
              .orElseThrow(
                  () ->
                      new Main.UsageException(
                          store.project(target).isPresent()
                              ? "project " + Text.clean(target) + " has no run yet"
                              : "no run or project "
                                  + Text.clean(target)
                                  + " in "
                                  + settings.dataDir()
                                  + " (see bin/book-creator runs)"));
      Diagnosis d = Diagnosis.of(store, run, settings.stallThresholds(), Instant.now());
      if (json) out.println(ViewJson.write(DiagnosisView.of(d)));
      else out.print(render(d));
    }
    out.flush();
    return ExitCodes.OK;
  }

  static String render(Diagnosis d) {
    StringBuilder sb = new StringBuilder();
    Run r = d.run();
    sb.append(
        String.format(
            "run %s of \"%s\" (%s, %d chapters): %s%s after %s%n",
            r.id(),
            Text.clean(d.project().title()),
            d.project().category(),
            d.project().chapters(),
            r.state().name().toLowerCase(),
            r.stage().map(s -> " in stage " + s.id()).orElse(""),
            Text.duration(d.elapsed())));
    sb.append(
        String.format(
            "calls %,d (%,d failed), tokens %,d, cost %s%n%n",
            d.totals().calls(),
            d.totals().failedCalls(),
            d.totals().tokens(),
            Text.money(d.totals().costUsd())));
    sb.append("Probable cause: ").append(Text.clean(d.cause())).append('\n');
    sb.append("Runbook:        ").append(d.runbook()).append("\n\n");

    sb.append("Where the time went (slowest stages first)\n");
    List<List<String>> rows = new ArrayList<>();
    for (var s : d.stages()) {
      rows.add(
          List.of(
              s.stage(),
              s.state(),
              Text.duration(s.time()),
              String.format("%.0f%%", s.share() * 100),
              Integer.toString(s.iterations()),
              Text.clip(s.note(), 60)));
    }
    sb.append(Text.table(List.of("stage", "state", "time", "share", "iterations", "note"), rows))
        .append('\n');

    sb.append("Where the money went\n");
    rows = new ArrayList<>();
    for (var s : d.spendByStage())
      rows.add(
          List.of(
              s.name(), Long.toString(s.calls()), Text.money(s.costUsd()), s.latencyMs() + " ms"));
    sb.append(Text.table(List.of("stage", "calls", "cost", "model time"), rows));
    rows = new ArrayList<>();
    for (var s : d.spendByModel())
      rows.add(
          List.of(
              s.name(), Long.toString(s.calls()), Text.money(s.costUsd()), s.latencyMs() + " ms"));
    sb.append(Text.table(List.of("provider/model", "calls", "cost", "model time"), rows))
        .append('\n');

    sb.append("Agents (most trouble first)\n");
    rows = new ArrayList<>();
    for (var a : d.roles())
      rows.add(
          List.of(
              a.role(),
              Long.toString(a.calls()),
              Long.toString(a.failedCalls()),
              Long.toString(a.schemaViolations())));
    sb.append(Text.table(List.of("role", "calls", "failed calls", "schema violations"), rows))
        .append('\n');

    if (!d.providerErrors().isEmpty()) {
      sb.append("Provider errors\n");
      rows = new ArrayList<>();
      for (var e : d.providerErrors()) {
        rows.add(
            List.of(
                e.provider(),
                e.errorType(),
                Long.toString(e.count()),
                e.worstMinute() + " at " + e.worstMinuteAt().toString().substring(11, 16)));
      }
      sb.append(Text.table(List.of("provider", "error type", "calls", "worst minute (UTC)"), rows))
          .append('\n');
    }
    if (!d.stalls().isEmpty()) {
      sb.append("Stalled\n");
      for (var s : d.stalls())
        sb.append("  ")
            .append(s.kind().id())
            .append(": ")
            .append(Text.clean(s.reason()))
            .append('\n');
      sb.append('\n');
    }
    if (!d.recentErrors().isEmpty()) {
      sb.append("Latest warnings and errors in the logs\n");
      for (String e : d.recentErrors()) sb.append("  ").append(Text.clip(e, 150)).append('\n');
      sb.append('\n');
    }
    sb.append("Next: bin/book-creator logs --run ")
        .append(r.id())
        .append(" --level WARN   bin/book-creator trace ")
        .append(r.id())
        .append('\n');
    return sb.toString();
  }
}
