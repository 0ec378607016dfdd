package org.bookcreator.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostLine;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.cost.PendingCall;
import org.bookcreator.core.cost.Repricing;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.store.jdbc.CostReportSql;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollups (V12) against the ledger they sum: after inserts, completions of written-ahead calls,
 * interruptions and repricing, every grouping and filter the rollups serve gives the very lines the
 * ledger rows give, to the last picodollar.
 */
class CostRollupTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final String[] CATEGORIES = {"fiction", "technical", "children"};

  @TempDir Path dir;
  private SqliteStore store;
  private final Random random = new Random(13);

  @BeforeEach
  void open() {
    store = SqliteStore.open(dir.resolve("data"), true);
    for (int p = 0; p < 6; p++) {
      store.createProject(
          new Project(
              "p" + p,
              "Book " + p,
              CATEGORIES[p % CATEGORIES.length],
              Optional.empty(),
              "B",
              3,
              Optional.empty(),
              List.of(),
              T0));
      store.createRun("r" + p, "p" + p, 1, "test", T0);
    }
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void rollups_equalTheLedger_inEveryGroupingAndFilter_afterInsertsCompletionsAndRepricing() {
    List<LedgerEntry> rows = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) rows.add(randomCall("c" + i, "p" + random.nextInt(6)));
    // A call of a project the store does not know: in the totals, in no category.
    rows.add(randomCall("orphan", "p-unknown"));
    store.recordCalls(rows);
    assertRollupsEqualLedger("after inserts");

    for (int i = 0; i < 200; i++) store.openCall(pendingCall("w" + i));
    assertRollupsEqualLedger("with calls written ahead");

    // Half are answered (by another model, hours later: the row changes buckets and keys), the
    // rest never are.
    for (int i = 0; i < 100; i++) {
      LedgerEntry answer = randomCall("w" + i, "p" + (i % 6));
      assertThat(store.completeCall(answer)).isEqualTo(LedgerEntry.WASTED);
    }
    store.interruptPendingCalls(T0.plus(Duration.ofDays(5)));
    assertRollupsEqualLedger("after completions and interruptions");

    List<Repricing.Change> changes = new ArrayList<>();
    for (LedgerEntry e : store.callsBetween(T0, T0.plus(Duration.ofDays(30)))) {
      if (random.nextInt(3) != 0) continue;
      Optional<BigDecimal> repriced =
          random.nextInt(10) == 0 ? Optional.empty() : Optional.of(randomCost());
      changes.add(
          new Repricing.Change(
              e.callId(),
              e.costUsd(),
              e.priceVersion(),
              repriced,
              repriced.map(c -> "test@2026-03-02")));
    }
    assertThat(changes).hasSizeGreaterThan(500);
    store.applyRepricing(changes, "test", T0.plus(Duration.ofDays(6)));
    assertRollupsEqualLedger("after repricing");
  }

  @Test
  void rollupTotal_isTheExactSumOfThePricedCalls() {
    List<LedgerEntry> rows = new ArrayList<>();
    BigDecimal expected = BigDecimal.ZERO;
    for (int i = 0; i < 2_000; i++) {
      LedgerEntry e = randomCall("c" + i, "p" + random.nextInt(6));
      rows.add(e);
      expected = expected.add(e.costUsd().orElse(BigDecimal.ZERO));
    }
    store.recordCalls(rows);

    CostQuery all = CostQuery.all(List.of(CostDimension.CATEGORY));
    BigDecimal total =
        store.costReport(all).stream()
            .map(CostLine::costUsd)
            .reduce(BigDecimal.ZERO, BigDecimal::add);

    assertThat(CostReportSql.source(all)).isEqualTo(CostReportSql.Source.DAILY);
    assertThat(total).isEqualTo(expected.setScale(12));
  }

  @Test
  void completedBooksCost_followsRepricing() {
    LedgerEntry call = randomCall("c1", "p0");
    store.recordCall(call);
    store.transitionRun("r0", RunState.QUEUED, RunState.RUNNING, "go", T0);
    store.transitionRun("r0", RunState.RUNNING, RunState.COMPLETED, "done", T0.plusSeconds(60));
    BigDecimal repriced =
        call.costUsd().orElse(BigDecimal.ZERO).add(new BigDecimal("0.000000000007"));

    store.applyRepricing(
        List.of(
            new Repricing.Change(
                "c1",
                call.costUsd(),
                call.priceVersion(),
                Optional.of(repriced),
                Optional.of("v2"))),
        "test",
        T0);

    assertThat(store.categoryStats())
        .filteredOn(c -> c.category().equals("fiction"))
        .singleElement()
        .satisfies(c -> assertThat(c.completedCostUsd()).isEqualByComparingTo(repriced));
  }

  @Test
  void reportsTheRollupsCannotAnswer_readTheLedger() {
    store.recordCalls(List.of(randomCall("c1", "p0"), randomCall("c2", "p1")));
    Instant midHour = T0.plus(Duration.ofMinutes(90));
    List<CostQuery> ledgerOnly =
        List.of(
            query(Optional.empty(), Optional.of(midHour), Optional.empty(), List.of()),
            new CostQuery(
                Optional.of("p0"),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(CostDimension.STAGE)),
            query(Optional.empty(), Optional.of(T0), Optional.empty(), List.of(CostDimension.RUN)),
            CostQuery.all(List.of(CostDimension.DAY, CostDimension.PROJECT)),
            CostQuery.all(List.of(CostDimension.STAGE, CostDimension.RUN)));

    for (CostQuery q : ledgerOnly) {
      assertThat(CostReportSql.source(q)).as("%s", q).isEqualTo(CostReportSql.Source.LEDGER);
      assertThat(store.costReport(q)).as("%s", q).isEqualTo(store.costReportFromLedger(q));
    }
  }

  @Test
  void hostileCategory_isAValueNotSql_andMatchesNothing() {
    store.recordCalls(List.of(randomCall("c1", "p0"), randomCall("orphan", "p-unknown")));
    for (String hostile :
        List.of("fiction' OR '1'='1", "", "%", "fiction; DROP TABLE cost_daily")) {
      CostQuery q = query(Optional.of(hostile), Optional.empty(), Optional.empty(), List.of());

      List<CostLine> lines = store.costReport(q);

      assertThat(lines).as(hostile).isEqualTo(store.costReportFromLedger(q));
      assertThat(lines).as(hostile).singleElement().satisfies(l -> assertThat(l.calls()).isZero());
    }
    assertThat(store.costReport(CostQuery.all(List.of())).get(0).calls()).isEqualTo(2);
  }

  @Test
  void migrationV12_backFillsTheRollupsFromTheExistingLedger() throws Exception {
    Path old = dir.resolve("v11");
    Random r = new Random(5);
    try (var c = SqliteStoreTest.schemaAt(old, 11);
        var s = c.createStatement()) {
      s.execute(
          "INSERT INTO projects(id, title, category, brief, chapters, refs, created_at) VALUES"
              + " ('p1', 'T', 'fiction', 'b', 1, '[]', 0), ('p2', 'T', 'technical', 'b', 1, '[]',"
              + " 0)");
      for (int i = 0; i < 500; i++) {
        String cost = r.nextInt(10) == 0 ? "NULL" : Long.toString(r.nextLong(1, 90_000_000_000L));
        String outcome = List.of("ok", "error", "wasted", "interrupted").get(r.nextInt(4));
        s.execute(
            "INSERT INTO llm_calls(call_id, project_id, run_id, task_id, stage, agent_role,"
                + " attempt, provider, model, input_tokens, output_tokens, cache_read_tokens,"
                + " cache_write_tokens, reasoning_tokens, cost_picousd, price_version, latency_ms,"
                + " outcome, error_type, at, est_cost_picousd) VALUES ('c"
                + i
                + "', 'p"
                + (1 + r.nextInt(3))
                + "', 'r1', 't', '"
                + Stage.values()[r.nextInt(Stage.values().length)]
                + "', '"
                + AgentRole.values()[r.nextInt(AgentRole.values().length)]
                + "', 0, 'openai', 'm"
                + r.nextInt(3)
                + "', "
                + r.nextInt(900)
                + ", 7, 1, 0, 0, "
                + cost
                + ", 'v', 12, '"
                + outcome
                + "', "
                + (outcome.equals("error") ? "'timeout'" : "NULL")
                + ", "
                + (T0.toEpochMilli() + r.nextLong(3 * 86_400_000L))
                + ", 1000)");
      }
    }

    try (SqliteStore migrated = SqliteStore.open(old, true)) {
      for (CostQuery q : rollupQueries()) {
        assertThat(migrated.costReport(q)).as("%s", q).isEqualTo(migrated.costReportFromLedger(q));
      }
      assertThat(migrated.costReport(CostQuery.all(List.of())).get(0).calls()).isEqualTo(500);
    }
  }

  private void assertRollupsEqualLedger(String when) {
    for (CostQuery q : rollupQueries()) {
      assertThat(CostReportSql.source(q))
          .as("%s: %s", when, q)
          .isNotEqualTo(CostReportSql.Source.LEDGER);
      List<CostLine> fromRollup = store.costReport(q);
      assertThat(fromRollup).as("%s: %s", when, q).isEqualTo(store.costReportFromLedger(q));
    }
    for (CostQuery q : perRunQueries()) {
      assertThat(CostReportSql.source(q)).as("%s: %s", when, q).isEqualTo(CostReportSql.Source.RUN);
      assertThat(store.costReport(q))
          .as("%s: %s", when, q)
          .isEqualTo(store.costReportFromLedger(q));
    }
    assertThat(store.costReport(CostQuery.all(List.of())).get(0).calls()).as(when).isGreaterThan(0);
  }

  /** The reports run_cost serves (V20): by project or run, or of one, without a time range. */
  private static List<CostQuery> perRunQueries() {
    List<CostQuery> queries = new ArrayList<>();
    for (List<CostDimension> by :
        List.of(
            List.of(CostDimension.PROJECT),
            List.of(CostDimension.RUN),
            List.of(CostDimension.CATEGORY, CostDimension.PROJECT),
            List.of(CostDimension.RUN, CostDimension.PROJECT),
            List.<CostDimension>of())) {
      if (!by.isEmpty()) queries.add(CostQuery.all(by));
      queries.add(
          new CostQuery(
              Optional.of("p1"),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              by));
      queries.add(
          new CostQuery(
              Optional.empty(),
              Optional.of("r2"),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              by));
      if (!by.isEmpty())
        queries.add(query(Optional.of("technical"), Optional.empty(), Optional.empty(), by));
    }
    return queries;
  }

  @Test
  void migrationV20_backFillsRunCostAndTheLatencyRollup_fromTheExistingLedger() throws Exception {
    Path old = dir.resolve("v19");
    Random r = new Random(20);
    Map<String, List<Long>> answeredByRole = new java.util.TreeMap<>();
    try (var c = SqliteStoreTest.schemaAt(old, 19);
        var s = c.createStatement()) {
      s.execute(
          "INSERT INTO projects(id, title, category, brief, chapters, refs, created_at) VALUES"
              + " ('p1', 'T', 'fiction', 'b', 1, '[]', 0), ('p2', 'T', 'technical', 'b', 1, '[]',"
              + " 0)");
      s.execute(
          "INSERT INTO runs(id, project_id, number, state, stage, seed, created_at, updated_at)"
              + " VALUES ('r1', 'p1', 1, 'RUNNING', 'OUTLINE', 1, 0, 0), ('r2', 'p2', 1,"
              + " 'COMPLETED', 'OUTLINE', 1, 0, 0), ('r3', 'p2', 2, 'QUEUED', 'OUTLINE', 1, 0, 0)");
      for (int i = 0; i < 600; i++) {
        String cost = r.nextInt(10) == 0 ? "NULL" : Long.toString(r.nextLong(1, 90_000_000_000L));
        String outcome = List.of("ok", "error", "wasted", "interrupted").get(r.nextInt(4));
        int run = 1 + r.nextInt(3); // r3 gets no calls; "r3" below is r4, of no known run
        String runId = run == 3 ? "r4" : "r" + run;
        String role = AgentRole.values()[r.nextInt(3)].name();
        long latency = r.nextLong(700_000);
        if (!outcome.equals("interrupted"))
          answeredByRole.computeIfAbsent(role, k -> new ArrayList<>()).add(latency);
        s.execute(
            "INSERT INTO llm_calls(call_id, project_id, run_id, task_id, stage, agent_role,"
                + " attempt, provider, model, input_tokens, output_tokens, cache_read_tokens,"
                + " cache_write_tokens, reasoning_tokens, cost_picousd, price_version, latency_ms,"
                + " outcome, error_type, at, est_cost_picousd) VALUES ('c"
                + i
                + "', '"
                + (run == 2 ? "p2" : "p1")
                + "', '"
                + runId
                + "', 't', 'OUTLINE', '"
                + role
                + "', 0, 'openai', 'm"
                + r.nextInt(3)
                + "', "
                + r.nextInt(900)
                + ", 7, 1, 0, 0, "
                + cost
                + ", 'v', "
                + latency
                + ", '"
                + outcome
                + "', "
                + (outcome.equals("error") ? "'timeout'" : "NULL")
                + ", "
                + (T0.toEpochMilli() + r.nextLong(3 * 86_400_000L))
                + ", 1000)");
      }
    }

    try (SqliteStore migrated = SqliteStore.open(old, true)) {
      for (CostQuery q : perRunQueries()) {
        assertThat(migrated.costReport(q)).as("%s", q).isEqualTo(migrated.costReportFromLedger(q));
      }
      assertThat(migrated.costReport(CostQuery.all(List.of(CostDimension.RUN))))
          .extracting(l -> l.keys().getFirst())
          .containsExactly("r1", "r2", "r4");
      Map<String, List<Long>> profiled = new java.util.TreeMap<>();
      for (var p : migrated.callProfiles(T0, true)) {
        List<Long> latencies = answeredByRole.get(p.keys().getFirst()).stream().sorted().toList();
        long p95 = latencies.get((int) Math.max(1, (latencies.size() * 95L + 99) / 100) - 1);
        assertThat(p.calls()).isEqualTo(latencies.size());
        assertThat(p.latencyP95Ms())
            .isEqualTo(
                org.bookcreator.core.store.LatencyBuckets.upperBoundMs(
                    org.bookcreator.core.store.LatencyBuckets.bucketOf(p95)));
        profiled.put(p.keys().getFirst(), latencies);
      }
      assertThat(profiled.keySet()).isEqualTo(answeredByRole.keySet());
    }
  }

  /** Every grouping the rollups serve, alone and combined, with and without filters. */
  private static List<CostQuery> rollupQueries() {
    List<List<CostDimension>> groupings = new ArrayList<>();
    groupings.add(List.of());
    for (CostDimension d : CostDimension.values()) {
      if (d != CostDimension.PROJECT && d != CostDimension.RUN) groupings.add(List.of(d));
    }
    groupings.add(List.of(CostDimension.DAY, CostDimension.CATEGORY, CostDimension.STAGE));
    groupings.add(
        List.of(
            CostDimension.MODEL, CostDimension.PROVIDER, CostDimension.AGENT, CostDimension.DAY));
    List<CostQuery> queries = new ArrayList<>();
    Instant day = T0.plus(Duration.ofDays(1));
    Instant hour = T0.plus(Duration.ofHours(7));
    for (List<CostDimension> by : groupings) {
      queries.add(CostQuery.all(by));
      queries.add(query(Optional.of("technical"), Optional.empty(), Optional.empty(), by));
      queries.add(
          query(Optional.empty(), Optional.of(day), Optional.of(day.plus(Duration.ofDays(1))), by));
      queries.add(query(Optional.of("fiction"), Optional.of(hour), Optional.empty(), by));
      queries.add(
          query(
              Optional.empty(),
              Optional.empty(),
              Optional.of(hour.plus(Duration.ofHours(30))),
              by));
    }
    return queries;
  }

  private static CostQuery query(
      Optional<String> category,
      Optional<Instant> since,
      Optional<Instant> until,
      List<CostDimension> by) {
    return new CostQuery(Optional.empty(), Optional.empty(), category, since, until, by);
  }

  /** An answered call over three days: one in 20 unpriced, one in 15 failed, varied keys. */
  private LedgerEntry randomCall(String callId, String projectId) {
    Stage stage = Stage.values()[random.nextInt(Stage.values().length)];
    boolean failed = random.nextInt(15) == 0;
    Optional<BigDecimal> cost =
        random.nextInt(20) == 0 ? Optional.empty() : Optional.of(randomCost());
    return new LedgerEntry(
        callId,
        projectId,
        "r" + projectId.substring(1),
        "t" + random.nextInt(40),
        stage,
        stage.roles().get(random.nextInt(stage.roles().size())),
        0,
        random.nextBoolean() ? "openai" : "anthropic",
        "m" + random.nextInt(3),
        new Usage(
            random.nextInt(5000), random.nextInt(2000), random.nextInt(100), random.nextInt(9), 3),
        cost,
        cost.map(c -> "test@2026-03-01"),
        random.nextInt(4000),
        failed ? LedgerEntry.ERROR : LedgerEntry.OK,
        failed ? Optional.of("rate_limited") : Optional.empty(),
        Optional.empty(),
        T0.plusMillis(random.nextLong(3 * 86_400_000L)));
  }

  private BigDecimal randomCost() {
    return BigDecimal.valueOf(random.nextLong(1, 90_000_000_000L), 12);
  }

  private PendingCall pendingCall(String callId) {
    int p = random.nextInt(6);
    return new PendingCall(
        callId,
        callId,
        "p" + p,
        "r" + p,
        "task-" + callId,
        Stage.OUTLINE,
        AgentRole.PLANNER,
        0,
        1,
        "worker-1",
        "openai",
        "requested-model",
        1200,
        Optional.of(new BigDecimal("0.000123456789")),
        T0.plusMillis(random.nextLong(3 * 86_400_000L)));
  }
}
