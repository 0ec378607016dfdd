package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.cost.CallTranscript;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.support.Json;
import org.bookcreator.telemetry.Redactor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The conversation endpoints over a run of the simulated provider: the tasks, each task's calls
 * with prompt and answer, the critique loop's rounds with scores, issues and diffs, the events, and
 * the runbooks the diagnosis links to.
 */
class ConversationApiTest {
  /** A key as a provider's configuration would hold it. */
  private static final String KEY = "sk-test-CONVO0123456789abcdefghij";

  @TempDir java.nio.file.Path dir;
  private TestServer t;

  @AfterEach
  void stop() {
    if (t != null) t.close();
  }

  @Test
  void tasksAndConversation_ofACompletedRun_showCallsWithPromptAndAnswer_andCritiqueRounds()
      throws Exception {
    t = new TestServer(dir, Optional.empty(), 64 * 1024);
    String run = t.awaitState(t.startRun(t.aProject("Harbour Lights")), "completed");

    JsonNode tasks = get("/api/runs/" + run + "/tasks");

    assertThat(tasks.get("run_id").asString()).isEqualTo(run);
    List<String> keys = new ArrayList<>();
    for (JsonNode task : tasks.get("items")) keys.add(task.get("key").asString());
    assertThat(keys).contains("intake/plan", "critique/score-1", "critique/revise-1");
    JsonNode plan = find(tasks, "intake/plan");
    assertThat(plan.get("stage").asString()).isEqualTo("intake");
    assertThat(plan.get("role").asString()).isEqualTo("planner");
    assertThat(plan.get("state").asString()).isEqualTo("completed");
    assertThat(plan.get("calls").asLong()).isEqualTo(1);
    assertThat(new BigDecimal(plan.get("cost_usd").asString())).isPositive();

    JsonNode talk =
        get("/api/runs/" + run + "/tasks/" + plan.get("id").asString() + "/conversation");
    JsonNode call = talk.get("calls").get(0);
    assertThat(call.get("prompt").asString()).startsWith("[system]\n").contains("[user]\n");
    assertThat(call.get("prompt").asString()).contains("Harbour Lights");
    assertThat(call.get("answer").asString()).contains("premise");
    assertThat(call.get("outcome").asString()).isEqualTo("ok");
    assertThat(call.get("input_tokens").asLong()).isPositive();
    assertThat(call.get("prompt_truncated").asBoolean()).isFalse();
    assertThat(talk.has("loop")).as("the plan is in no critique loop").isFalse();

    String critique = find(tasks, "critique/score-1").get("id").asString();
    JsonNode loop = get("/api/runs/" + run + "/tasks/" + critique + "/conversation").get("loop");
    assertThat(loop.get("name").asString()).isEqualTo("outline");
    JsonNode rounds = loop.get("rounds");
    // The simulated critic scores a first outline below the threshold (8): always a revision.
    assertThat(rounds.size()).isGreaterThanOrEqualTo(2);
    JsonNode first = rounds.get(0);
    assertThat(first.get("round").asInt()).isEqualTo(1);
    assertThat(first.get("score").asDouble()).isBetween(0.0, 8.0);
    assertThat(first.get("verdict").asString()).isEqualTo("revise");
    assertThat(first.get("issues").size()).isPositive();
    assertThat(first.get("diff").asString()).containsPattern("(?m)^[+-] ");
    assertThat(first.get("lines_added").asInt() + first.get("lines_removed").asInt()).isPositive();
    JsonNode last = rounds.get(rounds.size() - 1);
    assertThat(last.has("revision_task")).as("the last round is not revised").isFalse();
    assertThat(last.get("score").isNumber()).isTrue();

    JsonNode byKey =
        get(
            "/api/runs/"
                + run
                + "/tasks/"
                + find(tasks, "chapter-1/critique-1").get("id").asString()
                + "/conversation");
    assertThat(byKey.get("loop").get("name").asString()).isEqualTo("chapter-1");
  }

