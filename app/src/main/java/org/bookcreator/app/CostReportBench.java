package org.bookcreator.app;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostLine;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.store.Store;
import org.bookcreator.store.sqlite.SqliteStore;

/**
 * {@code bench --ledger-rows N}: a fresh store filled with N synthetic ledger rows (100 projects in
 * six categories, 90 days, 10,000 rows per transaction), then {@code cost report --by G} timed
 * in-process after warm-up for each grouping asked for ({@code --report-by each}: no grouping, then
 * every dimension alone).
 *
 * <p>Two shapes of data. {@code random} draws stage, role, provider and model independently, so
 * almost every call is a combination of its own within its hour: the worst case for the rollups,
 * and the data of the first measurements (issue 4). {@code pipeline} draws them as the pipeline
 * writes them: a role of the call's stage, each model at one provider.
 *
 * <p>{@code rollups=false} drops V12's triggers before the fill, the baseline of what they add to
 * ledger writes; the reports are not timed then (the rollups stay empty).
 */
final class CostReportBench {
  private CostReportBench() {}

  private static final String[] CATEGORIES = {
    "fiction", "non-fiction", "technical", "children", "biography", "self-help"
  };

  static int run(
      PrintWriter out,
      Path dir,
      Function<Path, Engine> scratch,
      int rows,
      List<List<CostDimension>> groupings,
      boolean pipelineShape,
      boolean rollups,
      int warmup,
      int repeat) {
    try (Engine engine = scratch.apply(dir)) {
      Store store = engine.store;
      Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
      for (int p = 0; p < 100; p++) {
        store.createProject(
            new Project(
                "p" + p,
                "Book " + p,
                CATEGORIES[p % CATEGORIES.length],
                Optional.empty(),
                "B",
                12,
                Optional.empty(),
                List.of(),
                t0));
        store.createRun("r" + p, "p" + p, 1, "bench", t0);
      }
      if (!rollups) SqliteStore.dropRollupTriggers(dir);
      long fillStart = System.nanoTime();
      fill(store, rows, pipelineShape, t0);
      long fillMs = Duration.ofNanos(System.nanoTime() - fillStart).toMillis();
      out.printf(
          "filled %,d ledger rows (%s shape, rollup triggers %s) in %d ms: %.1f us per row%n",
          rows,
          pipelineShape ? "pipeline" : "random",
          rollups ? "on" : "off",
          fillMs,
          fillMs * 1000.0 / rows);
      if (!rollups) return ExitCodes.OK;
      for (List<CostDimension> by : groupings)
        time(out, engine, CostQuery.all(by), rows, warmup, repeat);
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static void time(
      PrintWriter out, Engine engine, CostQuery query, int rows, int warmup, int repeat) {
    List<Long> report = new ArrayList<>();
    List<Long> full = new ArrayList<>();
    BigDecimal total = BigDecimal.ZERO;
    int lines = 0;
    for (int i = 0; i < warmup + repeat; i++) {
      long start = System.nanoTime();
      List<CostLine> result = engine.costs.lines(query);
      long mid = System.nanoTime();
      // What the API and cost report --format json build: the lines plus library analytics.
      engine.costs.report(query);
      long end = System.nanoTime();
      if (i < warmup) continue;
      report.add(Duration.ofNanos(mid - start).toMillis());
      // report() reads the lines again: its own time is the whole report's.
      full.add(Duration.ofNanos(end - mid).toMillis());
      total = result.stream().map(CostLine::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
      lines = result.size();
    }
    String by = String.join(",", query.by().stream().map(CostDimension::id).toList());
    out.printf(
        "cost report --by %s over %,d rows: lines %s; whole report (with library analytics) %s;"
            + " %d lines, total $%s%n",
        by.isEmpty() ? "(none)" : by,
        rows,
        spread(report),
        spread(full),
        lines,
        total.toPlainString());
  }

  private static String spread(List<Long> ms) {
    List<Long> s = ms.stream().sorted().toList();
    return String.format(
        "median %d ms, min %d ms, max %d ms over %d runs",
        s.get(s.size() / 2), s.getFirst(), s.getLast(), s.size());
  }

  private static void fill(Store store, int rows, boolean pipelineShape, Instant t0) {
    Random random = new Random(1);
    Stage[] stages = Stage.values();
    AgentRole[] roles = AgentRole.values();
    List<LedgerEntry> batch = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      int p = random.nextInt(100);
      Stage stage = stages[random.nextInt(stages.length)];
      AgentRole role =
          pipelineShape
              ? stage.roles().get(random.nextInt(stage.roles().size()))
              : roles[random.nextInt(roles.length)];
      int model = random.nextInt(4);
      String provider =
          pipelineShape
              ? (model < 2 ? "openai" : "anthropic")
              : (random.nextBoolean() ? "openai" : "anthropic");
      batch.add(
          new LedgerEntry(
              "c" + i,
              "p" + p,
              "r" + p,
              "t" + (i % 5000),
              stage,
              role,
              0,
              provider,
              "m" + model,
              new Usage(random.nextInt(8000), random.nextInt(3000), random.nextInt(500), 0, 0),
              Optional.of(BigDecimal.valueOf(random.nextLong(1, 50_000_000_000L), 12)),
              Optional.of("v1"),
              random.nextInt(3000),
              "ok",
              Optional.empty(),
              Optional.empty(),
              t0.plusSeconds(random.nextInt(90 * 24 * 3600))));
      if (batch.size() == 10_000) {
        store.recordCalls(batch);
        batch.clear();
      }
    }
    store.recordCalls(batch);
  }
}
