package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The command line as a user meets it: real briefs, a real data directory, exit codes. */
class CliTest {
  @TempDir Path dir;

  private Path data() {
    return dir.resolve("data");
  }

  private Path brief(String yaml) throws Exception {
    return Files.writeString(dir.resolve("brief.yaml"), yaml);
  }

  static Path example(String name) {
    Path p = Path.of("..", "examples", "briefs", name);
    return Files.exists(p) ? p : Path.of("examples", "briefs", name);
  }

  @Test
  void run_writesTheManuscript_andRunsJsonShowsTheStageHistory() throws Exception {
    Cli run =
        Cli.run("run", example("lighthouse.yaml").toString(), "--data-dir", data().toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("completed").contains("manuscript:");
    Path manuscript;
    try (Stream<Path> files = Files.walk(data())) {
      manuscript =
          files
              .filter(p -> p.getFileName().toString().equals("manuscript.md"))
              .findFirst()
              .orElseThrow();
    }
    assertThat(
            Files.readString(manuscript).lines().filter(l -> l.startsWith("## Chapter ")).count())
        .isEqualTo(12);

    Cli runs = Cli.run("runs", "--json", "--data-dir", data().toString());
    JsonNode arr = Json.parse(runs.out());
    assertThat(arr).hasSize(1);
    JsonNode r = arr.get(0);
    assertThat(r.path("state").asString()).isEqualTo("completed");
    assertThat(r.path("stages")).hasSize(9);
    assertThat(r.path("history").toString())
        .contains("\"to\":\"running\"")
        .contains("\"to\":\"completed\"");
    assertThat(r.path("totals").path("cost_usd").asString()).matches("0\\.\\d+");

    Cli projects = Cli.run("projects", "--data-dir", data().toString());
    assertThat(projects.out()).contains("The Keeper of Small Lights").contains("fiction");
  }

  @Test
  void jsonBriefWithReferences_parsesItsDocuments() throws Exception {
    Cli run =
        Cli.run("run", example("harbour-history.yaml").toString(), "--data-dir", data().toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("1 of 1 documents parsed");
  }

  @Test
  void malformedBrief_exits2_andLeavesNothingBehind() throws Exception {
    Cli run = Cli.run("run", brief("title: [oops\n").toString(), "--data-dir", data().toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("invalid brief").contains("malformed YAML");
    assertThat(Files.exists(data())).isFalse();
  }

  @Test
  void incompleteBrief_unknownCategory_andChapterRange_areNamed() throws Exception {
    Cli run =
        Cli.run(
            "run",
            brief("title: T\ncategory: cookbook\nchapters: 400\n").toString(),
            "--data-dir",
            data().toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err())
        .contains("brief: required")
        .contains("unknown category 'cookbook'")
        .contains("chapters: must be 1..100, got 400");
    assertThat(Files.exists(data())).isFalse();
  }

  @Test
  void aBidiOverrideInTheTitle_exits2_namingTheCharacter_neverPrintingIt() throws Exception {
    Path file =
        brief("title: \"Annual \u202Etroper\"\ncategory: business\nbrief: B\nchapters: 1\n");

    Cli run = Cli.run("run", file.toString(), "--data-dir", data().toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err())
        .contains("title: must be one line of visible text")
        .contains("U+202E RIGHT-TO-LEFT OVERRIDE")
        .doesNotContain("\u202E");
    assertThat(Files.exists(data())).isFalse();
  }

  @Test
  void aBriefOfTwoYamlDocuments_exits2_sayingSo() throws Exception {
    Path file = brief("title: T\ncategory: fiction\nbrief: B\nchapters: 1\n---\nchapters: 2\n");

    Cli run = Cli.run("run", file.toString(), "--data-dir", data().toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("the brief holds 2 YAML documents; a brief is one document");
  }

  @Test
  void missingBriefFile_exits2() {
    Cli run = Cli.run("run", dir.resolve("none.yaml").toString(), "--data-dir", data().toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("none.yaml").contains("file not found");
  }

  @Test
  void unusableDataDirectory_exits3_withTheReason() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");

    Cli run = Cli.run("run", example("dragon.yaml").toString(), "--data-dir", file.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.STORE);
    assertThat(run.err()).contains("a-file");
  }

  @Test
  void unknownFlag_andUnknownConfigKey_exit2() throws Exception {
    Cli flag = Cli.run("run", "--colour", "blue");
    assertThat(flag.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(flag.err()).contains("--colour");

    Path config =
        Files.writeString(dir.resolve("c.yaml"), "pipeline:\n  workers: 4\n  wokers: 8\n");
    Cli cfg = Cli.run("runs", "--config", config.toString(), "--data-dir", data().toString());
    assertThat(cfg.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cfg.err()).contains("unknown key 'pipeline.wokers'");
  }

  @Test
  void badConfigValues_areAllReported() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("c.yaml"),
            "pipeline:\n"
                + "  workers: many\n"
                + "  lease: soon\n"
                + "simulated:\n"
                + "  timeout_rate: 0.9\n"
                + "  rate_limit_rate: 0.9\n");

    Cli cfg = Cli.run("runs", "--config", config.toString(), "--data-dir", data().toString());

    assertThat(cfg.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(cfg.err())
        .contains("pipeline.workers")
        .contains("'many'")
        .contains("pipeline.lease");
  }

  @Test
  void demo_completesWithASummaryTable() {
    Cli demo = Cli.run("demo", "--books", "3", "--latency", "0ms", "--data-dir", data().toString());

    assertThat(demo.exitCode()).as(demo.err() + demo.out()).isZero();
    assertThat(demo.out())
        .contains("book")
        .contains("category")
        .contains("cost")
        .contains("3 of 3 books completed");
  }

  @Test
  void help_listsEveryCommand() {
    Cli help = Cli.run("--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("run", "demo", "serve", "resume", "projects", "runs", "bench", "Exit codes");
  }

  @Test
  void readingCommands_onAnEmptyDataDir_sayWhatToDo() {
    Cli runs = Cli.run("runs", "--data-dir", data().toString());

    assertThat(runs.exitCode()).isZero();
    assertThat(runs.out()).contains("no runs").contains("demo");
    assertThat(Files.exists(data())).isFalse();
  }
}
