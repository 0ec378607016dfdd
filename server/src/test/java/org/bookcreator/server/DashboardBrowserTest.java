package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.support.Json;
import org.bookcreator.telemetry.LogLine;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in headless Chromium over a store with a completed run, a failed one and a project
 * whose title is hostile markup: the pages render the data, the chart draws, nothing is logged as
 * an error, the title stays text, and restart from the run page finishes the failed run while the
 * page follows by itself. Screenshots land in target/screenshots/.
 */
class DashboardBrowserTest extends ChromiumTest {
  private static final String HOSTILE = "<img src=x onerror=alert(1)> Lights";

  /** The API refuses control characters in a title; a failure's reason reaches the store as is. */
  private static final String HOSTILE_REASON = "provider down\u0007<b id=bold>\u001b[31m</b>";

  /** A log message that would be markup if a page put it in as HTML. */
  private static final String HOSTILE_LOG =
      "<b id=evil>provider said</b> <script>alert(1)</script>";

  @Test
  void overviewRunsAndARunPage_showTheData_hostileTitlesAsText_andRestartFinishesAFailedRun()
      throws Exception {
    String hostile = t.aProject(HOSTILE);
    String completed = t.awaitState(t.startRun(hostile), "completed");
    String failed = failedRun(t.aProject("Second Light"));

    browser.get(t.base + "/");
    await(d -> figure("fig-completed").equals("1") && figure("fig-failed").equals("1"));
    await(d -> chartDrew());
    assertThat(figure("fig-rate")).isEqualTo("50.0%");
    assertThat(figure("fig-spend")).startsWith("$");
    assertThat(browser.findElement(By.id("spend-chart")).getAttribute("data-points"))
        .isEqualTo("1");
    screenshot("overview");
    assertNoConsoleErrors();

    browser.get(t.base + "/runs");
    await(d -> !d.findElements(By.cssSelector("a[href='/runs/" + completed + "']")).isEmpty());
    String table = textOf("table");
    assertThat(table).contains("<img src=x onerror=alert(1)>").contains(failed);
    assertThat(browser.findElements(By.tagName("img"))).isEmpty();
    // Live: a run started elsewhere shows up without a reload.
    String another = t.startRun(t.aProject("Third Light"));
    await(d -> !d.findElements(By.cssSelector("a[href='/runs/" + another + "']")).isEmpty());
    screenshot("runs");
    assertNoConsoleErrors();

    browser.get(t.base + "/runs/" + failed);
    await(d -> text("run-state").equals("failed"));
    assertThat(textOf("#run-summary")).contains("provider down\ufffd<b id=bold>\ufffd[31m</b>");
    assertThat(browser.findElements(By.id("bold"))).isEmpty();
    assertThat(text("runbook")).startsWith("docs/runbooks/");
    await(d -> textOf("#run-logs").contains(HOSTILE_LOG));
    assertThat(browser.findElements(By.id("evil"))).isEmpty();
    browser.findElement(By.id("restart-button")).click();
    assertThat(text("restart-result")).isEmpty(); // the browser refuses an empty reason
    browser.findElement(By.id("restart-reason")).sendKeys("provider is back");
    browser.findElement(By.id("restart-button")).click();
    // The first press previews the plan and changes nothing; the second restarts.
    await(d -> !textOf("#restart-changes").isEmpty());
    assertThat(text("run-state")).isEqualTo("failed");
    assertThat(text("restart-button")).isEqualTo("Confirm restart");
    browser.findElement(By.id("restart-button")).click();
    await(d -> text("run-state").equals("completed"));
    await(d -> !textOf("#run-costs table").isEmpty());
    await(d -> !d.findElements(By.cssSelector("#waterfall .bar")).isEmpty());
    assertThat(textOf("#run-details")).contains("restarted by the operator: provider is back");
    screenshot("run");
    assertNoConsoleErrors();
    assertThat(
            Json.parse(t.send("GET", "/api/runs/" + failed, null, null).body())
                .get("state")
                .asString())
        .isEqualTo("completed");
  }

