package org.bookcreator.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BriefParserTest {
  @TempDir Path dir;
  private final BriefParser parser = new BriefParser(Categories.defaults());

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void validYaml_isParsed_andReferencesResolveAgainstTheBriefsFolder() throws IOException {
    Files.createDirectories(dir.resolve("notes"));
    Files.writeString(dir.resolve("notes/a.md"), "# A\ntext");
    Path file =
        write(
            "b.yaml",
            """
            title: "  The Keeper  "
            category: Fiction
            audience: readers aged 10-14
            brief: |
              A lighthouse story.
            chapters: 12
            budget_usd: 4.50
            references:
              - notes/a.md
            """);

    Brief b = parser.parse(file);

    assertThat(b.title()).isEqualTo("The Keeper");
    assertThat(b.category()).isEqualTo("fiction");
    assertThat(b.audience()).contains("readers aged 10-14");
    assertThat(b.chapters()).isEqualTo(12);
    assertThat(b.budgetUsd()).contains(new BigDecimal("4.5"));
    assertThat(b.references())
        .containsExactly(dir.resolve("notes/a.md").toAbsolutePath().normalize());
  }

  @Test
  void json_isAccepted() throws IOException {
    Path file =
        write(
            "b.json",
            "{\"title\":\"T\",\"category\":\"technical\",\"brief\":\"B\",\"chapters\":3}");

    assertThat(parser.parse(file).category()).isEqualTo("technical");
  }

  @Test
  void everyProblem_isReportedAtOnce() throws IOException {
    Path file =
        write(
            "b.yaml",
            """
            title: ""
            category: poetry-slam
            chapters: 0
            colour: blue
            budget_usd: -3
            """);

    assertThatThrownBy(() -> parser.parse(file))
        .isInstanceOf(BriefException.class)
        .satisfies(e -> assertThat(((BriefException) e).problems()).hasSize(6))
        .hasMessageContaining("unknown field 'colour'")
        .hasMessageContaining("title: must not be blank")
        .hasMessageContaining("unknown category 'poetry-slam' (one of: fiction, non-fiction")
        .hasMessageContaining("chapters: must be 1..100, got 0")
        .hasMessageContaining("brief: required")
        .hasMessageContaining("budget_usd: must be a number of US dollars greater than 0");
  }

  @Test
  void notANumberOrInfiniteBudgets_areBadInput_namingTheField() throws IOException {
    for (String bad : new String[] {".nan", ".inf", "-.inf"}) {
      Path file =
          write(
              "b.yaml",
              "title: T\ncategory: fiction\nbrief: B\nchapters: 2\nbudget_usd: " + bad + "\n");

      assertThatThrownBy(() -> parser.parse(file))
          .as(bad)
          .isInstanceOf(BriefException.class)
          .hasMessageContaining("budget_usd: must be a finite number of US dollars");
    }
    Path fine =
        write("b.yaml", "title: T\ncategory: fiction\nbrief: B\nchapters: 2\nbudget_usd: 2.5\n");
    assertThat(parser.parse(fine).budgetUsd()).contains(new java.math.BigDecimal("2.5"));
  }

  @Test
  void chapterCountOutOfRange_namesTheValue() throws IOException {
    Path file = write("b.yaml", "title: T\ncategory: fiction\nbrief: B\nchapters: 101\n");

    assertThatThrownBy(() -> parser.parse(file))
        .hasMessageContaining("chapters: must be 1..100, got 101");
  }

  @Test
  void nonIntegerChapters_isRejected() throws IOException {
    Path file = write("b.yaml", "title: T\ncategory: fiction\nbrief: B\nchapters: 3.5\n");

    assertThatThrownBy(() -> parser.parse(file))
        .hasMessageContaining("chapters: must be a whole number");
  }

  @Test
  void malformedYaml_saysWhere() throws IOException {
    Path file = write("b.yaml", "title: [unclosed\ncategory: fiction\n");

    assertThatThrownBy(() -> parser.parse(file))
        .isInstanceOf(BriefException.class)
        .hasMessageContaining("malformed YAML");
  }

  @Test
  void duplicateKeys_areRejected() throws IOException {
    Path file = write("b.yaml", "title: A\ntitle: B\ncategory: fiction\nbrief: B\nchapters: 2\n");

    assertThatThrownBy(() -> parser.parse(file))
        .hasMessageContaining("malformed YAML")
        .hasMessageContaining("title");
  }

  @Test
  void emptyFile_andNonMapping_areRejected() throws IOException {
    assertThatThrownBy(() -> parser.parse(write("e.yaml", "")))
        .hasMessageContaining("the brief is empty");
    assertThatThrownBy(() -> parser.parse(write("l.yaml", "- a\n- b\n")))
        .hasMessageContaining("must be a mapping");
  }

  @Test
  void missingFile_andMissingReference_areNamed() throws IOException {
    assertThatThrownBy(() -> parser.parse(dir.resolve("nope.yaml")))
        .hasMessageContaining("file not found");
    Path file =
        write(
            "b.yaml",
            "title: T\ncategory: fiction\nbrief: B\nchapters: 2\nreferences: [missing.pdf]\n");
    assertThatThrownBy(() -> parser.parse(file))
        .hasMessageContaining("references[0]: file not found");
  }

  @Test
  void references_mustStayInTheBriefsFolder_andBeRegularFiles() throws Exception {
    Path brief = dir.resolve("book");
    Files.createDirectories(brief.resolve("notes/sub"));
    Files.writeString(brief.resolve("notes/ok.md"), "# fine");
    Path outside = Files.writeString(dir.resolve("secret.txt"), "root:x:0:0");
    Files.createSymbolicLink(brief.resolve("notes/escape.md"), outside);
    Files.createSymbolicLink(brief.resolve("notes/inside-link.md"), brief.resolve("notes/ok.md"));
    Path file = brief.resolve("b.yaml");
    Files.writeString(
        file,
        "title: T\ncategory: fiction\nbrief: B\nchapters: 2\nreferences:\n"
            + "  - notes/ok.md\n"
            + "  - notes/inside-link.md\n"
            + "  - notes/escape.md\n"
            + "  - ../secret.txt\n"
            + "  - "
            + outside.toAbsolutePath()
            + "\n"
            + "  - notes/sub\n"
            + "  - /dev/zero\n");

    assertThatThrownBy(() -> parser.parse(file))
        .isInstanceOf(BriefException.class)
        .satisfies(e -> assertThat(((BriefException) e).problems()).hasSize(5))
        .hasMessageContaining("references[2]: " + brief.resolve("notes/escape.md"))
        .hasMessageContaining("is outside the brief's folder")
        .hasMessageContaining("(it leads to " + outside.toRealPath() + ")")
        .hasMessageContaining("references[3]: " + outside + " is outside the brief's folder")
        .hasMessageContaining("references[4]: " + outside + " is outside the brief's folder")
        .hasMessageContaining("references[5]: " + brief.resolve("notes/sub") + " is a directory")
        .hasMessageContaining("references[6]: /dev/zero is outside the brief's folder");

    Files.writeString(
        file,
        "title: T\ncategory: fiction\nbrief: B\nchapters: 2\nreferences: [notes/ok.md,"
            + " notes/inside-link.md]\n");
    assertThat(parser.parse(file).references()).hasSize(2);
  }

  @Test
  void aFifoOrDeviceInTheBriefsFolder_isNotARegularFile() throws Exception {
    Path fifo = dir.resolve("pipe.md");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(mk.waitFor() == 0, "mkfifo is not available");
    Path file =
        write(
            "b.yaml",
            "title: T\ncategory: fiction\nbrief: B\nchapters: 2\nreferences: [pipe.md]\n");

    assertThatThrownBy(() -> parser.parse(file))
        .hasMessageContaining("references[0]: " + fifo + " is not a regular file");
  }

  @Test
  void hostileInput_controlCharactersInTitle_hugeFile_binary() throws IOException {
    Path ctl =
        write(
            "c.yaml",
            "title: \"Evil\\n"
                + "INFO forged line\\u001b[31m\"\n"
                + "category: fiction\n"
                + "brief: B\n"
                + "chapters: 2\n");
    assertThatThrownBy(() -> parser.parse(ctl))
        .hasMessageContaining("title: must be one line of visible text")
        .hasMessageContaining("U+000A LINE FEED (LF)");

    Path huge = dir.resolve("huge.yaml");
    Files.write(huge, new byte[(int) BriefParser.MAX_BYTES + 1]);
    assertThatThrownBy(() -> parser.parse(huge)).hasMessageContaining("a brief is at most");

    Path binary = dir.resolve("bin.yaml");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x41});
    assertThatThrownBy(() -> parser.parse(binary)).hasMessageContaining("not UTF-8");
  }

  @Test
  void twoYamlDocuments_areNamedAsSuch_notInTheParsersWords() throws IOException {
    Path two =
        write(
            "b.yaml",
            "title: T\ncategory: fiction\nbrief: B\nchapters: 2\n---\ntitle: U\nchapters: 3\n");

    assertThatThrownBy(() -> parser.parse(two))
        .isInstanceOf(BriefException.class)
        .hasMessageContaining("the brief holds 2 YAML documents")
        .hasMessageContaining("a brief is one document")
        .hasMessageNotContaining("Trailing token");
    assertThatThrownBy(() -> parser.parse(write("b.json", "{\"title\":\"T\"} {\"title\":\"U\"}")))
        .hasMessageContaining("the brief holds 2 JSON values");
  }

  @Test
  void aDocumentMarkerBeforeOrAfterTheOneDocument_isFine() throws IOException {
    Path marked = write("b.yaml", "---\ntitle: T\ncategory: fiction\nbrief: B\nchapters: 2\n---\n");

    assertThat(parser.parse(marked).title()).isEqualTo("T");
  }

  @Test
  void invisibleCharacters_inOneLineFields_areRefused_namingFieldAndCharacter() throws IOException {
    Path file =
        write(
            "b.yaml",
            "title: \"Invoice\\u202Efdp.exe\"\n"
                + "category: \"fic\\u200Btion\"\n"
                + "audience: \"\\u2066readers\\u2069\"\n"
                + "brief: B\nchapters: 2\n");

    assertThatThrownBy(() -> parser.parse(file))
        .isInstanceOf(BriefException.class)
        .hasMessageContaining("title: must be one line of visible text")
        .hasMessageContaining("U+202E RIGHT-TO-LEFT OVERRIDE")
        .hasMessageContaining("category: must be one line of visible text")
        .hasMessageContaining("U+200B ZERO WIDTH SPACE")
        .hasMessageContaining("audience: must be one line of visible text")
        .hasMessageContaining("U+2066 LEFT-TO-RIGHT ISOLATE")
        .hasMessageNotContaining("\u202E");
  }

  @Test
  void zeroWidthJoiners_ofScriptsAndEmoji_areVisibleText() throws IOException {
    String title =
        "\uD83D\uDC69\u200D\uD83D\uDCBB \u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645";
    Path file =
        write("b.yaml", "title: \"" + title + "\"\ncategory: fiction\nbrief: B\nchapters: 2\n");

    assertThat(parser.parse(file).title()).isEqualTo(title);
  }

  @Test
  void unknownFieldError_escapesInvisibleCharacters() throws IOException {
    Path file =
        write(
            "b.yaml",
            "title: T\ncategory: fiction\nbrief: B\nchapters: 2\n\"x\\u0007\\u202Ey\": 1\n");

    assertThatThrownBy(() -> parser.parse(file)).hasMessageContaining("'x\\u0007\\u202ey'");
  }

  @Test
  void extraCategories_fromConfiguration_areAccepted() throws IOException {
    BriefParser extended = new BriefParser(Categories.defaults().plus(java.util.List.of("poetry")));
    Path file = write("b.yaml", "title: T\ncategory: poetry\nbrief: B\nchapters: 2\n");

    assertThat(extended.parse(file).category()).isEqualTo("poetry");
  }
}
