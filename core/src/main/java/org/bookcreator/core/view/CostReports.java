package org.bookcreator.core.view;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.cost.BudgetStatus;
import org.bookcreator.core.cost.CategoryStats;
import org.bookcreator.core.cost.CostLine;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.store.Store;

/** Cost reports from the ledger, with library analytics and, for one project, its budget. */
public final class CostReports {
  private final Store store;

  public CostReports(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * The report the query asks for.
   *
   * @throws java.util.NoSuchElementException when the query names a project that does not exist
   */
  public CostReportView report(CostQuery query) {
    boolean library = coversLibrary(query);
    return CostReportView.of(
        query,
        lines(query),
        library ? categories() : List.of(),
        library ? booksPerStage() : List.of(),
        budget(query));
  }

  /**
   * Whether a report carries the library analytics (books by category, books per stage): only a
   * report of the whole library does. They are figures of every run, not of one project's or run's,
   * and reading them costs most of such a report at scale (three reads over every completed run).
   */
  public static boolean coversLibrary(CostQuery query) {
    return query.projectId().isEmpty() && query.runId().isEmpty();
  }

  /**
   * The report's lines, one per group. The store reads them from its rollups when they can answer
   * the query (no project or run, time bounds on whole hours) and from the ledger rows otherwise:
   * the figures are the same either way, so the CLI, the API and the dashboard all read them here.
   */
  public List<CostLine> lines(CostQuery query) {
    return store.costReport(query);
  }

  /** Library analytics per category (every category with a project). */
  public List<CategoryStats> categories() {
    return store.categoryStats();
  }

  /** Active runs per category and current stage, zeros included. */
  public List<Store.StageCount> booksPerStage() {
    return store.activeRunsByStage();
  }

  /** Where the query's project stands against its budget; empty without a project. */
  public Optional<BudgetStatus> budget(CostQuery query) {
    return query.projectId().map(id -> budget(store.project(id).orElseThrow()));
  }

  private BudgetStatus budget(Project p) {
    List<Run> runs = store.runs(Optional.of(p.id()));
    Optional<Run> latest = runs.isEmpty() ? Optional.empty() : Optional.of(runs.getLast());
    return BudgetStatus.of(
        p,
        store.projectSpend(p.id()),
        latest,
        latest.map(r -> store.taskOutcomes(r.id())).orElse(List.of()),
        latest.map(r -> store.totals(r.id()).costUsd()).orElse(BigDecimal.ZERO));
  }
}
