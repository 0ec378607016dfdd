package org.bookcreator.app;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.telemetry.Telemetry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "resume",
    description = {
      "Resume every unfinished run in the data directory (for example after a crash or Ctrl-C)",
      "from its last completed task, in the foreground, and wait until they end.",
      "Completed tasks are not run again and recorded model calls are not paid for again."
    },
    mixinStandardHelpOptions = true)
final class ResumeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();
  @Mixin Options.PipelineFlags pipelineFlags = new Options.PipelineFlags();

  @Override
  public Integer call() {
    Settings settings = options.load(pipelineFlags.flags());
    Observability.Observed telemetry = Observability.start(settings, Observability.Mode.FOREGROUND);
    PrintWriter out = spec.commandLine().getOut();
    try (Engine engine = Engine.open(settings, telemetry)) {
      List<Run> unfinished = engine.store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING));
      if (unfinished.isEmpty()) {
        out.println("nothing to resume: no unfinished runs in " + settings.dataDir());
        return ExitCodes.OK;
      }
      System.err.println("resuming " + unfinished.size() + " run(s)");
      engine.pipeline.start(true);
      List<Run> finished = DemoCommand.await(engine, new ArrayList<>(unfinished), engine.clock.instant());
      out.print(DemoCommand.table(engine, finished));
      out.flush();
      return finished.stream().allMatch(r -> r.state() == RunState.COMPLETED) ? ExitCodes.OK : ExitCodes.RUN_FAILED;
    }
  }
}
