package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;
import org.bookcreator.core.run.RunEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Regression (issue 10): a budget raised over the API on a live serve was never enforced, because
 * the pipeline kept each project for the life of the process. A run paused at $0.02, raised to
 * $0.04 and restarted ran to completion at $0.10. Now it pauses again at the new budget.
 */
class LiveBudgetTest {
  @TempDir Path dir;
  private ServeCommand.Serving serving;
  private final TestHttp http = new TestHttp();

  @AfterEach
  void stop() {
    if (serving != null) serving.close();
  }

  @Test
  void aBudgetRaisedOverTheApiOnALiveServe_pausesTheRunAtTheNewBudget() throws Exception {
    Settings s = Settings.load(null, Map.of(), TestHttp.serveFlags(dir.resolve("data")));
    serving =
        ServeCommand.Serving.start(
            s, Observability.start(s, Observability.Mode.SERVER), ServeCommand.Role.ALL);
    String base = "http://127.0.0.1:" + serving.api.port();
    TestHttp.Started started =
        http.start(
            base,
            "{\"title\":\"A Small Budget\",\"category\":\"children\",\"brief\":\"A short"
                + " book on a tight budget.\",\"chapters\":6,\"budget_usd\":0.02}");
    String project = started.project();
    String run = started.run();
    assertThat(http.awaitSettled(base, run).get("state").asString()).isEqualTo("paused");

    http.post(
        base + "/api/runs/" + run + "/restart",
        "{\"reason\":\"a little more\",\"budget_usd\":\"0.04\"}",
        202);
    JsonNode after = http.awaitSettled(base, run);

    assertThat(after.get("state").asString())
        .as("the run pauses at the raised budget instead of running to its end")
        .isEqualTo("paused");
    assertThat(serving.store.run(run).orElseThrow().reason().orElseThrow())
        .contains("budget $0.04 reached");
    // Calls already in flight when the run pauses finish and are paid: up to 8 workers' worth over
    // the budget, far below the whole book (about $0.14 for 6 chapters).
    BigDecimal spent = serving.store.projectSpend(project);
    assertThat(spent)
        .isGreaterThanOrEqualTo(new BigDecimal("0.04"))
        .isLessThan(new BigDecimal("0.09"));
    assertThat(serving.store.events(run))
        .filteredOn(e -> e.kind().equals(RunEvent.BUDGET_100))
        .extracting(RunEvent::detail)
        .anySatisfy(d -> assertThat(d).contains("[budget $0.02]"))
        .anySatisfy(d -> assertThat(d).contains("[budget $0.04]"));
  }
}
