package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command a runbook shows exists and its flags parse, and every BOOK_CREATOR_ variable it
 * sets is a real setting: a runbook that has drifted from the product fails the build.
 */
class RunbooksTest {
  private static final Pattern FENCE = Pattern.compile("```(?:sh)?\\n(.*?)```", Pattern.DOTALL);
  private static final Set<String> RUNBOOKS =
      Set.of(
          "observability.md",
          "stalled-workflow.md",
          "provider-errors.md",
          "schema-violations.md",
          "cost-overrun.md",
          "worker-down.md",
          "process-down.md",
          "store-full-or-locked.md",
          "damaged-store.md",
          "store-unreachable.md");

  static Path runbooks() {
    Path p = Path.of("..", "docs", "runbooks");
    return Files.isDirectory(p) ? p : Path.of("docs", "runbooks");
  }

  /**
   * The bin/book-creator commands of a runbook's code blocks, each as its words (env assignments
   * kept apart).
   */
  static List<List<String>> commands(String markdown) {
    List<List<String>> out = new ArrayList<>();
    Matcher m = FENCE.matcher(markdown);
    while (m.find()) {
      for (String line : m.group(1).split("\n")) {
        String cmd = line.replaceAll("\\s+#.*$", "").strip();
        int pipe = cmd.indexOf(" | ");
        if (pipe >= 0) cmd = cmd.substring(0, pipe);
        if (!cmd.contains("bin/book-creator")) continue;
        out.add(words(cmd));
      }
    }
    return out;
  }

  private static List<String> words(String cmd) {
    List<String> out = new ArrayList<>();
    Matcher w = Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)").matcher(cmd);
    while (w.find())
      out.add(w.group(1) != null ? w.group(1) : w.group(2) != null ? w.group(2) : w.group(3));
    return out;
  }

  @Test
  void everyRunbook_hasItsSections_andEveryCommandParses() throws Exception {
    Set<String> envNames =
        Stream.of(Setting.values())
            .map(s -> "BOOK_CREATOR_" + s.key.toUpperCase(Locale.ROOT).replace('.', '_'))
            .collect(Collectors.toSet());
    List<String> problems = new ArrayList<>();
    int checked = 0;
    Set<String> found;
    try (Stream<Path> files = Files.list(runbooks())) {
      found = files.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
    }
    assertThat(found).containsAll(RUNBOOKS);
    for (String name : RUNBOOKS) {
      String text = Files.readString(runbooks().resolve(name));
      for (String section :
          List.of("## Meaning", "## Impact", "## Diagnosis", "## Mitigation", "## Verify")) {
        if (!text.contains(section)) problems.add(name + ": no '" + section + "' section");
      }
      for (List<String> words : commands(text)) {
        int i = 0;
        while (i < words.size() && words.get(i).matches("[A-Z_]+=.*")) {
          String var = words.get(i).substring(0, words.get(i).indexOf('='));
          if (var.startsWith("BOOK_CREATOR_") && !envNames.contains(var))
            problems.add(name + ": unknown variable " + var);
          i++;
        }
        if (i >= words.size() || !words.get(i).equals("bin/book-creator")) continue;
        String[] args = words.subList(i + 1, words.size()).toArray(String[]::new);
        try {
          new CommandLine(new Main()).parseArgs(args);
          checked++;
        } catch (CommandLine.ParameterException e) {
          problems.add(
              name + ": 'bin/book-creator " + String.join(" ", args) + "': " + e.getMessage());
        }
      }
    }

    assertThat(problems).isEmpty();
    assertThat(checked).isGreaterThan(40);
  }

  @Test
  void aMistypedCommand_isCaught() {
    List<List<String>> cmds =
        commands("```sh\nbin/book-creator runs restart RUN --form-stage outline --reason x\n```\n");

    assertThat(cmds)
        .singleElement()
        .satisfies(
            words -> {
              String[] args = words.subList(1, words.size()).toArray(String[]::new);
              org.assertj.core.api.Assertions.assertThatThrownBy(
                      () -> new CommandLine(new Main()).parseArgs(args))
                  .isInstanceOf(CommandLine.ParameterException.class)
                  .hasMessageContaining("--form-stage");
            });
  }
}
