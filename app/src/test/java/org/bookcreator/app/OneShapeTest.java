package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One thing has one shape everywhere: the command line's --json and the API answer the same JSON
 * for the same project, run, stall list, diagnosis, cost report (issue 10) and task conversation. A
 * completed book is written by an all-in-one serve; then an API-only serve starts a second book
 * that nobody carries out, so it stalls; every view is then read both ways from the same store and
 * compared.
 */
class OneShapeTest {
  private static final Map<String, String> STALL_AFTER_1S =
      Map.of("BOOK_CREATOR_STALLS_THRESHOLD", "1s");

  @TempDir Path dir;
  private ServeCommand.Serving serving;
  private final TestHttp http = new TestHttp();

  @AfterEach
  void stop() {
    if (serving != null) serving.close();
  }

  private Settings settings() {
    Map<Setting<?>, String> flags = TestHttp.serveFlags(data());
    flags.put(Setting.STALL_THRESHOLD, "1s");
    return Settings.load(null, Map.of(), flags);
  }

  private Path data() {
    return dir.resolve("data");
  }

  @Test
  void theCliJson_andTheApi_answerTheSameJson_forEveryView() throws Exception {
    String base = serve(ServeCommand.Role.ALL);
    String done = project(base, "Written Book", "{\"budget_usd\":5,");
    String doneRun =
        json(post(base + "/api/projects/" + done + "/runs", "{}")).get("id").asString();
    awaitState(base, doneRun, "completed");
    serving.close();
    serving = null;
    base = serve(ServeCommand.Role.API);
    String stuck = project(base, "Stuck Book", "{");
    String stuckRun =
        json(post(base + "/api/projects/" + stuck + "/runs", "{}")).get("id").asString();
    Thread.sleep(1500);

    JsonNode cliProjects = cli("projects", "--json");
    JsonNode cliRuns = cli("runs", "--json");
    JsonNode cliStalls = cliWithStalls("runs", "--stalled", "--json");
    JsonNode cliDiagnosis = cli("diagnose", doneRun, "--json");
    JsonNode cliCost =
        cli("cost", "report", "--project", done, "--by", "stage,model", "--format", "json");
    JsonNode cliActive = cli("runs", "--active", "--json");

    assertThat(find(cliProjects, done)).isEqualTo(json(get(base + "/api/projects/" + done)));
    assertThat(find(cliProjects, stuck)).isEqualTo(json(get(base + "/api/projects/" + stuck)));
    assertThat(find(cliRuns, doneRun)).isEqualTo(json(get(base + "/api/runs/" + doneRun)));
    assertThat(find(cliRuns, stuckRun)).isEqualTo(json(get(base + "/api/runs/" + stuckRun)));
    JsonNode apiStalls = json(get(base + "/api/stalls")).get("items");
    assertThat(withoutSeconds(cliStalls)).isEqualTo(withoutSeconds(apiStalls));
    assertThat(cliStalls.get(0).get("run_id").asString()).isEqualTo(stuckRun);
    assertThat(cliDiagnosis).isEqualTo(json(get(base + "/api/runs/" + doneRun + "/diagnosis")));
    assertThat(cliCost)
        .isEqualTo(json(get(base + "/api/costs?project=" + done + "&by=stage,model")));
    assertThat(cliCost.get("lines")).isNotEmpty();
    assertThat(cliCost.path("budget").path("budget_usd").asString()).isEqualTo("5");
    JsonNode apiActive = json(get(base + "/api/runs/active")).get("items");
    assertThat(withoutFinish(cliActive)).isEqualTo(withoutFinish(apiActive));
    assertThat(cliActive.get(0).get("run_id").asString()).isEqualTo(stuckRun);
    assertThat(cliActive.get(0).get("forecast_basis").asString()).isEqualTo("category");
    JsonNode cliTalk = cli("runs", "conversation", doneRun, "critique/score-1", "--json");
    String task = cliTalk.get("task").get("id").asString();
    assertThat(cliTalk)
        .isEqualTo(json(get(base + "/api/runs/" + doneRun + "/tasks/" + task + "/conversation")));
    assertThat(cliTalk.get("loop").get("rounds")).isNotEmpty();
  }

  private String serve(ServeCommand.Role role) {
    Settings s = settings();
    serving =
        ServeCommand.Serving.start(s, Observability.start(s, Observability.Mode.SERVER), role);
    return "http://127.0.0.1:" + serving.api.port();
  }

  private String project(String base, String title, String head) throws Exception {
    return json(post(
            base + "/api/projects",
            head
                + "\"title\":\""
                + title
                + "\",\"category\":\"technical\",\"brief\":\"Two views.\",\"chapters\":1}"))
        .get("id")
        .asString();
  }

  private JsonNode cli(String... args) {
    return cliOut(Map.of(), args);
  }

  private JsonNode cliWithStalls(String... args) {
    return cliOut(STALL_AFTER_1S, args);
  }

  private JsonNode cliOut(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--data-dir";
    all[args.length + 1] = data().toString();
    Cli c = Cli.runWithEnv(env, all);
    assertThat(c.exitCode()).as(c.err()).isZero();
    return Json.parse(c.out());
  }

  private static JsonNode find(JsonNode array, String id) {
    for (JsonNode n : array) if (n.get("id").asString().equals(id)) return n;
    throw new AssertionError("no " + id + " in " + array);
  }

  /**
   * The time stalled ticks on between the two reads (in {@code stalled_seconds} and in the reason's
   * "for 2s"); everything else must match exactly.
   */
  private static JsonNode withoutSeconds(JsonNode stalls) {
    JsonNode copy = stalls.deepCopy();
    for (JsonNode s : copy) {
      ObjectNode o = (ObjectNode) s;
      o.remove("stalled_seconds");
      o.put("reason", o.get("reason").asString().replaceAll(" for [0-9a-z ]+ \\(", " for N ("));
    }
    return copy;
  }

  /** When a forecast finishes is now plus the time left: it moves on between the two reads. */
  private static JsonNode withoutFinish(JsonNode active) {
    JsonNode copy = active.deepCopy();
    for (JsonNode a : copy) ((ObjectNode) a).remove("finishes_at");
    return copy;
  }

  private static JsonNode json(String body) {
    return Json.parse(body);
  }

  private String post(String url, String body) throws Exception {
    return http.post(url, body);
  }

  private String get(String url) throws Exception {
    return http.getOk(url);
  }

  private void awaitState(String base, String run, String state) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!json(get(base + "/api/runs/" + run)).get("state").asString().equals(state)) {
      if (System.nanoTime() > deadline) throw new AssertionError("run not " + state);
      Thread.sleep(50);
    }
  }
}
