package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.bookcreator.core.support.Json;
import org.bookcreator.store.sqlite.SqliteStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The cost report a user runs after the demo, checked against a direct sum over the ledger. */
class CostReportTest {
  @TempDir static Path dir;
  static Path data;

  @BeforeAll
  static void demo() {
    data = dir.resolve("data");
    Cli demo = Cli.run("demo", "--books", "4", "--latency", "0ms", "--data-dir", data.toString());
    assertThat(demo.exitCode()).as(demo.err()).isZero();
  }

  private static BigDecimal ledgerSum(String where) throws Exception {
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve(SqliteStore.DB_FILE));
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT COALESCE(SUM(cost_picousd), 0), COUNT(*) FROM llm_calls " + where)) {
      rs.next();
      return new BigDecimal(BigInteger.valueOf(rs.getLong(1)), 12);
    }
  }

  @Test
  void byStage_json_totalEqualsTheDirectLedgerSum_andCategoryAggregatesArePresent()
      throws Exception {
    Cli report =
        Cli.run(
            "cost", "report", "--by", "stage", "--format", "json", "--data-dir", data.toString());

    assertThat(report.exitCode()).as(report.err()).isZero();
    JsonNode r = Json.parse(report.out());
    BigDecimal total = new BigDecimal(r.path("total").path("cost_usd").asString());
    assertThat(total).isEqualByComparingTo(ledgerSum(""));
    BigDecimal sumOfLines = BigDecimal.ZERO;
    for (JsonNode l : r.path("lines"))
      sumOfLines = sumOfLines.add(new BigDecimal(l.path("cost_usd").asString()));
    assertThat(sumOfLines).isEqualByComparingTo(total);
    assertThat(r.path("lines").size()).isGreaterThanOrEqualTo(7);
    assertThat(r.path("categories"))
        .hasSize(4)
        .allSatisfy(
            c -> {
              assertThat(c.path("completed_runs").asLong()).isEqualTo(1);
              assertThat(c.path("average_completion_seconds").asDouble()).isPositive();
              assertThat(new BigDecimal(c.path("average_cost_usd").asString())).isPositive();
              assertThat(new BigDecimal(c.path("cost_per_1000_words_usd").asString())).isPositive();
            });
  }

  /**
   * The library's figures are the whole library's: a run's report leaves them out, in every form.
   */
  @Test
  void aRunsReport_hasItsOwnLines_withoutTheLibraryAnalytics() throws Exception {
    String run;
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve(SqliteStore.DB_FILE));
        ResultSet rs = c.createStatement().executeQuery("SELECT run_id FROM llm_calls LIMIT 1")) {
      rs.next();
      run = rs.getString(1);
    }
    Cli json =
        Cli.run("cost", "report", "--run", run, "--format", "json", "--data-dir", data.toString());
    Cli table = Cli.run("cost", "report", "--run", run, "--data-dir", data.toString());
    Cli whole = Cli.run("cost", "report", "--data-dir", data.toString());

    JsonNode r = Json.parse(json.out());
    assertThat(new BigDecimal(r.path("total").path("cost_usd").asString()))
        .isEqualByComparingTo(ledgerSum("WHERE run_id = '" + run + "'"))
        .isPositive();
    assertThat(r.path("categories")).isEmpty();
    assertThat(r.path("books_per_stage")).isEmpty();
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out()).doesNotContain("Books by category").contains("total");
    assertThat(whole.out()).contains("Books by category", "Books in progress by stage");
  }

  @Test
  void filtersAndCombinedGroupings_matchTheLedger() throws Exception {
    Cli report =
        Cli.run(
            "cost",
            "report",
            "--category",
            "fiction",
            "--by",
            "agent,model",
            "--format",
            "json",
            "--data-dir",
            data.toString());

    JsonNode r = Json.parse(report.out());
    assertThat(new BigDecimal(r.path("total").path("cost_usd").asString()))
        .isEqualByComparingTo(
            ledgerSum("WHERE project_id IN (SELECT id FROM projects WHERE category = 'fiction')"));
    assertThat(r.path("lines").get(0).path("group").has("agent")).isTrue();
    assertThat(r.path("lines").get(0).path("group").has("model")).isTrue();
  }

  @Test
  void everyFormat_rendersTheSameTotal() throws Exception {
    String exact = ledgerSum("").toPlainString();

    assertThat(Cli.run("cost", "report", "--format", "csv", "--data-dir", data.toString()).out())
        .contains(exact);
    assertThat(
            Cli.run(
                    "cost",
                    "report",
                    "--by",
                    "category,day",
                    "--format",
                    "markdown",
                    "--data-dir",
                    data.toString())
                .out())
        .contains("| TOTAL")
        .contains(exact)
        .contains("## Books by category");
    assertThat(Cli.run("cost", "report", "--by", "provider", "--data-dir", data.toString()).out())
        .contains("TOTAL")
        .contains("total cost $" + exact)
        .contains("Books by category");
  }

  @Test
  void badArguments_areNamed() {
    Cli by = Cli.run("cost", "report", "--by", "colour", "--data-dir", data.toString());
    assertThat(by.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(by.err()).contains("cannot group by 'colour'");

    Cli since = Cli.run("cost", "report", "--since", "yesterday", "--data-dir", data.toString());
    assertThat(since.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(since.err()).contains("--since").contains("YYYY-MM-DD");

    Cli format = Cli.run("cost", "report", "--format", "pdf", "--data-dir", data.toString());
    assertThat(format.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
  }

  @Test
  void reprice_dryRunChangesNothing_thenRepricesKeepingHistory_andReportsFollow() throws Exception {
    Path work = dir.resolve("reprice");
    Cli run =
        Cli.run("run", CliTest.example("dragon.yaml").toString(), "--data-dir", work.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    BigDecimal before = sum(work);
    Path prices =
        java.nio.file.Files.writeString(
            dir.resolve("prices.yaml"),
            """
            prices:
              - provider: simulated
                model: sim-standard
                input: 2.00
                output: 8.00
                effective_from: 2025-01-01
            """);
    Path config =
        java.nio.file.Files.writeString(dir.resolve("c.yaml"), "prices:\n  file: " + prices + "\n");

    Cli dry =
        Cli.run(
            "cost",
            "reprice",
            "--since",
            "2020-01-01",
            "--dry-run",
            "--config",
            config.toString(),
            "--data-dir",
            work.toString());

    assertThat(dry.exitCode()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("dry run: nothing changed").contains("difference +$");
    assertThat(sum(work)).isEqualByComparingTo(before);

    Cli real =
        Cli.run(
            "cost",
            "reprice",
            "--since",
            "2020-01-01",
            "--config",
            config.toString(),
            "--data-dir",
            work.toString());

    assertThat(real.exitCode()).as(real.err()).isZero();
    BigDecimal after = sum(work);
    assertThat(after).isEqualByComparingTo(before.multiply(new BigDecimal("2")));
    assertThat(real.out()).contains("repriced");
    try (var store = SqliteStore.open(work, false)) {
      var call = store.calls(store.runs(java.util.Optional.empty()).get(0).id()).get(0);
      assertThat(call.priceVersion()).contains("simulated/sim-standard@2025-01-01");
      assertThat(store.repricingHistory(call.callId()))
          .singleElement()
          .satisfies(
              h -> {
                assertThat(h.oldCost().orElseThrow().multiply(new BigDecimal("2")))
                    .isEqualByComparingTo(h.newCost().orElseThrow());
              });
    }
    JsonNode report =
        Json.parse(
            Cli.run("cost", "report", "--format", "json", "--data-dir", work.toString()).out());
    assertThat(new BigDecimal(report.path("total").path("cost_usd").asString()))
        .isEqualByComparingTo(after);

    Cli again =
        Cli.run(
            "cost",
            "reprice",
            "--since",
            "2020-01-01",
            "--config",
            config.toString(),
            "--data-dir",
            work.toString());
    assertThat(again.out()).contains("0 would change");
  }

  private static BigDecimal sum(Path data) throws Exception {
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve(SqliteStore.DB_FILE));
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT COALESCE(SUM(cost_picousd), 0) FROM llm_calls")) {
      rs.next();
      return new BigDecimal(BigInteger.valueOf(rs.getLong(1)), 12);
    }
  }

  @Test
  void aModelWithoutAPrice_isRecordedUnpriced_neverAsZero_andEveryReportFlagsIt() throws Exception {
    Path work = dir.resolve("unpriced");

    Cli run =
        Cli.run(
            "run",
            CliTest.example("dragon.yaml").toString(),
            "--model",
            "sim-mystery",
            "--data-dir",
            work.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + work.resolve(SqliteStore.DB_FILE));
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT COUNT(*), SUM(CASE WHEN cost_picousd IS NULL THEN 1 ELSE 0 END) FROM"
                        + " llm_calls WHERE model = 'sim-mystery'")) {
      rs.next();
      assertThat(rs.getLong(1)).isPositive();
      assertThat(rs.getLong(2)).as("every call unpriced").isEqualTo(rs.getLong(1));
    }
    assertThat(Cli.run("cost", "report", "--data-dir", work.toString()).out())
        .contains("WARNING")
        .contains("have no price");
    JsonNode json =
        Json.parse(
            Cli.run("cost", "report", "--format", "json", "--data-dir", work.toString()).out());
    assertThat(json.path("total").path("unpriced_calls").asLong()).isPositive();
    assertThat(
            Cli.run("cost", "report", "--format", "markdown", "--data-dir", work.toString()).out())
        .contains("unpriced call(s)");
  }
}
