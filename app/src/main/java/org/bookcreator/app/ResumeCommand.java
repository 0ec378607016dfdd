package org.bookcreator.app;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.bookcreator.core.ops.RunService;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "resume",
    header = "Resume unfinished runs, or a paused or failed one, in the foreground.",
    description = {
      "Resume every unfinished run in the data directory (for example after a crash or Ctrl-C)",
      "from its last completed task, in the foreground, and wait until they end. With --run, also",
      "resume a run that paused at its budget (raise it with --budget-usd) or that failed.",
      "Completed tasks are not run again and recorded model calls are not paid for again."
    },
    mixinStandardHelpOptions = true)
final class ResumeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();
  @Mixin Options.PipelineFlags pipelineFlags = new Options.PipelineFlags();

  @Option(
      names = "--run",
      paramLabel = "RUN",
      description = "Resume this paused or failed run (as well as any unfinished ones).")
  String runId;

  @Option(
      names = "--budget-usd",
      paramLabel = "N",
      description =
          "With --run: set the project's budget first (US dollars, greater than 0, at most"
              + " 1000000).")
  String budgetFlag;

  @Option(
      names = "--reason",
      paramLabel = "TEXT",
      defaultValue = "resumed by the operator",
      description = "Why, recorded in the run's history (default: ${DEFAULT-VALUE}).")
  String reason;

  @Override
  public Integer call() {
    if (budgetFlag != null && runId == null)
      throw new Main.UsageException("--budget-usd needs --run");
    BigDecimal budget = budgetFlag == null ? null : Flags.budgetUsd("--budget-usd", budgetFlag);
    Settings settings = options.load(pipelineFlags.flags());
    PrintWriter out = spec.commandLine().getOut();
    try (Engine engine =
        Engine.open(settings, Observability.Mode.FOREGROUND, Engine.Use.PIPELINE)) {
      List<Run> toWait =
          new ArrayList<>(engine.store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING)));
      Run named = null;
      if (runId != null) {
        named =
            engine
                .store
                .run(runId)
                .orElseThrow(
                    () ->
                        new Main.UsageException(
                            "no run " + Text.clean(runId) + " in " + settings.dataDir()));
        if (named.state() != RunState.PAUSED
            && named.state() != RunState.FAILED
            && !named.state().isActive()) {
          throw new Main.UsageException(
              "run "
                  + runId
                  + " is "
                  + named.state().name().toLowerCase()
                  + "; only paused, failed or unfinished runs resume");
        }
        if (budget != null && named.state().isActive()) {
          // An unfinished run resumes by itself; the budget is read at its next priced call.
          engine.runs.changeBudget(
              named.projectId(),
              Optional.of(budget),
              Text.clean(reason) + " (resume --budget-usd)");
        }
      }
      if (toWait.isEmpty() && named == null) {
        out.println("nothing to resume: no unfinished runs in " + settings.dataDir());
        return ExitCodes.OK;
      }
      engine.pipeline().start(true);
      if (named != null && !named.state().isActive()) {
        try {
          engine.runs.resume(named.id(), Optional.ofNullable(budget), Text.clean(reason));
        } catch (RunService.Conflict e) {
          throw new Main.UsageException(e.getMessage());
        }
        toWait.add(named);
      }
      System.err.println("resuming " + toWait.size() + " run(s)");
      List<Run> finished = DemoCommand.await(engine, toWait, engine.clock.instant());
      out.print(DemoCommand.table(engine, finished));
      out.flush();
      if (finished.stream().allMatch(r -> r.state() == RunState.COMPLETED)) return ExitCodes.OK;
      return finished.stream().anyMatch(r -> r.state() == RunState.PAUSED)
          ? ExitCodes.PAUSED
          : ExitCodes.RUN_FAILED;
    }
  }
}
