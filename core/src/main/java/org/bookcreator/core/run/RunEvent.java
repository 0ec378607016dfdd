package org.bookcreator.core.run;

import java.time.Instant;
import java.util.Optional;

/**
 * Something worth recording about a run that is not a state change: a schema violation, a retry, a
 * document that could not be parsed. Never silent: every one is stored.
 */
public record RunEvent(
    String runId, Optional<String> taskId, String kind, String detail, Instant at) {
  public static final String SCHEMA_VIOLATION = "schema_violation";
  public static final String RETRY = "retry";
  public static final String DOCUMENT_ERROR = "document_error";
  public static final String CRITIQUE_CAP = "critique_cap_reached";
  public static final String STALLED = "stalled";
  public static final String BUDGET_80 = "budget_80";
  public static final String BUDGET_100 = "budget_100";
}
