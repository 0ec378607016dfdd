package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.support.Json;
import org.bookcreator.core.view.CostReports;
import org.bookcreator.core.view.ViewJson;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import tools.jackson.databind.JsonNode;

/**
 * The analytics pages (Costs, Library, Agents, Providers) in headless Chromium over a store with a
 * book written by the simulated provider, a project with a hostile category and a budget, and calls
 * of a hostile, unpriced model: the figures read from the page equal the API's (and so {@code cost
 * report --json}'s, which reads the same service) for the same range, the charts draw, hostile
 * strings stay text, nothing is logged as an error. Screenshots land in target/screenshots/.
 */
class DashboardAnalyticsBrowserTest extends ChromiumTest {
  private static final String HOSTILE_CATEGORY = "<b id=cat>poetry</b>";
  private static final String HOSTILE_MODEL = "<img src=x id=model onerror=alert(1)>";

  @Test
  void costsPage_showsTheApisFiguresForTheRange_toTheCent_withHostileNamesAsText()
      throws Exception {
    arrangeLibrary();

    browser.get(t.base + "/costs?range=7d");
    await(d -> !d.findElements(By.id("costs-by-model")).isEmpty());
    await(d -> chartDrew("#cost-chart"));
    String since = attribute("#range-text", "data-since");
    for (String by : List.of("stage", "agent", "provider", "model", "category")) {
      JsonNode api = json("/api/costs?by=" + by + "&since=" + since);
      assertThat(tableRows("#costs-by-" + by)).as(by).isEqualTo(expectedRows(by, api));
    }
    JsonNode total = json("/api/costs?since=" + since).get("total");
    assertThat(textOf("#fig-cost .figure-value")).isEqualTo(cents(total.get("cost_usd")));
    assertThat(attribute("#fig-cost .money", "title"))
        .isEqualTo(total.get("cost_usd").asString() + " USD");
    assertThat(textOf("#fig-unpriced .figure-value")).startsWith("2");
    assertThat(textOf("#unpriced-note")).contains("2 call(s)");
    assertThat(textOf("#budgets")).contains("$0.50").contains("Verse");
    JsonNode budget = json("/api/budgets").get("items").get(0);
    List<String> budgetRow = tableRows("#budgets").getFirst();
    assertThat(budgetRow.get(5)).isEqualTo(cents(budget.get("projected_usd")));
    assertThat(budgetRow.get(6))
        .isEqualTo(
            String.format(
                java.util.Locale.US, "%.1f%%", budget.get("projected_share").asDouble() * 100));
    assertThat(browser.findElements(By.id("model"))).isEmpty();
    assertThat(browser.findElements(By.id("cat"))).isEmpty();
    assertThat(textOf("#costs-by-model")).contains(HOSTILE_MODEL);
    screenshot("costs");
    assertNoConsoleErrors();

    // cost report --json reads the same service over the same query: equal to the API's document.
    CostQuery query =
        new CostQuery(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(Instant.parse(since)),
            Optional.empty(),
            List.of(CostDimension.MODEL));
    assertThat(json("/api/costs?by=model&since=" + since).toString())
        .isEqualTo(ViewJson.tree(new CostReports(t.store).report(query)).toString());
    // The CSV the page links to has the same exact figures.
    String csv = t.send("GET", "/api/costs.csv?by=model&since=" + since, null, null).body();
    JsonNode byModel = json("/api/costs?by=model&since=" + since);
    for (JsonNode line : byModel.get("lines"))
      assertThat(csv).contains("," + line.get("cost_usd").asString() + ",");
    assertThat(csv).contains(HOSTILE_MODEL + ",3,0,2,");
    assertThat(csv.lines().toList().getLast())
        .startsWith("TOTAL," + byModel.get("total").get("calls").asLong() + ",");
  }

