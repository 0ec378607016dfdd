package org.bookcreator.app;

import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bookcreator.core.view.ConversationView;
import org.bookcreator.core.view.TaskQueries;
import org.bookcreator.core.view.ViewJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code runs conversation RUN TASK}: one task's model calls with prompt and answer (secrets
 * masked) and its critique loop's rounds, from the same {@link TaskQueries} as the run page.
 */
@Command(
    name = "conversation",
    header = "Show a task's model calls (prompt and answer) and its critique rounds.",
    mixinStandardHelpOptions = true,
    description = {
      "Show what the agents said for one task of a run: each model call with its prompt and answer",
      "(secrets masked), tokens, cost, latency and outcome; for a critique loop, the critic's"
          + " score",
      "and issues per round and what each revision changed. TASK is a task id or its key, such as",
      "chapter-1/critique-2 (see GET /api/runs/RUN/tasks or the run page)."
    })
final class ConversationCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();

  @Parameters(index = "0", paramLabel = "RUN", description = "The run id.")
  String runId;

  @Parameters(index = "1", paramLabel = "TASK", description = "The task id or key.")
  String task;

  @Option(names = "--json", description = "The conversation as one JSON document.")
  boolean json;

  @Override
  public Integer call() {
    Settings settings = options.load(Map.of());
    Optional<Engine> opened = Engine.read(settings);
    if (opened.isEmpty())
      throw new Main.UsageException("no runs in " + settings.dataDir() + " yet");
    try (Engine engine = opened.get()) {
      if (engine.store.run(runId).isEmpty()) {
        throw new Main.UsageException("no run " + Text.clean(runId) + " in " + settings.dataDir());
      }
      ConversationView c =
          new TaskQueries(engine.store, engine.telemetry.redactor())
              .conversation(runId, task)
              .orElseThrow(
                  () ->
                      new Main.UsageException(
                          "run " + Text.clean(runId) + " has no task " + Text.clean(task)));
      PrintWriter out = spec.commandLine().getOut();
      if (json) out.println(ViewJson.write(c));
      else print(c, out);
      out.flush();
    }
    return ExitCodes.OK;
  }

  private static void print(ConversationView c, PrintWriter out) {
    out.printf(
        "task %s (%s): %s by the %s, %s, %d failed attempt(s), %d call(s), %s%n",
        c.task().key(),
        c.task().id(),
        c.task().kind(),
        c.task().role(),
        c.task().state(),
        c.task().attempts(),
        c.task().calls(),
        Text.money(c.task().costUsd()));
    c.loop()
        .ifPresent(
            loop -> {
              out.printf("%ncritique loop %s:%n", loop.name());
              for (ConversationView.Round r : loop.rounds()) {
                out.printf(
                    "  round %d: %s%s%n",
                    r.round(),
                    r.score().map(s -> "score " + s).orElse("not scored yet"),
                    r.verdict().map(v -> " (" + v + ")").orElse(""));
                for (String issue : r.issues()) out.println("    - " + Text.clean(issue));
                r.diff()
                    .ifPresent(
                        d -> {
                          out.printf(
                              "    revision: +%d -%d line(s)%n", r.linesAdded(), r.linesRemoved());
                          d.lines().forEach(line -> out.println("    | " + Text.clean(line)));
                        });
              }
            });
    for (ConversationView.Call call : c.calls()) {
      out.printf(
          "%ncall %s: %s %s %s, attempt %d, %d in / %d out tokens, %s, %d ms%s%n",
          call.callId(),
          call.outcome(),
          call.provider(),
          call.model(),
          call.attempt(),
          call.inputTokens(),
          call.outputTokens(),
          call.costUsd().map(Text::money).orElse("unpriced"),
          call.latencyMs(),
          call.errorType().map(e -> " [" + e + "]").orElse(""));
      out.println("--- prompt" + (call.promptTruncated() ? " (cut)" : ""));
      out.println(call.prompt().map(ConversationCommand::shown).orElse("(not kept)"));
      out.println("--- answer");
      out.println(call.answer().map(ConversationCommand::shown).orElse("(none yet)"));
    }
  }

  /** Text for a terminal: control characters other than newline and tab made visible. */
  private static String shown(String text) {
    return text.lines().map(Text::clean).reduce((a, b) -> a + "\n" + b).orElse("");
  }
}
