package org.bookcreator.app;

import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.bookcreator.core.run.RunState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "serve",
    description = {
      "Run the long-lived process: the orchestrator and the agent workers, resuming every",
      "unfinished run in the data directory. Stop it with Ctrl-C; runs in flight resume next time.",
      "(The HTTP API and /metrics join this process in a later version.)"
    },
    mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {
  @Mixin Options options = new Options();
  @Mixin Options.PipelineFlags pipelineFlags = new Options.PipelineFlags();

  @Override
  public Integer call() throws InterruptedException {
    Settings settings = options.load(pipelineFlags.flags());
    Logging.init(settings.dataDir().resolve("logs"), "INFO");
    Engine engine = Engine.open(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("book-creator: stopping; unfinished runs resume on the next start");
      engine.close();
      stopped.countDown();
    }, "shutdown"));
    engine.pipeline.start(true);
    int active = engine.store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING)).size();
    System.err.printf("book-creator serve: orchestrator and %s workers on %s (%d unfinished run(s) resumed); Ctrl-C to stop%n",
        settings.get(Setting.WORKERS), settings.dataDir().toAbsolutePath(), active);
    stopped.await();
    return ExitCodes.OK;
  }
}
