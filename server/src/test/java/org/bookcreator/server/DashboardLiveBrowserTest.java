package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Live pages in headless Chromium: the Alerts page shows an alert that starts firing, and the Logs
 * page a log line that is written, by themselves: no reload (a mark left on the page's window
 * survives) and sooner than the Alerts page's 15-second redraw could.
 */
class DashboardLiveBrowserTest extends ChromiumTest {
  /**
   * Well under the Alerts page's periodic redraw (15 s): only the event stream can be this quick.
   */
  private static final Duration LIVE = Duration.ofSeconds(8);

  @Test
  void theAlertsPage_showsAnAlertThatStartsFiring_byItself() throws Exception {
    browser.get(t.base + "/alerts");
    awaitText("#alerts-now", "Nothing firing or pending", Duration.ofSeconds(30));
    awaitText("#live", "live", Duration.ofSeconds(30));
    browser.executeScript("window.notReloaded = true;");

    t.aFiringAlert("run_live");

    awaitText("#alerts-now table", "RunFailed", LIVE);
    awaitText("#alert-history table", "new -> firing", LIVE);
    assertThat(browser.executeScript("return window.notReloaded === true;")).isEqualTo(true);
    screenshot("alerts-live");
    assertNoConsoleErrors();
  }

  @Test
  void theLogsPage_showsANewLineThatMatchesItsFilter_byItself_andNotOneThatDoesNot()
      throws Exception {
    browser.get(t.base + "/logs?run=run_live&level=WARN");
    awaitText("#logs-list", "No log line matches", Duration.ofSeconds(30));
    awaitText("#live", "live", Duration.ofSeconds(30));
    browser.executeScript("window.notReloaded = true;");

    t.store.recordLogs(
        List.of(
            EventStreamTest.aLogLine("run_other", "ERROR", "another run's line"),
            EventStreamTest.aLogLine("run_live", "INFO", "too quiet to show"),
            EventStreamTest.aLogLine("run_live", "WARN", "the provider is slow")));

    awaitText("#logs-list table", "the provider is slow", LIVE);
    String shown = textOf("#logs-list");
    assertThat(shown).doesNotContain("another run's line").doesNotContain("too quiet to show");
    assertThat(browser.executeScript("return window.notReloaded === true;")).isEqualTo(true);
    screenshot("logs-live");
    assertNoConsoleErrors();
  }

  private void awaitText(String css, String wanted, Duration patience) {
    try {
      new WebDriverWait(browser, patience).until(d -> textOf(css).contains(wanted));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(
          "'"
              + wanted
              + "' not in "
              + css
              + " within "
              + patience
              + "; the page shows: "
              + textOf("main")
              + "\nconsole: "
              + browser.manage().logs().get(LogType.BROWSER).getAll(),
          e);
    }
  }
}
