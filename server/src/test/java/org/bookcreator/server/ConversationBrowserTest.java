package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The run page's conversation view in headless Chromium, after a run of the simulated provider
 * whose outline took several critique rounds: the tasks list, a task's calls with prompt and
 * answer, the rounds with their scores charted and the revision's diff, the events, and the
 * diagnosis's runbook as a link. The project's title is markup and reaches prompts and answers: it
 * stays text.
 */
class ConversationBrowserTest {
  private static final String HOSTILE = "<img id=evil src=x onerror=alert(1)> Lights";
  private static final String HOSTILE_EVENT = "<b id=bold>retry</b> after timeout";
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  @TempDir Path dir;
  private TestServer t;
  private ChromeDriver browser;
  private WebDriverWait wait;

  @BeforeEach
  void start() throws Exception {
    browser = Chromium.start(dir.resolve("profile"));
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    t = new TestServer(dir, Optional.empty(), 64 * 1024);
  }

  @AfterEach
  void stop() {
    if (browser != null) browser.quit();
    if (t != null) t.close();
  }

  @Test
  void runPage_showsTasks_aConversation_theCritiqueScoresCharted_eventsAndTheRunbookLink()
      throws Exception {
    String run = t.awaitState(t.startRun(t.aProject(HOSTILE)), "completed");
    Task plan = task(run, "intake/plan");
    Task critique = task(run, "critique/score-1");
    t.store.recordEvent(
        new RunEvent(run, Optional.of(plan.id()), RunEvent.RETRY, HOSTILE_EVENT, Instant.now()));

    browser.get(t.base + "/runs/" + run);
    await(d -> !d.findElements(By.cssSelector("#tasks-table")).isEmpty());
    assertThat(textOf("#tasks-table")).contains("intake/plan", "critique/score-1", "planner");
    await(d -> textOf("#run-events").contains(HOSTILE_EVENT));
    assertThat(browser.findElements(By.id("bold"))).isEmpty();
    assertThat(browser.findElement(By.id("runbook")).getTagName()).isEqualTo("a");
    String runbook = browser.findElement(By.id("runbook")).getAttribute("href");
    assertThat(runbook).endsWith("/runbooks/observability.md");
    assertThat(t.send("GET", "/runbooks/observability.md", null, null).statusCode()).isEqualTo(200);

    click(plan.id());
    await(d -> textOf("#conversation-task").equals("intake/plan"));
    await(d -> !d.findElements(By.cssSelector("#conversation-calls .call")).isEmpty());
    // The title went into the prompt and came back in the answer, both as text.
    browser.executeScript("document.querySelectorAll('details').forEach(d => d.open = true)");
    String calls = textOf("#conversation-calls");
    assertThat(calls).contains("[system]", "[user]", HOSTILE, "premise");
    assertThat(browser.findElements(By.id("evil"))).isEmpty();
    assertThat(browser.findElements(By.tagName("img"))).isEmpty();
    assertThat(browser.getCurrentUrl()).endsWith("?task=" + plan.id());

    click(critique.id());
    await(d -> textOf("#conversation-task").equals("critique/score-1"));
    await(d -> scoreChartDrew());
    String rounds = textOf("#critique-rounds");
    assertThat(rounds).contains("Critique loop: outline", "Round 1: score", "Round 2: score");
    int points =
        Integer.parseInt(browser.findElement(By.id("rounds-chart")).getAttribute("data-points"));
    assertThat(points).isGreaterThanOrEqualTo(2);
    browser.executeScript("document.querySelectorAll('details').forEach(d => d.open = true)");
    assertThat(textOf("#critique-rounds .diff-text")).containsPattern("(?m)^[+-] ");
    browser.executeScript("document.getElementById('critique-rounds').scrollIntoView()");
    screenshot("conversation");
    assertNoConsoleErrors();

    // A reload keeps the chosen task.
    browser.navigate().refresh();
    await(d -> textOf("#conversation-task").equals("critique/score-1"));
    await(d -> scoreChartDrew());
    assertNoConsoleErrors();
  }

  private Task task(String run, String key) {
    return t.store.taskOutcomes(run).stream()
        .filter(x -> x.key().equals(key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no task " + key));
  }

  /** Clicks a task of the list, found again each time: the list redraws as the run changes. */
  private void click(String taskId) {
    await(
        d -> {
          List<org.openqa.selenium.WebElement> b =
              d.findElements(By.cssSelector("button[data-task-button='" + taskId + "']"));
          if (b.isEmpty()) return false;
          try {
            b.get(0).click();
            return true;
          } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return false;
          }
        });
  }

  /** Whether the score chart's canvas has drawn pixels and says how many rounds it shows. */
  private boolean scoreChartDrew() {
    Object drawn =
        browser.executeScript(
            "const t = document.querySelector('#rounds-chart');"
                + "const c = t && t.querySelector('canvas');"
                + "if (!c || !c.width || !t.dataset.points) return 0;"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;"
                + "return n;");
    return ((Number) drawn).longValue() > 500;
  }

  private void await(Function<WebDriver, Boolean> ready) {
    try {
      wait.until(ready);
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(
          "the page did not get there in 30 s; it shows: "
              + browser.getPageSource()
              + "\nconsole: "
              + browser.manage().logs().get(LogType.BROWSER).getAll(),
          e);
    }
  }

  private String textOf(String css) {
    Object text =
        browser.executeScript(
            "const e = document.querySelector(arguments[0]);"
                + " return e ? e.textContent.trim() : '';",
            css);
    return String.valueOf(text);
  }

  private void assertNoConsoleErrors() {
    List<LogEntry> severe =
        browser.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
            .toList();
    assertThat(severe).as("console errors").isEmpty();
  }

  private void screenshot(String page) throws Exception {
    Files.createDirectories(SCREENSHOTS);
    Files.write(SCREENSHOTS.resolve(page + ".png"), browser.getScreenshotAs(OutputType.BYTES));
  }
}
