package org.bookcreator.app;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bookcreator.core.pipeline.RunSummaryWriter;
import org.bookcreator.core.project.Brief;
import org.bookcreator.core.project.BriefParser;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "run",
    description = {
      "Write one book from a brief (YAML or JSON), in the foreground, with a live progress"
          + " display.",
      "Unfinished runs left in the data directory by an earlier process are resumed alongside."
    },
    mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();
  @Mixin Options.PipelineFlags pipelineFlags = new Options.PipelineFlags();

  @Parameters(
      paramLabel = "BRIEF",
      description = "The brief file, e.g. examples/briefs/lighthouse.yaml.")
  Path briefFile;

  @Override
  public Integer call() {
    Settings settings = options.load(pipelineFlags.flags());
    // Validate the brief before anything is written, so bad input leaves nothing behind.
    Brief brief = new BriefParser(settings.categories()).parse(briefFile);
    PrintWriter out = spec.commandLine().getOut();
    try (Engine engine =
        Engine.open(settings, Observability.Mode.FOREGROUND, Engine.Use.PIPELINE)) {
      Project project = engine.runs.createProject(brief, "from " + briefFile.getFileName());
      int earlier = engine.store.runsIn(Set.of(RunState.QUEUED, RunState.RUNNING)).size();
      if (earlier > 0) {
        System.err.println("resuming " + earlier + " unfinished run(s) left by an earlier process");
      }
      engine.pipeline().start(true);
      Run run = engine.runs.start(project.id(), "run " + briefFile);
      System.err.println(
          "project "
              + project.id()
              + ", run "
              + run.id()
              + ": \""
              + Text.clean(project.title())
              + "\"");
      Run done = follow(engine, run.id(), engine.pipeline().completion(run.id()));
      printSummary(engine, done, out);
      return switch (done.state()) {
        case COMPLETED -> ExitCodes.OK;
        case PAUSED -> ExitCodes.PAUSED;
        default -> ExitCodes.RUN_FAILED;
      };
    }
  }

  /**
   * Shows progress until the run ends: one rewritten line on a terminal, a line per change
   * otherwise.
   */
  static Run follow(Engine engine, String runId, CompletableFuture<Run> completion) {
    boolean tty = System.console() != null;
    String last = "";
    long lastPrint = 0;
    while (true) {
      try {
        return completion.get(250, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        Run r = engine.store.run(runId).orElseThrow();
        RunStatus s = RunStatus.of(engine.store, r, engine.clock.instant());
        String key = s.stageName() + s.chaptersDone();
        long now = System.nanoTime();
        if (tty) {
          System.err.print("\r" + s.line() + "   ");
          System.err.flush();
        } else if (!key.equals(last) || now - lastPrint > Duration.ofSeconds(10).toNanos()) {
          System.err.println(s.line());
          lastPrint = now;
        }
        last = key;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (ExecutionException e) {
        throw failure(e);
      }
      if (tty) System.err.flush();
    }
  }

  /**
   * Why awaiting a run failed ({@code e} wraps it: an ExecutionException or CompletionException),
   * as the command reports it: the store's own failure (a full disk, a damaged file) as itself, so
   * the command exits 3 with its message; anything else is a bug.
   */
  static RuntimeException failure(Exception e) {
    return e.getCause() instanceof StoreException store
        ? store
        : new IllegalStateException(e.getCause());
  }

  static void printSummary(Engine engine, Run run, PrintWriter out) {
    System.err.println();
    RunStatus s = RunStatus.of(engine.store, run, engine.clock.instant());
    out.println(
        "Run "
            + run.id()
            + " of \""
            + Text.clean(s.project().title())
            + "\": "
            + run.state().name().toLowerCase()
            + run.reason()
                .filter(r -> run.state() != RunState.COMPLETED)
                .map(r -> " (" + Text.clean(r) + ")")
                .orElse(""));
    List<StageRecord> stages = engine.store.stages(run.id());
    out.print(
        Text.table(
            List.of("stage", "state", "time", "iterations", "note"),
            stages.stream()
                .map(
                    st ->
                        List.of(
                            st.stage().id(),
                            st.state().name().toLowerCase(),
                            st.startedAt().isPresent() && st.finishedAt().isPresent()
                                ? Text.duration(
                                    Duration.between(st.startedAt().get(), st.finishedAt().get()))
                                : "-",
                            st.state() == StageState.PENDING
                                ? "-"
                                : Integer.toString(st.iterations()),
                            Text.clip(st.reason().orElse(""), 70)))
                .toList()));
    out.printf(
        "model calls %d (%d failed, %d retries, %d schema violations), tokens %,d in / %,d out,"
            + " cost %s, time %s%n",
        s.totals().calls(),
        s.totals().failedCalls(),
        s.retries(),
        s.violations(),
        s.totals().inputTokens(),
        s.totals().outputTokens(),
        Text.money(s.totals().costUsd()),
        Text.duration(s.elapsed()));
    Path dir = RunSummaryWriter.runDir(engine.settings.dataDir(), run.projectId(), run.id());
    if (Files.exists(dir.resolve("manuscript.md")))
      out.println("manuscript: " + dir.resolve("manuscript.md"));
    out.println("summary:    " + dir.resolve("summary.md"));
    out.flush();
  }
}
