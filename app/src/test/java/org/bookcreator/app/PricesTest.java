package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.support.Json;
import org.bookcreator.store.sqlite.SqliteStore;
import org.bookcreator.telemetry.sdk.LogSetup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Prices for the names providers answer with: a server that answers with dated snapshots as the
 * real APIs do, a local server's model declared free, and {@code cost prices} finding the models
 * without a price, whose {@code cost reprice} command then prices them.
 */
class PricesTest {
  @TempDir Path dir;

  @AfterEach
  void quiet() {
    LogSetup.stop();
  }

  /** A finished book: its run, its ledger rows and the metrics scraped when it ended. */
  private record Book(Run run, List<LedgerEntry> ledger, String metrics) {}

  /** One book of one chapter through the OpenAI adapter against {@code server}. */
  private Book oneBook(Path data, OpenAiWireServer server, String model, Path config)
      throws Exception {
    Map<Setting<?>, String> flags = new HashMap<>();
    flags.put(Setting.DATA_DIR, data.toString());
    flags.put(Setting.PROVIDER, "openai");
    flags.put(Setting.MODEL, model);
    Settings settings = Settings.load(config, Map.of("OPENAI_BASE_URL", server.baseUrl()), flags);
    try (Engine engine =
        Engine.open(
            settings,
            Observability.start(settings, Observability.Mode.FOREGROUND),
            Engine.Use.PIPELINE)) {
      engine.pipeline().start(true);
      Project p =
          new Project(
              engine.ids.next("prj"),
              "Lights Over HTTP",
              "non-fiction",
              Optional.empty(),
              "A short history of lighthouses.",
              1,
              Optional.empty(),
              List.of(),
              engine.clock.instant());
      engine.store.createProject(p);
      Run run =
          engine
              .pipeline()
              .completion(engine.runs.start(p.id(), 1, "test").id())
              .get(60, TimeUnit.SECONDS);
      return new Book(run, engine.store.calls(run.id()), engine.telemetry.scrape());
    }
  }

  /** A server that answers every request with {@code model}, whatever was asked for. */
  private static OpenAiWireServer answeringAs(String model) throws Exception {
    return OpenAiWireServer.start(Optional.of(model), Duration.ZERO, (n, exchange) -> false);
  }

  private static JsonNode report(Path data) {
    Cli report = Cli.run("cost", "report", "--format", "json", "--data-dir", data.toString());
    assertThat(report.exitCode()).as(report.err()).isZero();
    return Json.parse(report.out()).path("total");
  }

  private Path config(String prices) throws Exception {
    Path file = Files.writeString(dir.resolve("prices.yaml"), prices);
    return Files.writeString(dir.resolve("config.yaml"), "prices:\n  file: " + file + "\n");
  }

  @Test
  void aServerAnsweringWithDatedSnapshots_hasEveryCallPriced_andMetricsNameTheCatalogueModel()
      throws Exception {
    Path data = dir.resolve("data");
    Book book;
    try (OpenAiWireServer openAi = answeringAs("gpt-4o-mini-2024-07-18")) {
      book = oneBook(data, openAi, "gpt-4o-mini", null);
    }

    assertThat(book.run().state()).isEqualTo(RunState.COMPLETED);
    assertThat(book.ledger())
        .isNotEmpty()
        .allSatisfy(
            e -> {
              assertThat(e.model())
                  .as("the ledger keeps the answered name")
                  .isEqualTo("gpt-4o-mini-2024-07-18");
              assertThat(e.priceVersion()).contains("openai/gpt-4o-mini@2024-07-18");
              assertThat(e.costUsd().orElseThrow()).isPositive();
            });
    assertThat(book.metrics())
        .contains("book_creator_cost_usd_total{category=\"non-fiction\",model=\"gpt-4o-mini\",")
        .contains("gen_ai_request_model=\"gpt-4o-mini\"")
        .doesNotContain("gpt-4o-mini-2024-07-18")
        .doesNotContain("model=\"other\"")
        .doesNotContain("book_creator_unpriced_calls_total{");
    JsonNode total = report(data);
    assertThat(total.path("unpriced_calls").asLong()).isZero();
    assertThat(new BigDecimal(total.path("cost_usd").asString()))
        .isPositive()
        .isEqualByComparingTo(
            book.ledger().stream()
                .map(e -> e.costUsd().orElseThrow())
                .reduce(BigDecimal.ZERO, BigDecimal::add));
  }

  @Test
  void aLocalServersModelDeclaredFree_costsExactlyNothing_andIsNeverUnpriced() throws Exception {
    Path data = dir.resolve("data");
    Path config =
        config(
            """
            prices:
              - provider: openai
                model: "llama3*"
                free: true
            """);
    Book book;
    try (OpenAiWireServer ollama = answeringAs("llama3.1:8b")) {
      book = oneBook(data, ollama, "llama3.1", config);
    }

    assertThat(book.run().state()).isEqualTo(RunState.COMPLETED);
    assertThat(book.ledger())
        .isNotEmpty()
        .allSatisfy(
            e -> {
              assertThat(e.costUsd().orElseThrow()).as("free, not unpriced").isZero();
              assertThat(e.priceVersion()).contains("openai/llama3*@1970-01-01");
            });
    assertThat(book.metrics())
        .contains("book_creator_cost_usd_total{category=\"non-fiction\",model=\"llama3*\",")
        .doesNotContain("book_creator_unpriced_calls_total{");
    JsonNode total = report(data);
    assertThat(total.path("unpriced_calls").asLong()).isZero();
    assertThat(total.path("calls").asLong()).isEqualTo(book.ledger().size());
    assertThat(new BigDecimal(total.path("cost_usd").asString())).isZero();
    Cli prices =
        Cli.run("cost", "prices", "--config", config.toString(), "--data-dir", data.toString());
    assertThat(prices.out())
        .containsPattern("openai +llama3\\* +- +0 +0 +0 +0 +1970-01-01 +free")
        .contains("none: every call has a price");
  }

