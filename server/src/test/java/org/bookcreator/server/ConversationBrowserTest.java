package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.Task;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The run page's conversation view in headless Chromium, after a run of the simulated provider
 * whose outline took several critique rounds: the tasks list, a task's calls with prompt and
 * answer, the rounds with their scores charted and the revision's diff, the events, and the
 * diagnosis's runbook as a link. The project's title is markup and reaches prompts and answers: it
 * stays text.
 */
class ConversationBrowserTest extends ChromiumTest {
  private static final String HOSTILE = "<img id=evil src=x onerror=alert(1)> Lights";
  private static final String HOSTILE_EVENT = "<b id=bold>retry</b> after timeout";

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
}