  @Test
  void overview_drawsThroughputAndCostPerBook_andShowsTheApisForecastsAndProviderFigures()
      throws Exception {
    t.awaitState(t.startRun(t.aProject("Done Light")), "completed");
    t.pipeline.close(); // the open run below stays queued, every stage pending
    failedRun(t.aProject("Failed Light"));
    String open = t.aProject("Open Light");
    t.store.createRun("run_open", open, 1, "queued by the test", Instant.now());

    browser.get(t.base + "/?range=24h");
    await(d -> !d.findElements(By.id("active-runs")).isEmpty());
    await(d -> chartDrew("#throughput-chart") && chartDrew("#cost-per-book-chart"));
    String since = attribute("#range-text", "data-since");
    String zone =
        (String) browser.executeScript("return Intl.DateTimeFormat().resolvedOptions().timeZone;");
    JsonNode hourly =
        Json.parse(
            t.send(
                    "GET",
                    "/api/throughput?bucket=hour&zone=" + zone + "&since=" + since,
                    null,
                    null)
                .body());
    JsonNode daily =
        Json.parse(
            t.send("GET", "/api/throughput?bucket=day&zone=" + zone + "&since=" + since, null, null)
                .body());
    JsonNode active = Json.parse(t.send("GET", "/api/runs/active", null, null).body()).get("items");
    JsonNode providers =
        Json.parse(t.send("GET", "/api/providers?since=" + since, null, null).body()).get("items");
    String month = Instant.now().toString().substring(0, 8) + "01";
    JsonNode monthCosts = Json.parse(t.send("GET", "/api/costs?since=" + month, null, null).body());

    assertThat(hourly.get("total").get("completed").asLong()).isEqualTo(1);
    assertThat(hourly.get("total").get("failed").asLong()).isEqualTo(1);
    assertThat(attribute("#throughput-chart", "data-completed")).isEqualTo("1");
    assertThat(attribute("#throughput-chart", "data-failed")).isEqualTo("1");
    assertThat(attribute("#throughput-chart", "data-points"))
        .isEqualTo(String.valueOf(nonZeroBuckets(hourly)));
    assertThat(figure("fig-range-completed")).isEqualTo("1");
    assertThat(figure("fig-range-failed")).isEqualTo("1");
    assertThat(figure("fig-range-rate")).isEqualTo("50.0%");
    String perBook = hourly.get("total").get("cost_per_book_usd").asString();
    assertThat(attribute("#fig-cost-per-book", "title")).isEqualTo(perBook + " USD");
    long daysWithBooks = 0;
    for (JsonNode c : daily.get("cost_per_book_usd")) if (!c.isNull()) daysWithBooks++;
    assertThat(attribute("#cost-per-book-chart", "data-points"))
        .isEqualTo(String.valueOf(daysWithBooks))
        .isNotEqualTo("0");
    assertThat(attribute("#fig-month", "title"))
        .isEqualTo(monthCosts.get("total").get("cost_usd").asString() + " USD");

    assertThat(active).hasSize(1);
    JsonNode run = active.get(0);
    assertThat(run.get("forecast_basis").asString()).isEqualTo("category");
    List<List<String>> rows = tableRows("#active-runs");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).get(0)).isEqualTo("run_open");
    assertThat(rows.get(0).get(5)).isEqualTo("0/" + run.get("stages_total").asLong());
    assertThat(attribute("#active-runs tbody td:nth-child(9) span", "data-seconds"))
        .isEqualTo(run.get("remaining_seconds").asString());
    assertThat(attribute("#active-runs tbody td:nth-child(11) span", "title"))
        .isEqualTo(run.get("cost_to_complete_usd").asString() + " USD");
    assertThat(attribute("#active-runs tbody td:nth-child(12) span", "title"))
        .isEqualTo(run.get("projected_total_usd").asString() + " USD");

    rows = tableRows("#overview-providers");
    assertThat(rows).hasSize(providers.size()).isNotEmpty();
    for (int i = 0; i < providers.size(); i++) {
      JsonNode p = providers.get(i);
      assertThat(rows.get(i))
          .containsExactly(
              p.get("provider").asString(),
              p.get("model").asString(),
              String.format(java.util.Locale.US, "%,d", p.get("calls").asLong()),
              String.format(java.util.Locale.US, "%.1f%%", p.get("error_rate").asDouble() * 100),
              p.get("latency_p50_ms").asLong() + " ms",
              p.get("latency_p95_ms").asLong() + " ms");
    }
    screenshot("overview-throughput");
    assertNoConsoleErrors();
  }

  private static long nonZeroBuckets(JsonNode throughput) {
    long n = 0;
    for (int i = 0; i < throughput.get("times").size(); i++) {
      if (throughput.get("completed").get(i).asLong() + throughput.get("failed").get(i).asLong()
          > 0) n++;
    }
    return n;
  }

  @SuppressWarnings("unchecked")
  private List<List<String>> tableRows(String css) {
    return (List<List<String>>)
        browser.executeScript(
            "return [...document.querySelectorAll(arguments[0] + ' tbody tr')]"
                + ".map(r => [...r.cells].map(c => c.textContent.trim()));",
            css);
  }

  @Test
  void runsFilter_alertsWithASilenceMadeAndEnded_logsAndWorkers_renderTheirData() throws Exception {
    String completed = t.awaitState(t.startRun(t.aProject(HOSTILE)), "completed");
    String failed = failedRun(t.aProject("Second Light"));
    t.aFiringAlert("run_failed");

    browser.get(t.base + "/runs?state=failed");
    await(d -> text("runs-count").equals("1 run"));
    assertThat(textOf("#runs-list table")).contains(failed).doesNotContain(completed);
    new Select(browser.findElement(By.id("filter-state"))).selectByValue("completed");
    await(d -> textOf("#runs-list table").contains(completed));
    assertThat(browser.getCurrentUrl()).endsWith("/runs?state=completed");
    assertThat(textOf("#runs-list table")).doesNotContain(failed);
    browser.findElement(By.id("filter-q")).sendKeys("onerror");
    browser.findElement(By.id("filter-apply")).click();
    await(d -> browser.getCurrentUrl().contains("q=onerror"));
    await(d -> textOf("#runs-list table").contains("<img src=x onerror=alert(1)>"));
    assertThat(browser.findElements(By.tagName("img"))).isEmpty();
    screenshot("runs-filtered");
    assertNoConsoleErrors();

    browser.get(t.base + "/alerts");
    await(d -> textOf("#alerts-now table").contains("RunFailed"));
    browser.findElement(By.id("silence-matchers")).sendKeys("alertname=RunFailed");
    browser.findElement(By.id("silence-reason")).sendKeys("<i id=slant>looking into it</i>");
    browser.findElement(By.id("silence-create")).click();
    await(d -> textOf("#silences table").contains("<i id=slant>looking into it</i>"));
    JsonNode silences = Json.parse(t.send("GET", "/api/silences", null, null).body()).get("items");
    assertThat(silences).hasSize(1);
    String silence = silences.get(0).get("id").asString();
    await(d -> textOf("#alerts-now table").contains(silence));
    assertThat(browser.findElements(By.id("slant"))).isEmpty();
    screenshot("alerts");
    // The page redraws live (a silence made is an event): a button found may be replaced before
    // the click reaches it, so find and click again until one click lands.
    await(
        d -> {
          try {
            d.findElement(By.cssSelector("button[data-silence='" + silence + "']")).click();
            return true;
          } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
            return false;
          }
        });
    await(d -> textOf("#silences").contains("No silence applies now."));
    assertThat(Json.parse(t.send("GET", "/api/silences", null, null).body()).get("items"))
        .isEmpty();
    assertNoConsoleErrors();

    browser.get(t.base + "/logs?level=ERROR");
    await(d -> textOf("#logs-list table").contains(HOSTILE_LOG));
    assertThat(browser.findElements(By.id("evil"))).isEmpty();
    assertThat(textOf("#logs-list table")).doesNotContain(" INFO ");
    screenshot("logs");
    assertNoConsoleErrors();

    browser.get(t.base + "/workers");
    await(d -> !textOf("#workers-body table").isEmpty());
    assertThat(figure("fig-workers")).isNotEqualTo("0");
    assertThat(textOf("#workers-body")).contains("writer");
    screenshot("workers");
    assertNoConsoleErrors();
  }

  /** The value of one of the Overview's figures. */
  private String figure(String id) {
    return textOf("#" + id + " .figure-value");
  }

  private String text(String id) {
    return textOf("#" + id);
  }

  /** Whether the chart's canvas has drawn pixels (axes, grid and bars). */
  private boolean chartDrew() {
    return chartDrew("#spend-chart");
  }

  /** A run that failed in its first stage, as a provider outage leaves one. */
  private String failedRun(String projectId) {
    Instant now = Instant.now();
    t.store.createRun("run_failed", projectId, 1, "queued by the test", now);
    t.store.transitionRun("run_failed", RunState.QUEUED, RunState.RUNNING, "started", now);
    t.store.transitionRun("run_failed", RunState.RUNNING, RunState.FAILED, HOSTILE_REASON, now);
    String json =
        Json.object()
            .put("ts", now.toString())
            .put("level", "ERROR")
            .put("message", HOSTILE_LOG)
            .put("run_id", "run_failed")
            .put("stage", "intake")
            .put("agent_role", "planner")
            .put("error_type", "provider_unavailable")
            .toString();
    t.store.recordLogs(
        List.of(
            new LogLine(
                now.toEpochMilli(),
                "ERROR",
                projectId,
                "run_failed",
                "intake",
                "planner",
                null,
                null,
                null,
                json)));
    return "run_failed";
  }
}
