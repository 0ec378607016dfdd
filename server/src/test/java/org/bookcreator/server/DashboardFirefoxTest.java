package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in headless Firefox ESR (over WebDriver BiDi: {@link Firefox}), over a store with a
 * completed run, a firing alert and log lines: every page renders its data, every chart draws, the
 * live stream connects, and the console has no error. Screenshots land in
 * target/screenshots/firefox-*.png.
 */
class DashboardFirefoxTest {
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  /** Whether the chart under {@code css} has drawn pixels (axes, grid and data). */
  private static String drew(String css) {
    return "(() => { const c = document.querySelector("
        + Json.write(css + " canvas")
        + "); if (!c || !c.width) return false; const d ="
        + " c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i ="
        + " 3; i < d.length; i += 4) if (d[i] > 0) n++; return n > 1000; })()";
  }

  private static String has(String css) {
    return "document.querySelector(" + Json.write(css) + ") !== null";
  }

  private static String shows(String css, String text) {
    return "(document.querySelector('" + css + "')?.textContent ?? '').includes('" + text + "')";
  }

  @TempDir Path dir;
  private TestServer t;
  private Firefox browser;

  @BeforeEach
  void start() throws Exception {
    browser = Firefox.start(dir.resolve("profile"));
    t = new TestServer(dir, Optional.empty(), 64 * 1024);
  }

  @AfterEach
  void stop() {
    if (browser != null) browser.close();
    if (t != null) t.close();
  }

  @Test
  void everyPage_rendersItsData_chartsDraw_andTheConsoleHasNoError() throws Exception {
    String run = t.awaitState(t.startRun(t.aProject("Firefox Lights")), "completed");
    t.aFiringAlert(run);
    t.store.recordLogs(List.of(EventStreamTest.aLogLine(run, "ERROR", "a line for the Logs page")));

    page(
        "/",
        "overview",
        shows("#fig-completed .figure-value", "1"),
        drew("#spend-chart"),
        shows("#live", "live"));
    page("/runs", "runs", has("a[href='/runs/" + run + "']"));
    page(
        "/runs/" + run,
        "run",
        shows("#run-state", "completed"),
        has("#waterfall .bar"),
        has("#run-costs table"));
    page("/costs?range=7d", "costs", has("#costs-by-model"), drew("#cost-chart"));
    page("/library?range=24h", "library", has("#library-categories"), drew("#library-chart"));
    page("/agents?range=24h", "agents", has("#agents-table"), drew("#agents-chart"));
    page("/providers?range=24h", "providers", has("#providers-table"), drew("#providers-chart"));
    page("/workers", "workers", shows("#workers-body", "writer"));
    page("/alerts", "alerts", shows("#alerts-now table", "RunFailed"));
    page("/logs", "logs", shows("#logs-list table", "a line for the Logs page"));

    assertThat(browser.consoleErrors()).as("console errors").isEmpty();
    // The console is really heard: an error logged now is reported.
    browser.evaluate("console.error('probe of the console'); true");
    browser.await("true", "the probe");
    Thread.sleep(500);
    assertThat(browser.consoleErrors()).anyMatch(e -> e.contains("probe of the console"));
  }

  private void page(String path, String name, String... ready) throws Exception {
    browser.navigate(t.base + path);
    for (String r : ready) browser.await(r, path + ": " + r);
    Files.createDirectories(SCREENSHOTS);
    Files.write(SCREENSHOTS.resolve("firefox-" + name + ".png"), browser.screenshot());
    assertThat(browser.consoleErrors()).as("console errors on " + path).isEmpty();
  }
}
