package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.support.Json;
import org.bookcreator.store.sqlite.SqliteStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Runs left hanging: no progress for too long, or a task whose worker stopped heartbeating. */
class StalledRunsTest {
  @TempDir Path dir;

  @Test
  void stalledRuns_areListed_withTheReason() throws Exception {
    Path data = dir.resolve("data");
    Instant longAgo = Instant.now().minusSeconds(3600);
    try (SqliteStore store = SqliteStore.open(data, true)) {
      for (String id : List.of("idle", "frozen", "fresh")) {
        store.createProject(
            new Project(
                "p-" + id,
                "Book " + id,
                "fiction",
                Optional.empty(),
                "B",
                2,
                Optional.of(BigDecimal.TEN),
                List.of(),
                longAgo));
      }
      store.createRun("run-idle", "p-idle", 1, "test", longAgo);
      store.transitionRun("run-idle", RunState.QUEUED, RunState.RUNNING, "started", longAgo);

      Instant recent = Instant.now().minusSeconds(120);
      store.createRun("run-frozen", "p-frozen", 1, "test", recent);
      store.transitionRun("run-frozen", RunState.QUEUED, RunState.RUNNING, "started", recent);
      store.enqueue(
          "t1",
          "run-frozen",
          new TaskSpec("intake/plan", Stage.INTAKE, TaskKind.PLAN, "{}"),
          recent);
      store.claim("dead-worker", recent, recent.plusSeconds(30));

      Instant now = Instant.now();
      store.createRun("run-fresh", "p-fresh", 1, "test", now);
      store.transitionRun("run-fresh", RunState.QUEUED, RunState.RUNNING, "started", now);
    }

    Cli table = Cli.run("runs", "--stalled", "--older-than", "10m", "--data-dir", data.toString());
    JsonNode json =
        Json.parse(Cli.run("runs", "--stalled", "--json", "--data-dir", data.toString()).out());

    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out())
        .contains("run-idle")
        .contains("no progress")
        .contains("run-frozen")
        .contains("dead-worker")
        .doesNotContain("run-fresh");
    assertThat(json).hasSize(2);
    assertThat(json.findValuesAsString("reason"))
        .anySatisfy(r -> assertThat(r).contains("expired").contains("without a heartbeat"));
    assertThat(
            Cli.run("runs", "--stalled", "--older-than", "soon", "--data-dir", data.toString())
                .exitCode())
        .isEqualTo(ExitCodes.BAD_INPUT);
  }
}