  @Test
  void libraryPage_showsTheCostReportsCategoryFigures_andRunsPerStageOverTime() throws Exception {
    arrangeLibrary();

    browser.get(t.base + "/library?range=24h");
    await(d -> !d.findElements(By.id("library-categories")).isEmpty());
    await(d -> chartDrew("#library-chart"));

    JsonNode report = json("/api/costs");
    JsonNode library = json("/api/library?since=" + attribute("#range-text", "data-since"));
    List<List<String>> expected = new ArrayList<>();
    for (JsonNode c : report.get("categories")) {
      boolean done = c.get("completed_runs").asLong() > 0;
      expected.add(
          List.of(
              c.get("category").asString(),
              count(c.get("projects")),
              count(c.get("active_runs")),
              count(c.get("completed_runs")),
              count(c.get("failed_runs")),
              done ? seconds(c.get("average_completion_seconds").asDouble()) : "n/a",
              done ? cents(c.get("average_cost_usd")) : "n/a",
              c.get("completed_words").asLong() > 0
                  ? cents(c.get("cost_per_1000_words_usd"))
                  : "n/a",
              iterations(c.get("category").asString(), library.get("iterations")),
              done ? c.get("average_cost_usd").asString() + " USD" : ""));
    }
    assertThat(tableRows("#library-categories")).isEqualTo(expected);
    assertThat(expected).hasSize(2);
    List<List<String>> stages = tableRows("#library-stages");
    for (JsonNode s : report.get("books_per_stage")) {
      List<String> row =
          stages.stream()
              .filter(r -> r.getFirst().equals(s.get("category").asString()))
              .findFirst()
              .orElseThrow();
      assertThat(row.get(1 + STAGES.indexOf(s.get("stage").asString())))
          .as(s.toString())
          .isEqualTo(count(s.get("books")));
    }
    assertThat(stages.stream().filter(r -> r.getFirst().equals(HOSTILE_CATEGORY)).findFirst())
        .get()
        .satisfies(r -> assertThat(r.get(1 + STAGES.indexOf("outline"))).isEqualTo("1"));
    // The chart's last point: the runs queued or running now, per stage.
    JsonNode series = library.get("history").get("series");
    assertThat(series).hasSize(1);
    assertThat(series.get(0).get("stage").asString()).isEqualTo("outline");
    assertThat(series.get(0).get("runs").get(series.get(0).get("runs").size() - 1).asLong())
        .isEqualTo(1);
    assertThat(browser.findElements(By.id("cat"))).isEmpty();
    screenshot("library");
    assertNoConsoleErrors();
  }

  @Test
  void agentsAndProvidersPages_showTheApisFigures_andDrawTheirCharts() throws Exception {
    arrangeLibrary();

    browser.get(t.base + "/agents?range=24h");
    await(d -> !d.findElements(By.id("agents-table")).isEmpty());
    await(d -> chartDrew("#agents-chart"));
    String since = attribute("#range-text", "data-since");
    JsonNode agents = json("/api/agents?since=" + since).get("items");
    List<List<String>> rows = tableRows("#agents-table");
    assertThat(rows).hasSize(agents.size());
    for (int i = 0; i < agents.size(); i++) {
      JsonNode a = agents.get(i);
      assertThat(rows.get(i).subList(0, 3))
          .isEqualTo(
              List.of(
                  a.get("role").asString().replace('_', ' '),
                  count(a.get("calls")),
                  count(a.get("failed_calls"))));
    }
    assertThat(rows.stream().filter(r -> r.getFirst().equals("planner")).findFirst())
        .get()
        .satisfies(r -> assertThat(r.get(3)).isEqualTo("100.0%"));
    screenshot("agents");
    assertNoConsoleErrors();

    browser.get(t.base + "/providers?range=24h");
    await(d -> !d.findElements(By.id("providers-table")).isEmpty());
    await(d -> chartDrew("#providers-chart"));
    JsonNode providers = json("/api/providers?since=" + since).get("items");
    JsonNode costs = json("/api/costs?by=provider,model&since=" + since);
    rows = tableRows("#providers-table");
    assertThat(rows).hasSize(providers.size());
    for (int i = 0; i < providers.size(); i++) {
      JsonNode p = providers.get(i);
      JsonNode c = null;
      for (JsonNode l : costs.get("lines"))
        if (l.get("group").get("model").asString().equals(p.get("model").asString())) c = l;
      assertThat(rows.get(i).subList(0, 4))
          .isEqualTo(
              List.of(
                  p.get("provider").asString(),
                  p.get("model").asString(),
                  count(p.get("calls")),
                  count(p.get("failed_calls"))));
      assertThat(rows.get(i).get(12)).isEqualTo(cents(c.get("cost_usd")));
      assertThat(rows.get(i).get(13))
          .isEqualTo(
              p.has("cache_hit_ratio")
                  ? String.format(
                      java.util.Locale.US, "%.1f%%", p.get("cache_hit_ratio").asDouble() * 100)
                  : "n/a");
      assertThat(p.get("cache_read_tokens").asLong())
          .isEqualTo(c.get("cache_read_tokens").asLong());
      assertThat(p.get("input_tokens").asLong()).isEqualTo(c.get("input_tokens").asLong());
    }
    assertThat(textOf("#providers-table")).contains(HOSTILE_MODEL);
    assertThat(browser.findElements(By.id("model"))).isEmpty();
    screenshot("providers");
    assertNoConsoleErrors();
  }

