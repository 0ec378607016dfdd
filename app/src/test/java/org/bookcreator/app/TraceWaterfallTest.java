package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.telemetry.SpanRecord;
import org.junit.jupiter.api.Test;

class TraceWaterfallTest {
  private static final long MS = 1_000_000L;

  private static SpanRecord span(
      String id,
      String parent,
      String name,
      long startMs,
      long endMs,
      String error,
      Map<String, String> attrs) {
    return new SpanRecord(
        "t1",
        id,
        Optional.ofNullable(parent),
        Optional.of("run_1"),
        name,
        "internal",
        startMs * MS,
        endMs * MS,
        error == null ? "ok" : "error",
        Optional.ofNullable(error),
        attrs);
  }

  private final List<SpanRecord> spans =
      List.of(
          span("r", null, "run", 0, 100, null, Map.of()),
          span("a", "r", "stage outline", 0, 30, null, Map.of()),
          span("b", "r", "stage chapter_writing", 30, 100, null, Map.of()),
          span(
              "b1",
              "b",
              "invoke_agent writer",
              30,
              60,
              "rate_limited",
              Map.of("book_creator.task.key", "chapter-1/draft", "book_creator.attempt", "0")),
          span(
              "b2",
              "b",
              "invoke_agent writer",
              62,
              98,
              null,
              Map.of("book_creator.task.key", "chapter-1/draft", "book_creator.attempt", "1")),
          span(
              "c",
              "b",
              "invoke_agent writer",
              31,
              40,
              null,
              Map.of("book_creator.task.key", "chapter-2/draft")));

  @Test
  void theSlowestPath_isStarred_andErrorsAndRetriesAreMarked_onATimeAxis() {
    List<String> lines = TraceCommand.render(spans).lines().toList();

    assertThat(lines.get(0)).contains("6 spans").contains("100ms");
    assertThat(line(lines, "run")).startsWith("*").contains("|" + "=".repeat(48) + "|");
    assertThat(line(lines, "stage outline")).startsWith("*");
    assertThat(line(lines, "stage chapter_writing")).startsWith("*");
    assertThat(
            lines.stream()
                .filter(l -> l.contains("chapter-1/draft") && l.contains("! rate_limited")))
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("* "));
    assertThat(lines.stream().filter(l -> l.contains("chapter-1/draft") && l.contains("retry 1")))
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("*"));
    assertThat(line(lines, "chapter-2/draft")).startsWith(" ").contains("#");
    assertThat(line(lines, "stage outline")).contains("|==============").doesNotContain("#");
  }

  @Test
  void depthTwo_drawsTheRunAndItsStagesOnly() {
    String out = TraceCommand.render(spans, 2);

    assertThat(out)
        .contains("stage outline")
        .contains("stage chapter_writing")
        .doesNotContain("invoke_agent");
  }

  private static String line(List<String> lines, String text) {
    return lines.stream().filter(l -> l.contains(text)).findFirst().orElse(null);
  }
}