  @Test
  void events_listRetriesViolationsAndDocumentErrors_withTheirTaskKey() throws Exception {
    t = new TestServer(dir, Optional.empty(), 64 * 1024);
    String run = t.awaitState(t.startRun(t.aProject()), "completed");
    Task plan = t.store.taskOutcomes(run).get(0);
    t.store.recordEvent(
        new RunEvent(run, Optional.of(plan.id()), RunEvent.RETRY, "<b>timeout</b>", Instant.now()));
    t.store.recordEvent(
        new RunEvent(run, Optional.empty(), RunEvent.DOCUMENT_ERROR, "bad.pdf", Instant.now()));

    JsonNode events = get("/api/runs/" + run + "/events").get("items");

    List<JsonNode> ours = new ArrayList<>();
    for (JsonNode e : events) {
      if (e.get("kind").asString().equals("retry")
          || e.get("kind").asString().equals("document_error")) ours.add(e);
    }
    assertThat(ours).hasSize(2);
    assertThat(ours.get(0).get("detail").asString()).isEqualTo("<b>timeout</b>");
    assertThat(ours.get(0).get("task_key").asString()).isEqualTo(plan.key());
    assertThat(ours.get(1).get("detail").asString()).isEqualTo("bad.pdf");
    assertThat(ours.get(1).has("task_id")).isFalse();
  }

  @Test
  void unknownRunsAndTasks_are404() throws Exception {
    t = new TestServer(dir, Optional.empty(), 64 * 1024);
    String run = t.awaitState(t.startRun(t.aProject()), "completed");

    assertThat(t.send("GET", "/api/runs/nope/tasks", null, null).statusCode()).isEqualTo(404);
    assertThat(t.send("GET", "/api/runs/nope/events", null, null).statusCode()).isEqualTo(404);
    assertThat(
            t.send("GET", "/api/runs/" + run + "/tasks/nope/conversation", null, null).statusCode())
        .isEqualTo(404);
    assertThat(
            t.send("GET", "/api/runs/" + run + "/tasks/%3Cscript%3E/conversation", null, null)
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void aConfiguredKeyInAPrompt_neverReachesTheStoreOrTheApi() throws Exception {
    t =
        new TestServer(
            dir,
            Optional.empty(),
            64 * 1024,
            EventStreams.Timing.DEFAULT,
            new Redactor(List.of(KEY)));
    // Straight into the store: the API masks a brief on arrival, so this is a key that got past
    // it (configured after the project was made, say) and reaches the prompts as it is.
    t.store.createProject(
        new Project(
            "prj_key",
            "Keyed",
            "fiction",
            Optional.empty(),
            "About lighthouses. Use the key " + KEY + " for the archive.",
            2,
            Optional.empty(),
            List.of(),
            Instant.now()));
    String run = t.awaitState(t.startRun("prj_key"), "completed");

    List<String> prompts = new ArrayList<>();
    for (Task task : t.store.taskOutcomes(run)) {
      for (CallTranscript c : t.store.transcript(task.id())) {
        prompts.add(c.prompt().orElseThrow().text());
        assertThat(c.call().response().orElse("")).doesNotContain(KEY);
      }
      String body =
          t.send("GET", "/api/runs/" + run + "/tasks/" + task.id() + "/conversation", null, null)
              .body();
      assertThat(body).doesNotContain(KEY);
    }
    assertThat(prompts).isNotEmpty().noneMatch(p -> p.contains(KEY));
    assertThat(prompts).anyMatch(p -> p.contains("Use the key " + Redactor.MASK));
  }

  @Test
  void runbooks_areServedAsPlainText_andNothingElseIs() throws Exception {
    t = new TestServer(dir, Optional.empty(), 64 * 1024);

    HttpResponse<String> r = t.send("GET", "/runbooks/observability.md", null, null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(r.body()).startsWith("#");
    assertThat(t.send("GET", "/runbooks/no-such.md", null, null).statusCode()).isEqualTo(404);
    assertThat(t.send("GET", "/runbooks/..%2Fpom.xml", null, null).statusCode()).isEqualTo(404);
    assertThat(t.send("GET", "/runbooks/README", null, null).statusCode()).isEqualTo(404);
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = t.send("GET", path, null, null);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return Json.parse(r.body());
  }

  private static JsonNode find(JsonNode tasks, String key) {
    for (JsonNode task : tasks.get("items")) {
      if (task.get("key").asString().equals(key)) return task;
    }
    throw new AssertionError("no task " + key + " in " + tasks);
  }
}
