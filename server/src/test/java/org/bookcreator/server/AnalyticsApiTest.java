package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The analytics endpoints over HTTP: the CSV of a cost report, budgets, and bad parameters. */
class AnalyticsApiTest {
  @TempDir Path dir;

  @Test
  void costsCsv_hasTheReportsExactLines_budgetsShowTheShareUsed_andBadParametersAre400()
      throws Exception {
    try (TestServer t = new TestServer(dir, Optional.empty(), 64 * 1024)) {
      t.pipeline.close();
      Instant now = Instant.now();
      t.store.createProject(
          new Project(
              "p1",
              "Budgeted",
              "fiction",
              Optional.empty(),
              "b",
              1,
              Optional.of(new BigDecimal("2")),
              List.of(),
              now));
      t.store.recordCall(call("c1", "=cmd()", new BigDecimal("0.500000000001"), now));
      t.store.recordCall(call("c2", "m,2", new BigDecimal("0.25"), now));

      HttpResponse<String> csv = t.send("GET", "/api/costs.csv?by=model&since=1d", null, null);
      JsonNode budgets = Json.parse(t.send("GET", "/api/budgets", null, null).body());
      HttpResponse<String> badBy = t.send("GET", "/api/costs.csv?by=colour", null, null);
      HttpResponse<String> badSince = t.send("GET", "/api/library?since=yesterday", null, null);

      assertThat(csv.statusCode()).isEqualTo(200);
      assertThat(csv.headers().firstValue("Content-Type")).get().asString().startsWith("text/csv");
      assertThat(csv.body().lines().toList())
          .containsExactly(
              "model,calls,failed,unpriced,input_tokens,output_tokens,cache_read_tokens,"
                  + "cache_write_tokens,reasoning_tokens,cost_usd,wasted,interrupted,"
                  + "interrupted_est_usd",
              "'=cmd(),1,0,0,10,10,4,0,0,0.500000000001,0,0,0.000000000000",
              "\"m,2\",1,0,0,10,10,4,0,0,0.250000000000,0,0,0.000000000000",
              "TOTAL,2,0,0,20,20,8,0,0,0.750000000001,0,0,0.000000000000");
      assertThat(budgets.get("items")).hasSize(1);
      assertThat(budgets.get("items").get(0).get("spent_usd").asString())
          .isEqualTo("0.750000000001");
      assertThat(budgets.get("items").get(0).get("share_used").asString()).isEqualTo("0.3750");
      assertThat(budgets.get("items").get(0).get("projected_usd").asString())
          .as("no open run: the projection is what was spent")
          .isEqualTo("0.750000000001");
      assertThat(budgets.get("items").get(0).get("projected_share").asString()).isEqualTo("0.3750");
      JsonNode providers = Json.parse(t.send("GET", "/api/providers", null, null).body());
      JsonNode model = providers.get("items").get(0);
      assertThat(model.get("error_rate").asDouble()).isEqualTo(0.0);
      assertThat(model.get("input_tokens").asLong()).isEqualTo(10);
      assertThat(model.get("cache_read_tokens").asLong()).isEqualTo(4);
      assertThat(model.get("cache_hit_ratio").asDouble()).isEqualTo(4.0 / 14);
      assertThat(badBy.statusCode()).isEqualTo(400);
      assertThat(badSince.statusCode()).isEqualTo(400);
    }
  }

  private static LedgerEntry call(String id, String model, BigDecimal cost, Instant at) {
    return new LedgerEntry(
        id,
        "p1",
        "r1",
        "t_" + id,
        Stage.OUTLINE,
        AgentRole.PLANNER,
        0,
        "openai",
        model,
        new Usage(10, 10, 4, 0, 0),
        Optional.of(cost),
        Optional.of("test"),
        100,
        LedgerEntry.OK,
        Optional.empty(),
        Optional.empty(),
        at);
  }
}
