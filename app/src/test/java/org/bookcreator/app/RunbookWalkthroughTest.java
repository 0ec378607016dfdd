package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The path a newcomer takes with only docs/runbooks: after a demo with faults, the commands of the
 * runbooks' Diagnosis sections, run as written (RUN and PROJECT replaced by real ids), find the
 * failed and the slowest runs and say why; the Mitigation's restart carries the failed run to
 * completion once the provider behaves.
 */
class RunbookWalkthroughTest {
  @TempDir Path dir;

  private Cli run(List<String> words, Path config) {
    List<String> args = new ArrayList<>(words);
    args.addAll(List.of("--data-dir", dir.resolve("data").toString()));
    if (config != null && !words.contains("doctor"))
      args.addAll(List.of("--config", config.toString()));
    return Cli.run(args.toArray(String[]::new));
  }

  /** The bin/book-creator commands of one section of a runbook, with RUN and PROJECT filled in. */
  private static List<List<String>> section(
      String runbook, String heading, String run, String project) throws Exception {
    String text = Files.readString(RunbooksTest.runbooks().resolve(runbook));
    int start = text.indexOf(heading);
    int end = text.indexOf("\n## ", start + heading.length());
    List<List<String>> out = new ArrayList<>();
    for (List<String> words :
        RunbooksTest.commands(text.substring(start, end < 0 ? text.length() : end))) {
      if (!words.get(0).equals("bin/book-creator")) continue;
      out.add(
          words.subList(1, words.size()).stream()
              .map(w -> w.equals("RUN") ? run : w.equals("PROJECT") ? project : w)
              .map(w -> w.equals("2026-11-01") ? "2020-01-01" : w)
              .toList());
    }
    return out;
  }

  @Test
  void afterAFaultyDemo_theRunbooksFindTheFailedAndSlowestRuns_sayWhy_andRestartOneToCompletion()
      throws Exception {
    Path faults =
        Files.writeString(
            dir.resolve("faults.yaml"),
            "simulated:\n"
                + "  server_error_rate: 0.3\n"
                + "pipeline:\n"
                + "  max_attempts: 2\n"
                + "  backoff_base: 1ms\n"
                + "  backoff_max: 5ms\n");
    Path healthy =
        Files.writeString(
            dir.resolve("healthy.yaml"),
            "simulated:\n"
                + "  server_error_rate: 0\n"
                + "pipeline:\n"
                + "  backoff_base: 1ms\n"
                + "  backoff_max: 5ms\n");
    Cli demo = run(List.of("demo", "--books", "3", "--latency", "0ms"), faults);
    assertThat(demo.exitCode()).as(demo.err()).isEqualTo(ExitCodes.RUN_FAILED);

    // observability.md, Diagnosis: the list, the slowest first, and the failed runs.
    JsonNode runs = Json.parse(run(List.of("runs", "--json"), null).out());
    JsonNode failed = null;
    for (JsonNode r : runs) if (r.get("state").asString().equals("failed")) failed = r;
    assertThat(failed).as("the demo left a failed run").isNotNull();
    String runId = failed.get("id").asString();
    String projectId = failed.get("project_id").asString();
    for (String runbook :
        List.of("observability.md", "stalled-workflow.md", "provider-errors.md")) {
      for (List<String> cmd : section(runbook, "## Diagnosis", runId, projectId)) {
        Cli c = run(cmd, null);
        assertThat(c.exitCode())
            .as(runbook + ": bin/book-creator " + String.join(" ", cmd) + "\n" + c.err() + c.out())
            .isZero();
      }
    }
    String slowest = run(List.of("runs", "--sort", "time"), null).out();
    Cli diagnose = run(List.of("diagnose", runId), null);
    Cli warnings = run(List.of("logs", "--run", runId, "--level", "WARN"), null);

    assertThat(slowest.lines().skip(2).findFirst().orElseThrow()).startsWith("run_");
    assertThat(diagnose.out())
        .contains("failed")
        .contains("Probable cause: the run failed on provider errors")
        .contains("docs/runbooks/provider-errors.md")
        .contains("server_error");
    assertThat(warnings.out()).contains("llm call failed");

    // stalled-workflow.md, Mitigation: look, then restart; the provider behaves again.
    Cli dry =
        run(List.of("runs", "restart", runId, "--dry-run", "--reason", "provider fixed"), healthy);
    assertThat(dry.exitCode()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("nothing changed").contains("queue");
    assertThat(
            Json.parse(run(List.of("runs", "--json", "--project", projectId), null).out())
                .get(0)
                .get("state")
                .asString())
        .isEqualTo("failed");
    Cli restart = run(List.of("runs", "restart", runId, "--reason", "provider fixed"), healthy);

    assertThat(restart.exitCode()).as(restart.err() + restart.out()).isZero();
    JsonNode after =
        Json.parse(run(List.of("runs", "--json", "--project", projectId), null).out()).get(0);
    assertThat(after.get("state").asString()).isEqualTo("completed");
    assertThat(after.get("history").findValuesAsString("reason"))
        .contains("restarted by the operator: provider fixed");
    assertThat(run(List.of("diagnose", runId), null).out())
        .contains("no problem found: the run completed");
  }
}