  private static final List<String> STAGES =
      List.of(
          "intake",
          "document_parsing",
          "outline",
          "structure_critique",
          "research",
          "chapter_writing",
          "editing",
          "fact_check",
          "assembly");

  private static String seconds(double s) {
    if (s < 60) return Math.round(s) + " s";
    if (s < 3600) return Math.round(s / 60) + " min";
    return String.format(Locale.ROOT, "%.1f h", s / 3600);
  }

  private static String iterations(String category, JsonNode all) {
    List<String> parts = new ArrayList<>();
    for (JsonNode i : all)
      if (i.get("category").asString().equals(category))
        parts.add(
            i.get("stage").asString().replace('_', ' ')
                + String.format(Locale.ROOT, " %.1f", i.get("average_iterations").asDouble()));
    return parts.isEmpty() ? "n/a" : String.join("; ", parts);
  }

  /** A book written end to end, a budgeted project of a hostile category, two unpriced calls. */
  private void arrangeLibrary() throws Exception {
    String project = t.aProject("Lighthouses");
    t.awaitState(t.startRun(project), "completed");
    t.pipeline.close(); // the runs below stay where the test puts them
    Instant now = Instant.now();
    t.store.createProject(
        new Project(
            "p_hostile",
            "Verse",
            HOSTILE_CATEGORY,
            Optional.empty(),
            "poems",
            1,
            Optional.of(new BigDecimal("0.50")),
            List.of(),
            now));
    t.store.createRun("r_hostile", "p_hostile", 1, "test", now);
    t.store.transitionRun("r_hostile", RunState.QUEUED, RunState.RUNNING, "started", now);
    t.store.transitionStage(
        "r_hostile",
        Stage.OUTLINE,
        StageState.PENDING,
        StageState.RUNNING,
        Optional.empty(),
        0,
        "started",
        now);
    t.store.recordCall(call("c1", now, Optional.of(new BigDecimal("0.123456789012"))));
    t.store.recordCall(call("c2", now, Optional.empty()));
    t.store.recordCall(call("c3", now, Optional.empty()));
  }

  private static LedgerEntry call(String id, Instant at, Optional<BigDecimal> cost) {
    return new LedgerEntry(
        id,
        "p_hostile",
        "r_hostile",
        "t_" + id,
        Stage.OUTLINE,
        AgentRole.PLANNER,
        0,
        "sim",
        HOSTILE_MODEL,
        new Usage(1200, 300, 0, 0, 0),
        cost,
        cost.map(c -> "test"),
        420,
        LedgerEntry.OK,
        Optional.empty(),
        Optional.empty(),
        at);
  }

  /** What the page's table should show for the API's lines and total, as rows of cells. */
  private static List<List<String>> expectedRows(String by, JsonNode api) {
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode l : api.get("lines")) {
      String key = l.get("group").get(by).asString();
      rows.add(row(by.equals("stage") || by.equals("agent") ? key.replace('_', ' ') : key, l));
    }
    rows.add(row("total", api.get("total")));
    return rows;
  }

  private static List<String> row(String key, JsonNode l) {
    long unpriced = l.get("unpriced_calls").asLong();
    return List.of(
        key,
        count(l.get("calls")),
        count(l.get("failed_calls")),
        unpriced > 0 ? unpriced + " \u26a0" : "0",
        count(l.get("input_tokens")),
        count(l.get("output_tokens")),
        cents(l.get("cost_usd")),
        l.get("cost_usd").asString() + " USD");
  }

  private static String count(JsonNode n) {
    return String.format(Locale.US, "%,d", n.asLong());
  }

  /** Money as the page shows it: half up to the cent, thousands separated. */
  private static String cents(JsonNode exact) {
    BigDecimal v = new BigDecimal(exact.asString()).setScale(2, RoundingMode.HALF_UP);
    return (v.signum() < 0 ? "-$" : "$") + String.format(Locale.US, "%,.2f", v.abs());
  }

  /** A table's body rows: each cell's text, then the exact amount of the row's money cell. */
  @SuppressWarnings("unchecked")
  private List<List<String>> tableRows(String css) {
    Object rows =
        browser.executeScript(
            "const t = document.querySelector(arguments[0]); if (!t) return [];"
                + " return [...t.querySelectorAll('tbody tr')].map(r => {"
                + "  const cells = [...r.cells].map(c => c.textContent.trim());"
                + "  const m = r.querySelector('.money');"
                + "  cells.push(m ? m.getAttribute('title') : ''); return cells; });",
            css);
    return (List<List<String>>) rows;
  }

  private JsonNode json(String path) throws Exception {
    var r = t.send("GET", path, null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.parse(r.body());
  }
}
