package org.bookcreator.core.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.bookcreator.core.llm.Usage;
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
            java.util.List.of(
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
}
