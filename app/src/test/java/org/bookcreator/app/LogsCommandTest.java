package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** bin/book-creator logs over the indexed copy a real run leaves behind. */
class LogsCommandTest {
  @TempDir Path dir;

  private String data() {
    return dir.resolve("data").toString();
  }

  private static List<JsonNode> jsonLines(String out) {
    return out.lines().filter(l -> !l.isBlank()).map(Json::parse).toList();
  }

  @Test
  void afterARun_theCopyHoldsEveryFileLine_andFiltersCombine() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("faults.yaml"),
            "simulated:\n"
                + "  rate_limit_rate: 0.2\n"
                + "  schema_violation_rate: 0.1\n"
                + "  retry_after: 1ms\n"
                + "pipeline:\n"
                + "  backoff_base: 1ms\n"
                + "  backoff_max: 5ms\n");
    Cli run =
        Cli.run(
            "run",
            CliTest.example("lighthouse.yaml").toString(),
            "--data-dir",
            data(),
            "--config",
            config.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    String runId =
        Cli.run("runs", "--json", "--data-dir", data())
            .out()
            .replaceAll("(?s).*\"id\":\"(run_[a-z0-9]+)\".*", "$1");
    long fileLines;
    try (var lines = Files.lines(dir.resolve("data/logs/book-creator.log"))) {
      fileLines = lines.count();
    }

    List<JsonNode> all =
        jsonLines(Cli.run("logs", "--json", "--limit", "1000", "--data-dir", data()).out());
    List<JsonNode> warnings =
        jsonLines(
            Cli.run(
                    "logs",
                    "--json",
                    "--run",
                    runId,
                    "--level",
                    "WARN",
                    "--limit",
                    "1000",
                    "--data-dir",
                    data())
                .out());
    List<JsonNode> writerCalls =
        jsonLines(
            Cli.run(
                    "logs",
                    "--json",
                    "--run",
                    runId,
                    "--role",
                    "writer",
                    "--grep",
                    "LLM CALL",
                    "--limit",
                    "1000",
                    "--data-dir",
                    data())
                .out());
    List<JsonNode> page1 =
        jsonLines(Cli.run("logs", "--json", "--limit", "3", "--data-dir", data()).out());
    String text = Cli.run("logs", "--limit", "3", "--data-dir", data()).out();

    assertThat((long) all.size()).isEqualTo(fileLines);
    assertThat(warnings)
        .isNotEmpty()
        .allSatisfy(
            l -> {
              assertThat(l.get("run_id").asString()).isEqualTo(runId);
              assertThat(l.get("level").asString()).isIn("WARN", "ERROR");
            });
    assertThat(warnings.size()).isLessThan(all.size());
    assertThat(writerCalls)
        .isNotEmpty()
        .allSatisfy(
            l -> {
              assertThat(l.get("agent_role").asString()).isEqualTo("writer");
              assertThat(l.get("message").asString()).startsWith("llm call");
              assertThat(l.has("cost_usd")).isTrue();
            });
    assertThat(page1).hasSize(3);
    String before =
        text.lines()
            .filter(l -> l.startsWith("-- more: add --before "))
            .findFirst()
            .orElseThrow()
            .substring("-- more: add --before ".length());
    List<JsonNode> page2 =
        jsonLines(
            Cli.run("logs", "--json", "--limit", "3", "--before", before, "--data-dir", data())
                .out());
    assertThat(page2).hasSize(3);
    assertThat(page2.get(0).get("ts").asString())
        .isLessThanOrEqualTo(page1.get(2).get("ts").asString());
  }

  @Test
  void badFlags_areUsageErrors_namingTheFlag() {
    Cli level = Cli.run("logs", "--level", "LOUD", "--data-dir", data());
    Cli since = Cli.run("logs", "--since", "yesterday-ish", "--data-dir", data());
    Cli limit = Cli.run("logs", "--limit", "0", "--data-dir", data());

    assertThat(level.exitCode()).isEqualTo(2);
    assertThat(level.err()).contains("--level").contains("TRACE, DEBUG, INFO, WARN, ERROR");
    assertThat(since.exitCode()).isEqualTo(2);
    assertThat(since.err()).contains("--since").contains("30m");
    assertThat(limit.exitCode()).isEqualTo(2);
  }

  @Test
  void follow_printsRecordsAsTheyArrive_untilInterrupted() throws Exception {
    Path data = dir.resolve("data");
    try (org.bookcreator.store.sqlite.SqliteStore store =
        org.bookcreator.store.sqlite.SqliteStore.open(data, false)) {
      store.recordLogs(List.of(line(1, "first line")));
    }
    java.io.StringWriter out = new java.io.StringWriter();
    Thread follower =
        new Thread(
            () ->
                Main.execute(
                    new java.io.PrintWriter(out, true),
                    new java.io.PrintWriter(new java.io.StringWriter(), true),
                    "logs",
                    "--follow",
                    "--json",
                    "--data-dir",
                    data.toString()));
    follower.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!out.toString().contains("first line") && System.nanoTime() < deadline) Thread.sleep(50);

    try (org.bookcreator.store.sqlite.SqliteStore store =
        org.bookcreator.store.sqlite.SqliteStore.open(data, false)) {
      store.recordLogs(List.of(line(2, "second line"), line(3, "third line")));
    }
    while (!out.toString().contains("third line") && System.nanoTime() < deadline) Thread.sleep(50);
    follower.interrupt();
    follower.join(5000);

    assertThat(follower.isAlive()).isFalse();
    assertThat(jsonLines(out.toString()))
        .extracting(n -> n.get("message").asString())
        .containsExactly("first line", "second line", "third line");
  }

  private static org.bookcreator.telemetry.LogLine line(long ts, String message) {
    return new org.bookcreator.telemetry.LogLine(
        ts,
        "INFO",
        null,
        "run_f",
        null,
        null,
        null,
        null,
        null,
        "{\"ts\":" + ts + ",\"level\":\"INFO\",\"message\":\"" + message + "\"}");
  }
}
