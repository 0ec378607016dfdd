package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code runs conversation}: one task's calls and critique rounds, by key or id, text and JSON. */
class ConversationCommandTest {
  @TempDir Path dir;

  @Test
  void conversation_ofTheOutlinesCritique_printsCallsPromptAnswerAndRounds_asTextAndJson() {
    String data = dir.resolve("data").toString();
    Cli demo = Cli.run("demo", "--books", "1", "--latency", "0ms", "--data-dir", data);
    assertThat(demo.exitCode()).as(demo.err() + demo.out()).isZero();
    String run =
        Json.parse(Cli.run("runs", "--json", "--data-dir", data).out()).get(0).get("id").asString();

    Cli text = Cli.run("runs", "conversation", run, "critique/score-1", "--data-dir", data);
    Cli json =
        Cli.run("runs", "conversation", run, "critique/score-1", "--json", "--data-dir", data);

    assertThat(text.exitCode()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("task critique/score-1", "critique loop outline:", "round 1: score")
        .contains("--- prompt", "[system]", "--- answer", "\"score\"")
        .containsPattern("(?m)^    \\| [+-] ");
    JsonNode c = Json.parse(json.out());
    assertThat(c.get("task").get("key").asString()).isEqualTo("critique/score-1");
    assertThat(c.get("calls").get(0).get("prompt").asString()).startsWith("[system]");
    assertThat(c.get("loop").get("rounds").size()).isGreaterThanOrEqualTo(2);
    String byId =
        Cli.run(
                "runs",
                "conversation",
                run,
                c.get("task").get("id").asString(),
                "--json",
                "--data-dir",
                data)
            .out();
    assertThat(Json.parse(byId)).isEqualTo(c);
  }

  @Test
  void conversation_ofAnUnknownRunOrTask_exits2_namingIt() {
    String data = dir.resolve("data").toString();
    Cli.run("demo", "--books", "1", "--latency", "0ms", "--data-dir", data);
    String run =
        Json.parse(Cli.run("runs", "--json", "--data-dir", data).out()).get(0).get("id").asString();

    Cli noRun = Cli.run("runs", "conversation", "run_nope", "x", "--data-dir", data);
    Cli noTask = Cli.run("runs", "conversation", run, "chapter-99/draft-1", "--data-dir", data);

    assertThat(noRun.exitCode()).isEqualTo(2);
    assertThat(noRun.err()).contains("no run run_nope");
    assertThat(noTask.exitCode()).isEqualTo(2);
    assertThat(noTask.err()).contains("has no task chapter-99/draft-1");
  }
}
