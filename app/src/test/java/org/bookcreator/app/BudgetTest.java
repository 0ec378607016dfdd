package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.store.Store;
import org.bookcreator.store.sqlite.SqliteStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Budgets as a user meets them: events at 80% and 100%, a pause, a resume with a higher budget. */
class BudgetTest {
  @TempDir Path dir;

  private Path brief(String extra) throws Exception {
    return Files.writeString(
        dir.resolve("b.yaml"),
        """
        title: A Small Budget
        category: children
        brief: A short book on a tight budget.
        chapters: 4
        """
            + extra);
  }

  @Test
  void reachingTheBudget_recordsBothEvents_pausesTheRun_andAResumeWithMoreBudgetFinishesIt()
      throws Exception {
    Path data = dir.resolve("data");

    Cli run = Cli.run("run", brief("budget_usd: 0.02\n").toString(), "--data-dir", data.toString());

    assertThat(run.exitCode()).as(run.err() + run.out()).isEqualTo(ExitCodes.PAUSED);
    String runId;
    try (Store store = SqliteStore.open(data, false)) {
      Run r = store.runs(Optional.empty()).get(0);
      runId = r.id();
      assertThat(r.state()).isEqualTo(RunState.PAUSED);
      assertThat(r.reason().orElseThrow())
          .contains("budget $0.02 reached")
          .contains("resume --run " + r.id());
      assertThat(store.events(r.id()))
          .extracting(RunEvent::kind)
          .containsSubsequence(RunEvent.BUDGET_80, RunEvent.BUDGET_100);
      assertThat(store.projectSpend(r.projectId())).isGreaterThanOrEqualTo(new BigDecimal("0.02"));
    }

    String projectId;
    try (Store store = SqliteStore.open(data, false)) {
      projectId = store.run(runId).orElseThrow().projectId();
    }
    Cli report = Cli.run("cost", "report", "--project", projectId, "--data-dir", data.toString());
    assertThat(report.out())
        .containsPattern(
            "budget: \\$0\\.0200; spent \\$0\\.0[0-9]+ \\(1[0-9]{2}\\.[0-9]%\\), projected"
                + " \\$0\\.[0-9]+, remaining -\\$");
    JsonNode budget =
        org.bookcreator.core.support.Json.parse(
                Cli.run(
                        "cost",
                        "report",
                        "--project",
                        projectId,
                        "--format",
                        "json",
                        "--data-dir",
                        data.toString())
                    .out())
            .path("budget");
    assertThat(new BigDecimal(budget.path("projected_usd").asString()))
        .isGreaterThan(new BigDecimal(budget.path("spent_usd").asString()));

    Cli resume =
        Cli.run(
            "resume",
            "--run",
            runId,
            "--budget-usd",
            "5",
            "--reason",
            "more budget approved",
            "--data-dir",
            data.toString());

    assertThat(resume.exitCode()).as(resume.err() + resume.out()).isZero();
    try (Store store = SqliteStore.open(data, false)) {
      Run r = store.run(runId).orElseThrow();
      assertThat(r.state()).isEqualTo(RunState.COMPLETED);
      assertThat(store.project(r.projectId()).orElseThrow().budgetUsd())
          .contains(new BigDecimal("5"));
      assertThat(store.history(runId))
          .anySatisfy(
              t -> {
                assertThat(t.from()).isEqualTo("PAUSED");
                assertThat(t.reason()).contains("more budget approved");
              });
      assertThat(store.events(runId))
          .filteredOn(e -> e.kind().equals(RunEvent.BUDGET_100))
          .hasSize(1);
    }
  }

  @Test
  void withoutPausing_theRunFinishes_andTheEventsAreStillRecorded() throws Exception {
    Path data = dir.resolve("data");

    Cli run =
        Cli.run(
            "run",
            brief("budget_usd: 0.02\npause_at_budget: false\n").toString(),
            "--data-dir",
            data.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    try (Store store = SqliteStore.open(data, false)) {
      Run r = store.runs(Optional.empty()).get(0);
      assertThat(r.state()).isEqualTo(RunState.COMPLETED);
      assertThat(store.events(r.id()))
          .extracting(RunEvent::kind)
          .contains(RunEvent.BUDGET_80, RunEvent.BUDGET_100);
    }
  }

  @Test
  void underBudget_noEvents() throws Exception {
    Path data = dir.resolve("data");

    Cli run = Cli.run("run", brief("budget_usd: 50\n").toString(), "--data-dir", data.toString());

    assertThat(run.exitCode()).isZero();
    try (Store store = SqliteStore.open(data, false)) {
      assertThat(store.events(store.runs(Optional.empty()).get(0).id()))
          .extracting(RunEvent::kind)
          .doesNotContain(RunEvent.BUDGET_80, RunEvent.BUDGET_100);
    }
  }

  @Test
  void resumeFlags_areChecked() {
    assertThat(
            Cli.run("resume", "--budget-usd", "3", "--data-dir", dir.resolve("d").toString()).err())
        .contains("--budget-usd needs --run");
  }

  @Test
  void aPausedRun_canBeCancelled_withItsReason_andThenNotAgain() throws Exception {
    Path data = dir.resolve("data");
    assertThat(
            Cli.run("run", brief("budget_usd: 0.02\n").toString(), "--data-dir", data.toString())
                .exitCode())
        .isEqualTo(ExitCodes.PAUSED);
    String runId;
    try (Store store = SqliteStore.open(data, false)) {
      runId = store.runs(Optional.empty()).get(0).id();
    }

    Cli cancel =
        Cli.run(
            "runs", "cancel", runId, "--reason", "client withdrew", "--data-dir", data.toString());

    assertThat(cancel.exitCode()).as(cancel.err()).isZero();
    assertThat(cancel.out()).contains("cancelled (was paused)");
    try (Store store = SqliteStore.open(data, false)) {
      Run r = store.run(runId).orElseThrow();
      assertThat(r.state()).isEqualTo(RunState.CANCELLED);
      assertThat(r.reason().orElseThrow()).contains("client withdrew");
      assertThat(store.tasks(runId))
          .noneMatch(t -> t.state() == org.bookcreator.core.run.TaskState.QUEUED);
    }
    Cli again =
        Cli.run("runs", "cancel", runId, "--reason", "twice", "--data-dir", data.toString());
    assertThat(again.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(again.err()).contains("is cancelled and cannot be cancelled");
    assertThat(
            Cli.run("runs", "cancel", "run_nope", "--reason", "x", "--data-dir", data.toString())
                .err())
        .contains("no run run_nope");
  }
}
