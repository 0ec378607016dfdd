package org.bookcreator.core.project;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.telemetry.Redactor;

/**
 * What a user writes to start a book: validated, with reference paths already resolved against the
 * brief's own folder. Build one with {@link BriefParser}.
 */
public record Brief(
    String title,
    String category,
    Optional<String> audience,
    String text,
    int chapters,
    Optional<BigDecimal> budgetUsd,
    List<Path> references,
    boolean pauseAtBudget) {
  public static final int MAX_TITLE = 200;
  public static final int MIN_CHAPTERS = 1;
  public static final int MAX_CHAPTERS = 100;

  public Brief(
      String title,
      String category,
      Optional<String> audience,
      String text,
      int chapters,
      Optional<BigDecimal> budgetUsd,
      List<Path> references) {
    this(title, category, audience, text, chapters, budgetUsd, references, true);
  }

  /**
   * This brief with credential-shaped text masked in its title, audience and text: a key pasted
   * into a brief reaches neither the store nor a provider.
   */
  public Brief masked(Redactor redactor) {
    return new Brief(
        redactor.redact(title),
        category,
        audience.map(redactor::redact),
        redactor.redact(text),
        chapters,
        budgetUsd,
        references,
        pauseAtBudget);
  }

  public Brief {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(text, "text");
    audience = Objects.requireNonNullElse(audience, Optional.empty());
    budgetUsd = Objects.requireNonNullElse(budgetUsd, Optional.empty());
    references = List.copyOf(references);
    if (chapters < MIN_CHAPTERS || chapters > MAX_CHAPTERS) {
      throw new IllegalArgumentException("chapters must be 1..100, was " + chapters);
    }
  }
}
