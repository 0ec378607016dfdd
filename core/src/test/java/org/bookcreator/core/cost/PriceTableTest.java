package org.bookcreator.core.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.telemetry.ModelLabels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTableTest {
  private static final LocalDate DAY = LocalDate.parse("2026-06-01");
  private final PriceTable prices = PriceTable.defaults();
  @TempDir Path dir;

  private BigDecimal cost(String provider, String model, Usage usage) {
    return PriceTable.cost(prices.find(provider, model, DAY).orElseThrow(), usage);
  }

  @Test
  void datedSnapshots_theProvidersAnswerWith_arePricedAsTheirAlias() {
    assertThat(prices.find("openai", "gpt-4o-mini-2024-07-18", DAY))
        .isEqualTo(prices.find("openai", "gpt-4o-mini", DAY))
        .isPresent();
    assertThat(prices.find("anthropic", "claude-sonnet-4-5-20250929", DAY))
        .isEqualTo(prices.find("anthropic", "claude-sonnet-4-5", DAY))
        .isPresent();
    assertThat(prices.find("openai", "gpt-4o-2024-08-06", DAY).orElseThrow().model())
        .isEqualTo("gpt-4o");
    assertThat(prices.find("openai", "gpt-9-2024-01-01", DAY)).as("no alias, no price").isEmpty();
    assertThat(prices.find("openai", "gpt-4o-mini-preview", DAY)).isEmpty();
    assertThat(prices.find("anthropic", "gpt-4o-mini-2024-07-18", DAY))
        .as("a snapshot is priced by its own provider only")
        .isEmpty();
  }

  @Test
  void openAiUsage_countsCachedTokensOnce_atTheCachedPrice() {
    // gpt-4o: $2.50 in, $10.00 out, $1.25 cached, per million tokens. 10,000 prompt tokens of which
    // 4,000 cached, 2,000 completion: (6,000 x 2.50 + 4,000 x 1.25 + 2,000 x 10.00) / 1,000,000
    // = (15,000 + 5,000 + 20,000) / 1,000,000 = $0.04.
    Usage u = Usage.fromOpenAi(10_000, 2_000, 4_000, 500);

    assertThat(u.inputTokens()).isEqualTo(6_000);
    assertThat(u.cacheReadTokens()).isEqualTo(4_000);
    assertThat(u.reasoningTokens()).isEqualTo(500);
    assertThat(cost("openai", "gpt-4o", u)).isEqualByComparingTo("0.040000000000");
  }

  @Test
  void anthropicUsage_pricesCacheReadsAndWritesBesideInput() {
    // claude-sonnet-4-5: $3 in, $15 out, $0.30 cache read, $3.75 cache write per million.
    // 1,000 in + 20,000 cache read + 5,000 cache write + 800 out:
    // 3,000 + 6,000 + 18,750 + 12,000 = 39,750 per million = $0.03975.
    Usage u = Usage.fromAnthropic(1_000, 800, 20_000, 5_000);

    assertThat(cost("anthropic", "claude-sonnet-4-5", u)).isEqualByComparingTo("0.039750000000");
  }

  @Test
  void cachedTokensBeyondThePrompt_areRejected() {
    assertThatThrownBy(() -> Usage.fromOpenAi(10, 5, 11, 0))
        .hasMessageContaining("exceed prompt tokens");
  }

  @Test
  void unknownModel_hasNoPrice_ratherThanZero() {
    assertThat(prices.find("openai", "gpt-unknown", DAY)).isEmpty();
  }

  @Test
  void thePriceInForce_dependsOnTheDate() {
    PriceTable t =
        prices.with(
            List.of(
                new Price(
                    "openai",
                    "gpt-4o",
                    new BigDecimal("5"),
                    new BigDecimal("20"),
                    BigDecimal.ZERO,
                    BigDecimal.ZERO,
                    LocalDate.parse("2026-07-01"))));

    assertThat(t.find("openai", "gpt-4o", DAY).orElseThrow().inputPerMillion())
        .isEqualByComparingTo("2.50");
    assertThat(
            t.find("openai", "gpt-4o", LocalDate.parse("2026-07-02"))
                .orElseThrow()
                .inputPerMillion())
        .isEqualByComparingTo("5");
    assertThat(t.find("openai", "gpt-4o", LocalDate.parse("2026-07-02")).orElseThrow().version())
        .isEqualTo("openai/gpt-4o@2026-07-01");
  }

  @Test
  void costs_areExact_neverFloatingPoint() {
    Price odd =
        new Price(
            "x",
            "m",
            new BigDecimal("0.0375"),
            new BigDecimal("0.15"),
            BigDecimal.ZERO,
            BigDecimal.ZERO,
            DAY);

    assertThat(PriceTable.cost(odd, Usage.of(1, 1))).isEqualByComparingTo("0.0000001875");
    assertThat(PriceTable.cost(odd, Usage.of(3, 0)).scale()).isEqualTo(PriceTable.COST_SCALE);
  }

  @Test
  void priceFile_overridesAndExtends_andReportsEveryProblem() throws Exception {
    Path ok =
        Files.writeString(
            dir.resolve("p.yaml"),
            """
            prices:
              - provider: openai
                model: my-finetune
                input: 1.10
                output: 4.40
                cache_read: 0.55
                effective_from: 2026-01-01
            """);
    assertThat(prices.with(PriceFile.read(ok)).find("openai", "my-finetune", DAY)).isPresent();

    Path bad =
        Files.writeString(
            dir.resolve("b.yaml"),
            """
            prices:
              - provider: openai
                input: -1
                output: abc
                colour: red
                effective_from: June
            """);
    assertThatThrownBy(() -> PriceFile.read(bad))
        .hasMessageContaining("prices[0].model: required")
        .hasMessageContaining("prices[0].input: must not be negative")
        .hasMessageContaining("prices[0].output: must be a number")
        .hasMessageContaining("unknown field 'colour'")
        .hasMessageContaining("expected YYYY-MM-DD");
  }

  @Test
  void nanInfinityAndAbsurdPrices_areBadInput_namingTheField() throws Exception {
    Path bad =
        Files.writeString(
            dir.resolve("nan.yaml"),
            """
            prices:
              - provider: openai
                model: a
                input: .nan
                output: .inf
                cache_read: 1e400
                effective_from: 2026-01-01
              - provider: openai
                model: b
                input: 99999
                output: 1
                effective_from: 2026-01-01
            """);

    assertThatThrownBy(() -> PriceFile.read(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prices[0].input: must be a finite number")
        .hasMessageContaining("prices[0].output: must be a finite number")
        .hasMessageContaining("prices[0].cache_read: must be a finite number")
        .hasMessageContaining("prices[1].input: at most 10000 USD per million tokens");
  }

  @Test
  void shippedCatalogue_pricesTheCurrentModels_andTheirSnapshots_eachFromASource() {
    for (String model :
        List.of(
            "gpt-4o-2024-11-20",
            "gpt-4o-mini-2024-07-18",
            "gpt-4.1-2025-04-14",
            "gpt-4.1-mini-2025-04-14",
            "gpt-4.1-nano-2025-04-14",
            "o3-2025-04-16",
            "o4-mini-2025-04-16",
            "gpt-5-2025-08-07",
            "gpt-5-mini-2025-08-07",
            "gpt-5-nano-2025-08-07")) {
      assertThat(prices.find("openai", model, DAY)).as(model).isPresent();
    }
    for (String model :
        List.of(
            "claude-opus-4-1-20250805",
            "claude-opus-4-20250514",
            "claude-opus-4-5-20251101",
            "claude-sonnet-4-5-20250929",
            "claude-sonnet-4-20250514",
            "claude-haiku-4-5-20251001",
            "claude-3-5-haiku-20241022")) {
      assertThat(prices.find("anthropic", model, DAY)).as(model).isPresent();
    }
    assertThat(prices.prices()).allSatisfy(p -> assertThat(p.source()).as(p.version()).isPresent());
    assertThat(prices.find("openai", "gpt-4o-2024-05-13", DAY).orElseThrow().inputPerMillion())
        .as("the first gpt-4o snapshot keeps its own, higher price")
        .isEqualByComparingTo("5.00");
    assertThat(prices.find("openai", "o3", LocalDate.parse("2025-05-01")).orElseThrow().version())
        .isEqualTo("openai/o3@2025-04-16");
    assertThat(prices.find("openai", "o3", DAY).orElseThrow().outputPerMillion())
        .as("o3 after its price cut")
        .isEqualByComparingTo("8.00");
  }

  @Test
  void declaredAliases_arePricedAsTheirModel() throws Exception {
    PriceTable t =
        prices.with(
            PriceFile.read(
                Files.writeString(
                    dir.resolve("aliases.yaml"),
                    """
                    prices:
                      - provider: openai
                        model: house-writer
                        aliases: [house-writer-latest, writer-v2]
                        input: 0.50
                        output: 1.50
                        effective_from: 2026-01-01
                    """)));

    assertThat(t.find("openai", "writer-v2", DAY).orElseThrow().version())
        .isEqualTo("openai/house-writer@2026-01-01");
    assertThat(t.find("openai", "house-writer-latest-2026-03-01", DAY).orElseThrow().model())
        .as("a dated snapshot of an alias")
        .isEqualTo("house-writer");
    assertThat(t.find("anthropic", "writer-v2", DAY)).isEmpty();
    assertThat(prices.find("openai", "gpt-5-chat-latest", DAY).orElseThrow().model())
        .isEqualTo("gpt-5");
    assertThat(prices.find("anthropic", "claude-opus-4-0", DAY).orElseThrow().model())
        .isEqualTo("claude-opus-4");
  }

  @Test
  void theAnsweredModel_isPricedFirst_theRequestedOneSecond() {
    assertThat(prices.find("openai", "gpt-4o-mini-2024-07-18", "gpt-4o", DAY).orElseThrow().model())
        .as("answered wins")
        .isEqualTo("gpt-4o-mini");
    assertThat(prices.find("openai", "router/whatever-it-ran", "gpt-4o", DAY).orElseThrow().model())
        .as("requested when the answer is unknown")
        .isEqualTo("gpt-4o");
    assertThat(prices.find("openai", "router/whatever-it-ran", "default", DAY)).isEmpty();
  }

  @Test
  void freeModels_costExactlyNothing_wildcardsMatchLast_mostSpecificFirst() throws Exception {
    PriceTable t =
        prices.with(
            PriceFile.read(
                Files.writeString(
                    dir.resolve("local.yaml"),
                    """
                    prices:
                      - provider: openai
                        model: "*"
                        free: true
                      - provider: openai
                        model: "llama3*"
                        free: true
                      - provider: openai
                        model: "qwen*-paid"
                        input: 0.10
                        output: 0.20
                        effective_from: 2026-01-01
                    """)));

    Price llama = t.find("openai", "llama3.1:8b", DAY).orElseThrow();
    assertThat(llama.free()).isTrue();
    assertThat(llama.version()).isEqualTo("openai/llama3*@1970-01-01");
    assertThat(PriceTable.cost(llama, Usage.of(12_000, 3_000))).isEqualByComparingTo("0");
    assertThat(t.find("openai", "mistral:7b", DAY).orElseThrow().model()).isEqualTo("*");
    assertThat(t.find("openai", "qwen2.5-paid", DAY).orElseThrow().inputPerMillion())
        .isEqualByComparingTo("0.10");
    assertThat(t.find("openai", "gpt-4o-mini-2024-07-18", DAY).orElseThrow().model())
        .as("a catalogued name beats any wildcard")
        .isEqualTo("gpt-4o-mini");
    assertThat(t.find("openai", "llama3.1:8b", "gpt-4o", DAY).orElseThrow().model())
        .as("a requested catalogued name beats a wildcard matching the answer")
        .isEqualTo("gpt-4o");
    assertThat(t.find("anthropic", "llama3.1:8b", DAY))
        .as("wildcards keep to their provider")
        .isEmpty();
  }

  @Test
  void modelLabels_nameTheCatalogueModel_orOther() throws Exception {
    ModelLabels labels =
        prices
            .with(
                PriceFile.read(
                    Files.writeString(
                        dir.resolve("labels.yaml"),
                        """
                        prices:
                          - provider: openai
                            model: "llama3*"
                            free: true
                        """)))
            .modelLabels();

    assertThat(labels.label("openai", "gpt-4o-mini-2024-07-18")).isEqualTo("gpt-4o-mini");
    assertThat(labels.label("anthropic", "claude-sonnet-4-5-20250929"))
        .isEqualTo("claude-sonnet-4-5");
    assertThat(labels.label("openai", "gpt-5-chat-latest")).isEqualTo("gpt-5");
    assertThat(labels.label("openai", "llama3.2:3b")).isEqualTo("llama3*");
    assertThat(labels.label("openai", "gpt-9-2030-01-01")).isEqualTo(ModelLabels.OTHER);
    assertThat(labels.label("openai", "o3"))
        .as("a model priced from a later day is still catalogued")
        .isEqualTo("o3");
  }

  private static Price aliased(String model, String alias) {
    return new Price(
        "openai",
        model,
        List.of(alias),
        BigDecimal.ONE,
        BigDecimal.ONE,
        BigDecimal.ZERO,
        BigDecimal.ZERO,
        DAY,
        false,
        Optional.empty());
  }

  @Test
  void oneAliasDeclaredByTwoModels_isRejected() {
    List<Price> both = List.of(aliased("a", "shared"), aliased("b", "shared"));

    assertThatThrownBy(() -> new PriceTable(both))
        .hasMessageContaining("alias 'shared' of openai is declared by both 'a' and 'b'");
  }

  @Test
  void priceFile_namesBadFreeEntries_aliasesAndDuplicates() throws Exception {
    Path bad =
        Files.writeString(
            dir.resolve("bad-free.yaml"),
            """
            prices:
              - provider: openai
                model: local
                free: yes-please
              - provider: openai
                model: local-2
                free: true
                input: 0.10
              - provider: openai
                model: m
                input: 1
                output: 2
                effective_from: 2026-01-01
              - provider: openai
                model: m
                input: 1
                output: 3
                effective_from: 2026-01-01
              - provider: openai
                model: n
                aliases: ["n-*", 3]
                input: 1
                output: 2
                effective_from: 2026-01-01
            """);

    assertThatThrownBy(() -> PriceFile.read(bad))
        .hasMessageContaining("prices[0].free: must be true or false")
        .hasMessageContaining("prices[1].input: a free model costs nothing")
        .hasMessageContaining("prices[3]: a second entry for openai/m@2026-01-01")
        .hasMessageContaining(
            "prices[4].aliases: each must be a model name without '*', got \"n-*\"")
        .hasMessageContaining("got 3");
  }
}
