package org.bookcreator.core.project;

import java.util.List;

/** A brief that cannot be used, with every problem found (not only the first). */
public final class BriefException extends RuntimeException {
  private final List<String> problems;

  public BriefException(String source, List<String> problems) {
    super("invalid brief " + source + ":\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
