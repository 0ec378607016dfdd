package org.bookcreator.core.project;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A book project: the brief as accepted, under a stable id. Runs of it live in {@code Run}. With a
 * budget, crossing 80% and 100% of it records events; at 100% its running runs pause unless {@code
 * pauseAtBudget} is false.
 */
public record Project(
    String id,
    String title,
    String category,
    Optional<String> audience,
    String brief,
    int chapters,
    Optional<BigDecimal> budgetUsd,
    List<String> references,
    Instant createdAt,
    boolean pauseAtBudget) {

  /** A project that pauses its runs when the budget is spent (the default). */
  public Project(
      String id,
      String title,
      String category,
      Optional<String> audience,
      String brief,
      int chapters,
      Optional<BigDecimal> budgetUsd,
      List<String> references,
      Instant createdAt) {
    this(id, title, category, audience, brief, chapters, budgetUsd, references, createdAt, true);
  }

  public Project {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(brief, "brief");
    Objects.requireNonNull(createdAt, "createdAt");
    audience = Objects.requireNonNullElse(audience, Optional.empty());
    budgetUsd = Objects.requireNonNullElse(budgetUsd, Optional.empty());
    references = List.copyOf(references);
    if (chapters < Brief.MIN_CHAPTERS || chapters > Brief.MAX_CHAPTERS) {
      throw new IllegalArgumentException("chapters must be 1..100, was " + chapters);
    }
  }

  public static Project from(String id, Brief brief, Instant createdAt) {
    return new Project(
        id,
        brief.title(),
        brief.category(),
        brief.audience(),
        brief.text(),
        brief.chapters(),
        brief.budgetUsd(),
        brief.references().stream().map(Object::toString).toList(),
        createdAt,
        brief.pauseAtBudget());
  }
}