  @Test
  void costPrices_listsTheCatalogueAndTheUnpricedModels_andItsRepriceCommandPricesThem()
      throws Exception {
    Path data = dir.resolve("data");
    Cli run =
        Cli.run(
            "run",
            CliTest.example("dragon.yaml").toString(),
            "--model",
            "sim-mystery",
            "--data-dir",
            data.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    long calls = report(data).path("calls").asLong();
    Path config =
        config(
            """
            prices:
              - provider: openai
                model: house-writer
                aliases: [house-writer-latest]
                input: 0.50
                output: 1.50
                effective_from: 2026-01-01
            """);
    String[] where = {"--config", config.toString(), "--data-dir", data.toString()};

    Cli table = cost(where, "cost", "prices");
    Cli json = cost(where, "cost", "prices", "--format", "json");
    Cli csv = cost(where, "cost", "prices", "--format", "csv");

    assertThat(table.exitCode()).as(table.err()).isZero();
    String command =
        table
            .out()
            .lines()
            .filter(l -> l.contains("cost reprice"))
            .findFirst()
            .orElseThrow()
            .strip();
    assertThat(command)
        .matches(
            "bin/book-creator cost reprice --since \\d{4}-\\d{2}-\\d{2} --data-dir \\S+ --config"
                + " \\S+")
        .contains(data.toString(), config.toString());
    assertThat(table.out())
        .containsPattern("openai +gpt-5 +gpt-5-chat-latest +1.25 +10.00 +0.125 +0 +2025-08-07 +-")
        .containsPattern("anthropic +claude-sonnet-4-5 +- +3.00 +15.00 +0.30 +3.75 +2025-09-29")
        .contains("https://platform.claude.com/docs/en/about-claude/pricing")
        .containsPattern(
            "openai +house-writer +house-writer-latest +0.50 +1.50 .* "
                + Pattern.quote(dir.resolve("prices.yaml").toString()))
        .containsPattern("simulated +sim-mystery +" + calls + " +\\S+ +\\S+ +- *\n");
    JsonNode view = Json.parse(json.out());
    assertThat(view.path("reprice_command").asString()).isEqualTo(command);
    assertThat(view.path("unpriced"))
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.path("model").asString()).isEqualTo("sim-mystery");
              assertThat(u.path("calls").asLong()).isEqualTo(calls);
              assertThat(u.has("priced_now_as")).isFalse();
            });
    assertThat(view.path("catalogue"))
        .anySatisfy(
            e -> {
              assertThat(e.path("model").asString()).isEqualTo("gpt-4o-mini");
              assertThat(e.path("cache_read_per_million").asString()).isEqualTo("0.075");
              assertThat(e.path("effective_from").asString()).isEqualTo("2024-07-18");
              assertThat(e.path("version").asString()).isEqualTo("openai/gpt-4o-mini@2024-07-18");
            });
    assertThat(csv.out())
        .startsWith("provider,model,aliases,input_per_million,")
        .contains("\nopenai,gpt-5,gpt-5-chat-latest,1.25,10.00,0.125,0,2025-08-07,,https://")
        .contains("\nsimulated,sim-mystery," + calls + ",");

    Files.writeString(
        dir.resolve("prices.yaml"),
        """
        prices:
          - provider: simulated
            model: sim-mystery
            input: 1.00
            output: 4.00
            effective_from: 2025-01-01
        """);
    Cli reprice = Cli.run(Arrays.copyOfRange(command.split(" "), 1, command.split(" ").length));

    assertThat(reprice.exitCode()).as(reprice.err()).isZero();
    assertThat(reprice.out()).contains("repriced " + calls + " call(s)");
    assertThat(cost(where, "cost", "prices").out()).contains("none: every call has a price");
    JsonNode total = report(data);
    assertThat(total.path("unpriced_calls").asLong()).isZero();
    assertThat(new BigDecimal(total.path("cost_usd").asString())).isPositive();
    try (var store = SqliteStore.open(data, false)) {
      assertThat(store.unpricedModels()).isEmpty();
    }
  }

  @Test
  void costPrices_withoutALedger_listsTheCatalogue_andRejectsAnUnknownFormat() {
    Path data = dir.resolve("empty");

    Cli prices = Cli.run("cost", "prices", "--data-dir", data.toString());
    Cli pdf = Cli.run("cost", "prices", "--format", "pdf", "--data-dir", data.toString());

    assertThat(prices.exitCode()).as(prices.err()).isZero();
    assertThat(prices.out()).contains("claude-haiku-4-5").contains("none: no ledger yet");
    assertThat(pdf.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(pdf.err()).contains("--format must be table, csv or json");
  }

  /** {@code cost ARGS...} in the data directory and with the config of {@code where}. */
  private static Cli cost(String[] where, String... args) {
    String[] all = Arrays.copyOf(args, args.length + where.length);
    System.arraycopy(where, 0, all, args.length, where.length);
    return Cli.run(all);
  }
}
