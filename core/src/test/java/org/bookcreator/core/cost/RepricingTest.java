package org.bookcreator.core.cost;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;
import org.junit.jupiter.api.Test;

class RepricingTest {
  private static final Instant AT = Instant.parse("2026-06-01T10:00:00Z");
  private final PriceTable prices = PriceTable.defaults();

  private static LedgerEntry row(
      String callId, String model, Optional<BigDecimal> cost, Optional<String> version) {
    return new LedgerEntry(
        callId,
        "p1",
        "r1",
        "t1",
        Stage.OUTLINE,
        AgentRole.PLANNER,
        1,
        "openai",
        model,
        Usage.of(1_000_000, 100_000),
        cost,
        version,
        10,
        LedgerEntry.OK,
        Optional.empty(),
        Optional.empty(),
        AT);
  }

  @Test
  void aSnapshotRowRecordedUnpriced_isPricedAsItsAlias() {
    var plan =
        Repricing.plan(
            List.of(row("c1", "gpt-4o-mini-2024-07-18", Optional.empty(), Optional.empty())),
            prices);

    // gpt-4o-mini: 1,000,000 input x $0.15 + 100,000 output x $0.60 per million = $0.21.
    assertThat(plan.changes())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.newVersion()).contains("openai/gpt-4o-mini@2024-07-18");
              assertThat(c.newCost().orElseThrow()).isEqualByComparingTo("0.21");
            });
  }

  @Test
  void aRowPricedByItsRequestedModel_keepsThatPrice() {
    BigDecimal cost = new BigDecimal("3.500000000000");

    var plan =
        Repricing.plan(
            List.of(
                row(
                    "c1",
                    "router/served-by-someone",
                    Optional.of(cost),
                    Optional.of("openai/gpt-4o@2024-10-02"))),
            prices);

    assertThat(plan.changes()).isEmpty();
    assertThat(plan.totalAfter()).isEqualByComparingTo(cost);
  }
}
