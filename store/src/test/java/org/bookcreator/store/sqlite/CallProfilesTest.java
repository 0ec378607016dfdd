package org.bookcreator.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Call profiles per role and per provider and model: counts, errors by type, latency quantiles. */
class CallProfilesTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

  @TempDir Path dir;
  private SqliteStore store;

  @BeforeEach
  void open() {
    store = SqliteStore.open(dir.resolve("data"), true);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /**
   * Latencies 1 to 20 ms: the nearest-rank p50 is 10 ms (a bucket bound, read as itself), the p95
   * 19 ms, in the bucket up to 25 ms, read as 25 (exact to a bucket, see LatencyBuckets); the mean
   * is exact.
   */
  @Test
  void callProfiles_countErrorsByType_andTakeNearestRankQuantiles_inTheWindowOnly() {
    for (int i = 1; i <= 20; i++)
      store.recordCall(
          call(
              "c" + i,
              i,
              i == 7 ? Optional.of("rate_limited") : Optional.empty(),
              T0.plusSeconds(i)));
    store.recordCall(call("old", 5000, Optional.of("timeout"), T0.minusSeconds(60)));

    List<Store.CallProfile> byRole = store.callProfiles(T0, true);
    List<Store.CallProfile> byModel = store.callProfiles(T0, false);

    assertThat(byRole)
        .containsExactly(
            new Store.CallProfile(
                List.of("PLANNER"), 20, Map.of("rate_limited", 1L), 10, 25, 10.5));
    assertThat(byModel)
        .containsExactly(
            new Store.CallProfile(
                List.of("openai", "m1"), 20, Map.of("rate_limited", 1L), 10, 25, 10.5));
  }

  private static LedgerEntry call(String id, long latencyMs, Optional<String> error, Instant at) {
    return new LedgerEntry(
        id,
        "p1",
        "r1",
        "t_" + id,
        Stage.OUTLINE,
        AgentRole.PLANNER,
        0,
        "openai",
        "m1",
        new Usage(10, 10, 0, 0, 0),
        Optional.of(BigDecimal.ONE),
        Optional.of("test"),
        latencyMs,
        error.isPresent() ? LedgerEntry.ERROR : LedgerEntry.OK,
        error,
        Optional.empty(),
        at);
  }
}
