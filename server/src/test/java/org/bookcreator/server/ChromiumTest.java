package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A test of the dashboard's pages in headless {@link Chromium}: each test gets a browser with a
 * fresh profile and a {@link TestServer} over a fresh store, both in the test's own directory, and
 * the reads, waits and checks every page test makes. Screenshots land in target/screenshots/.
 */
abstract class ChromiumTest {
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  @TempDir Path dir;
  TestServer t;
  ChromeDriver browser;
  private WebDriverWait wait;

  @BeforeEach
  void start() {
    browser = Chromium.start(dir.resolve("profile"));
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    t = new TestServer(dir, Optional.empty(), 64 * 1024);
  }

  @AfterEach
  void stop() {
    if (browser != null) browser.quit();
    if (t != null) t.close();
  }

  /**
   * Waits up to 30 s for the page; on a timeout, fails with what the page shows and its console.
   */
  void await(Function<WebDriver, Boolean> ready) {
    try {
      wait.until(ready);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "the page did not get there in 30 s; it shows: "
              + browser.getPageSource()
              + "\nconsole: "
              + browser.manage().logs().get(LogType.BROWSER).getAll(),
          e);
    }
  }

  /**
   * The text of the first element {@code css} selects ({@code ""} when none), read in one script:
   * live pages redraw at any moment, so an element found in one call may be gone by the next.
   */
  String textOf(String css) {
    Object text =
        browser.executeScript(
            "const e = document.querySelector(arguments[0]);"
                + " return e ? e.textContent.trim() : '';",
            css);
    return String.valueOf(text);
  }

  /**
   * The attribute {@code name} of the first element {@code css} selects; null when either lacks.
   */
  String attribute(String css, String name) {
    Object v =
        browser.executeScript(
            "const e = document.querySelector(arguments[0]);"
                + " return e ? e.getAttribute(arguments[1]) : null;",
            css,
            name);
    return v == null ? null : String.valueOf(v);
  }

  /** Whether the chart in {@code css} has drawn pixels (axes, grid and the data). */
  boolean chartDrew(String css) {
    Object drawn =
        browser.executeScript(
            "const c = document.querySelector(arguments[0] + ' canvas');"
                + "if (!c || !c.width) return 0;"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;"
                + "return n;",
            css);
    return ((Number) drawn).longValue() > 1000;
  }

  /** Fails when the console logged an error since it was last read. */
  void assertNoConsoleErrors() {
    List<LogEntry> severe =
        browser.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
            .toList();
    assertThat(severe).as("console errors").isEmpty();
  }

  /** Writes a PNG of the page to target/screenshots/{@code page}.png. */
  void screenshot(String page) throws Exception {
    Files.createDirectories(SCREENSHOTS);
    Files.write(SCREENSHOTS.resolve(page + ".png"), browser.getScreenshotAs(OutputType.BYTES));
  }
}
