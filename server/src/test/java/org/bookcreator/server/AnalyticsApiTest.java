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
      assertThat(budgets.get("total").asLong()).isEqualTo(1);
      assertThat(budgets.get("limit").asInt()).as("the default page").isEqualTo(50);
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

  @Test
  void budgets_comeInPagesMostUsedFirst_withTheTotal() throws Exception {
    try (TestServer t = new TestServer(dir, Optional.empty(), 64 * 1024)) {
      Instant now = Instant.now();
      // Budgets of $1, each project spending its number in quarters: p3 used 75%, p2 50%, p1 25%;
      // p0 has no budget.
      for (int i = 0; i < 4; i++) {
        t.store.createProject(
            new Project(
                "p" + i,
                "Book " + i,
                "fiction",
                Optional.empty(),
                "b",
                1,
                i == 0 ? Optional.empty() : Optional.of(BigDecimal.ONE),
                List.of(),
                now));
      }
      for (int i = 1; i < 4; i++) {
        t.store.recordCall(
            call(
                "c" + i,
                "m",
                new BigDecimal("0.25").multiply(BigDecimal.valueOf(i)),
                now,
                "p" + i));
      }

      JsonNode first = Json.parse(t.send("GET", "/api/budgets?limit=2", null, null).body());
      JsonNode second =
          Json.parse(t.send("GET", "/api/budgets?limit=2&offset=2", null, null).body());
      HttpResponse<String> zero = t.send("GET", "/api/budgets?limit=0", null, null);
      HttpResponse<String> huge = t.send("GET", "/api/budgets?limit=501", null, null);

      assertThat(first.get("total").asLong()).as("budgeted projects only").isEqualTo(3);
      assertThat(first.get("items").valueStream().map(b -> b.get("project_id").asString()))
          .containsExactly("p3", "p2");
      assertThat(first.get("items").get(0).get("share_used").asString()).isEqualTo("0.7500");
      assertThat(second.get("items").valueStream().map(b -> b.get("project_id").asString()))
          .containsExactly("p1");
      assertThat(second.get("offset").asInt()).isEqualTo(2);
      assertThat(zero.statusCode()).isEqualTo(400);
      assertThat(zero.body()).contains("limit");
      assertThat(huge.statusCode()).isEqualTo(400);
    }
  }

  private static LedgerEntry call(String id, String model, BigDecimal cost, Instant at) {
    return call(id, model, cost, at, "p1");
  }

  private static LedgerEntry call(
      String id, String model, BigDecimal cost, Instant at, String projectId) {
    return new LedgerEntry(
        id,
        projectId,
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
