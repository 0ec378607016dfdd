package org.bookcreator.core.view;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.project.Project;

/**
 * A project as the product shows it: the accepted brief's fields, and either its latest run (in
 * lists) or all its runs (alone). Either may be absent.
 */
public record ProjectView(
    String id,
    String title,
    String category,
    Optional<String> audience,
    int chapters,
    Optional<BigDecimal> budgetUsd,
    boolean pauseAtBudget,
    List<String> references,
    Instant createdAt,
    Optional<RunView> latestRun,
    Optional<List<RunView>> runs) {
  public ProjectView {
    references = List.copyOf(references);
    runs = runs.map(List::copyOf);
  }

  static ProjectView of(Project p, Optional<RunView> latestRun, Optional<List<RunView>> runs) {
    return new ProjectView(
        p.id(),
        p.title(),
        p.category(),
        p.audience(),
        p.chapters(),
        p.budgetUsd(),
        p.pauseAtBudget(),
        p.references(),
        p.createdAt(),
        latestRun,
        runs);
  }
}
