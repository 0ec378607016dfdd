package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NaN, infinities, negative zero, other spellings and absurd magnitudes in every number the command
 * line takes (flags, brief fields, environment): each is bad input, exit code 2, with a message
 * naming the flag or field and the range allowed, before anything is opened or written.
 */
class BadNumbersTest {
  private static final String WHOLE = "must be a whole number ";
  private static final String BUDGET =
      "must be a number of US dollars greater than 0 and at most 1000000, with at most 6 decimal"
          + " places";

  @TempDir Path dir;

  static Stream<Arguments> badFlags() {
    return Stream.of(
        Arguments.of("logs --limit 0x10", "--limit: " + WHOLE + "1..1000, got '0x10'"),
        Arguments.of("logs --limit -0", "--limit: " + WHOLE + "1..1000, got '-0'"),
        Arguments.of(
            "logs --limit 99999999999999999999",
            "--limit: " + WHOLE + "1..1000, got '99999999999999999999'"),
        Arguments.of("logs --before -5", "--before: " + WHOLE + "of at least 1, got '-5'"),
        Arguments.of("logs --since 99999d", "--since: a span back of at most 3650d, got '99999d'"),
        Arguments.of("trace run_x --depth 1e400", "--depth: " + WHOLE + "0..20, got '1e400'"),
        Arguments.of("demo --books 0", "--books: " + WHOLE + "1..500, got '0'"),
        Arguments.of(
            "demo --latency 99999999999999d",
            "simulated.latency_median (from --latency): must be at most 3650d (ten years), got"
                + " '99999999999999d'"),
        Arguments.of("bench --books -5", "--books: " + WHOLE + "1..1000, got '-5'"),
        Arguments.of("bench --chapters 0x10", "--chapters: " + WHOLE + "1..100, got '0x10'"),
        Arguments.of("bench --warmup -0", "--warmup: " + WHOLE + "0..1000, got '-0'"),
        Arguments.of("resume --run run_x --budget-usd NaN", "--budget-usd: " + BUDGET),
        Arguments.of("resume --run run_x --budget-usd 1e400", "--budget-usd: " + BUDGET),
        Arguments.of("resume --run run_x --budget-usd -0", "--budget-usd: " + BUDGET),
        Arguments.of("resume --run run_x --budget-usd 1000000.01", "--budget-usd: " + BUDGET),
        Arguments.of("serve --port -0", "http.port (from --port): " + WHOLE + "0..65535, got '-0'"),
        Arguments.of(
            "serve --worker-port 99999999999999999999",
            "worker.metrics_port (from --worker-port): " + WHOLE + "-1..65535"),
        Arguments.of(
            "run brief.yaml --workers Infinity",
            "pipeline.workers (from --workers): " + WHOLE + "1..1024, got 'Infinity'"),
        Arguments.of(
            "run brief.yaml --seed 0x10", "simulated.seed (from --seed): must be a whole number"),
        Arguments.of(
            "runs --stalled --older-than 99999999999999999999s",
            "--older-than: must be at most 3650d (ten years)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFlags")
  void aBadNumberInAFlag_isBadInput_namingTheFlagAndTheRange(String args, String expected)
      throws Exception {
    Files.writeString(
        dir.resolve("brief.yaml"), "title: T\ncategory: fiction\nbrief: B\nchapters: 1\n");

    Cli cli = Cli.run(command(args));

    assertThat(cli.exitCode()).as(cli.err()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains(expected).doesNotContain("Exception");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  static Stream<Arguments> badBriefNumbers() {
    return Stream.of(
        Arguments.of("budget_usd: 1e400", "budget_usd: " + BUDGET),
        Arguments.of("budget_usd: -0", "budget_usd: " + BUDGET),
        Arguments.of("budget_usd: -0.0", "budget_usd: " + BUDGET),
        Arguments.of("budget_usd: 1e-400", "budget_usd: " + BUDGET),
        Arguments.of("budget_usd: 1000000.5", "budget_usd: " + BUDGET),
        Arguments.of("budget_usd: .nan", "budget_usd: must be a finite number of US dollars"),
        Arguments.of("budget_usd: -.inf", "budget_usd: must be a finite number of US dollars"),
        Arguments.of("chapters: 0x10", "chapters: must be a whole number 1..100"),
        Arguments.of("chapters: 1e400", "chapters: must be a whole number 1..100"),
        Arguments.of("chapters: 99999999999999999999", "chapters: must be a whole number 1..100"),
        Arguments.of("chapters: -5", "chapters: must be 1..100, got -5"),
        Arguments.of("chapters: -0", "chapters: must be 1..100, got 0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBriefNumbers")
  void aBadNumberInABrief_isBadInput_namingTheFieldAndTheRange(String line, String expected)
      throws Exception {
    String chapters = line.startsWith("chapters") ? "" : "chapters: 1\n";
    Path brief =
        Files.writeString(
            dir.resolve("brief.yaml"),
            "title: T\ncategory: fiction\nbrief: B\n" + chapters + line + "\n");

    Cli cli = Cli.run("run", brief.toString(), "--data-dir", dir.resolve("data").toString());

    assertThat(cli.exitCode()).as(cli.err()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains(expected).doesNotContain("Exception");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("badEnvironment")
  void aBadNumberInTheEnvironment_isBadInput_namingTheVariable(
      String variable, String value, String expected) {
    Cli cli =
        Cli.runWithEnv(
            Map.of(variable, value), "runs", "--data-dir", dir.resolve("data").toString());

    assertThat(cli.exitCode()).as(cli.err()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cli.err()).contains("(from environment " + variable + "): " + expected);
  }

  static Stream<Arguments> badEnvironment() {
    return Stream.of(
        Arguments.of("BOOK_CREATOR_PIPELINE_WORKERS", "-0", WHOLE + "1..1024, got '-0'"),
        Arguments.of("BOOK_CREATOR_HTTP_PORT", "0x1F90", WHOLE + "0..65535, got '0x1F90'"),
        Arguments.of("BOOK_CREATOR_TELEMETRY_SAMPLING_RATIO", "NaN", "must be a number 0..1"),
        Arguments.of("BOOK_CREATOR_SIMULATED_LATENCY_SIGMA", "1e400", "must be a number 0..3"),
        Arguments.of("BOOK_CREATOR_STALLS_THRESHOLD", "999999999d", "must be at most 3650d"));
  }

  /** The arguments with the brief resolved in this test's folder and its data directory. */
  private String[] command(String args) {
    List<String> out = new ArrayList<>();
    for (String a : args.split(" ")) {
      out.add(a.equals("brief.yaml") ? dir.resolve(a).toString() : a);
    }
    if (!args.startsWith("bench"))
      out.addAll(List.of("--data-dir", dir.resolve("data").toString()));
    return out.toArray(String[]::new);
  }
}
