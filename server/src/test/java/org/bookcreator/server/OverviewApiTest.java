package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The Overview's endpoints over HTTP against the store's data: throughput and cost per book from
 * the runs that ended, and the open runs' progress and forecast from the completed runs' stages.
 */
class OverviewApiTest {
  @TempDir Path dir;

  @Test
  void throughput_countsTheRunsThatEnded_andActiveRuns_forecastFromTheCategorysHistory()
      throws Exception {
    try (TestServer t = new TestServer(dir, Optional.empty(), 64 * 1024)) {
      t.pipeline.close();
      Store store = t.store;
      Instant now = Instant.now();
      Instant hour = now.truncatedTo(ChronoUnit.HOURS);
      Instant ran = hour.minus(2, ChronoUnit.HOURS).plusSeconds(300);
      project(store, "p1", "fiction", now);
      project(store, "p2", "history", now);
      project(store, "p3", "fiction", now);
      project(store, "p4", "poetry", now);
      running(store, "r1", "p1", ran);
      stage(store, "r1", Stage.OUTLINE, ran, ran.plusSeconds(40));
      store.recordCall(call("c1", "p1", "r1", new BigDecimal("0.5"), ran));
      store.transitionRun("r1", RunState.RUNNING, RunState.COMPLETED, "done", ran.plusSeconds(60));
      running(store, "r2", "p2", ran);
      store.transitionRun("r2", RunState.RUNNING, RunState.FAILED, "boom", hour.minusSeconds(3000));
      running(store, "r3", "p3", now);
      stage(store, "r3", Stage.INTAKE, now, now);
      store.recordCall(call("c3", "p3", "r3", new BigDecimal("0.1"), now));
      store.enqueue(
          "t3", "r3", new TaskSpec("outline", Stage.OUTLINE, TaskKind.OUTLINE, "{}"), now);
      store.createRun("r4", "p4", 1, "queued", now);

      JsonNode hourly =
          Json.parse(
              t.send(
                      "GET",
                      "/api/throughput?bucket=hour&since=" + hour.minusSeconds(3 * 3600),
                      null,
                      null)
                  .body());
      JsonNode daily =
          Json.parse(
              t.send("GET", "/api/throughput?bucket=day&zone=Asia/Tokyo&since=2d", null, null)
                  .body());
      JsonNode active = Json.parse(t.send("GET", "/api/runs/active", null, null).body());
      int badBucket = t.send("GET", "/api/throughput?bucket=year", null, null).statusCode();
      int badZone = t.send("GET", "/api/throughput?zone=Mars/Base", null, null).statusCode();
      int tooManyHours =
          t.send("GET", "/api/throughput?bucket=hour&since=100d", null, null).statusCode();
      int tooManyDays =
          t.send("GET", "/api/throughput?bucket=day&since=1900-01-01", null, null).statusCode();

      assertThat(hourly.get("bucket").asString()).isEqualTo("hour");
      assertThat(hourly.get("times")).hasSize(4);
      assertThat(longs(hourly.get("completed"))).containsExactly(0L, 1L, 0L, 0L);
      assertThat(longs(hourly.get("failed")))
          .containsExactly(0L, 0L, 1L, 0L)
          .as("r2 failed an hour ago");
      assertThat(hourly.get("cost_per_book_usd").get(1).asString()).isEqualTo("0.500000");
      assertThat(hourly.get("cost_per_book_usd").get(0).isNull()).isTrue();
      JsonNode total = hourly.get("total");
      assertThat(total.get("completed").asLong()).isEqualTo(1);
      assertThat(total.get("failed").asLong()).isEqualTo(1);
      assertThat(new BigDecimal(total.get("completed_cost_usd").asString()))
          .isEqualByComparingTo("0.5");
      assertThat(total.get("completion_rate").asDouble()).isEqualTo(0.5);
      assertThat(daily.get("zone").asString()).isEqualTo("Asia/Tokyo");
      assertThat(daily.get("times").get(0).asString()).endsWith("T15:00:00Z");
      assertThat(daily.get("total").get("completed").asLong()).isEqualTo(1);
      assertThat(badBucket).isEqualTo(400);
      assertThat(badZone).isEqualTo(400);
      assertThat(tooManyHours).isEqualTo(400);
      assertThat(tooManyDays).isEqualTo(400);

      JsonNode items = active.get("items");
      assertThat(items).hasSize(2);
      assertThat(active.get("total").asLong()).isEqualTo(2);
      JsonNode r3 = items.get(0);
      assertThat(r3.get("run_id").asString()).isEqualTo("r3");
      assertThat(r3.get("forecast_basis").asString()).isEqualTo("category");
      assertThat(r3.get("stages_done").asLong()).isEqualTo(1);
      assertThat(r3.get("tasks_done").asLong()).isEqualTo(0);
      assertThat(r3.get("tasks_total").asLong()).isEqualTo(1);
      assertThat(r3.get("spent_usd").asString()).isEqualTo("0.100000000000");
      assertThat(r3.get("remaining_seconds").asLong()).isEqualTo(40);
      assertThat(r3.get("cost_to_complete_usd").asString()).isEqualTo("0.500000");
      assertThat(r3.get("projected_total_usd").asString()).isEqualTo("0.600000000000");
      JsonNode r4 = items.get(1);
      assertThat(r4.get("run_id").asString()).isEqualTo("r4");
      assertThat(r4.get("forecast_basis").asString()).isEqualTo("all_categories");
      assertThat(r4.get("remaining_seconds").asLong()).isEqualTo(40);
    }
  }

  private static List<Long> longs(JsonNode array) {
    List<Long> out = new ArrayList<>();
    for (JsonNode n : array) out.add(n.asLong());
    return out;
  }

  private static void project(Store store, String id, String category, Instant at) {
    store.createProject(
        new Project(
            id, "T " + id, category, Optional.empty(), "b", 1, Optional.empty(), List.of(), at));
  }

  private static void running(Store store, String run, String project, Instant at) {
    store.createRun(run, project, 1, "test", at);
    store.transitionRun(run, RunState.QUEUED, RunState.RUNNING, "started", at);
  }

  private static void stage(Store store, String run, Stage stage, Instant from, Instant to) {
    store.transitionStage(
        run, stage, StageState.PENDING, StageState.RUNNING, Optional.empty(), 0, "go", from);
    store.transitionStage(
        run, stage, StageState.RUNNING, StageState.COMPLETED, Optional.empty(), 1, "done", to);
  }

  private static LedgerEntry call(
      String id, String project, String run, BigDecimal cost, Instant at) {
    return new LedgerEntry(
        id,
        project,
        run,
        "t_" + id,
        Stage.OUTLINE,
        AgentRole.PLANNER,
        0,
        "openai",
        "m",
        new Usage(10, 10, 0, 0, 0),
        Optional.of(cost),
        Optional.of("test"),
        100,
        LedgerEntry.OK,
        Optional.empty(),
        Optional.empty(),
        at);
  }
}
