package org.bookcreator.core.cost;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;

/**
 * One model call, successful or not. {@code callId} is unique per physical request: writing the
 * same call twice keeps one row. {@code response} keeps the answer so that a resume after a crash
 * reuses it instead of paying for the call again. {@code costUsd} is empty when the model has no
 * price (unpriced), and for a call whose answer never came ({@link #PENDING}, {@link #INTERRUPTED}:
 * see {@link PendingCall} for what is known of those).
 */
public record LedgerEntry(
    String callId,
    String projectId,
    String runId,
    String taskId,
    Stage stage,
    AgentRole role,
    int attempt,
    String provider,
    String model,
    Usage usage,
    Optional<BigDecimal> costUsd,
    Optional<String> priceVersion,
    long latencyMs,
    String outcome,
    Optional<String> errorType,
    Optional<String> response,
    Instant at) {
  /** Answered, and the answer used. */
  public static final String OK = "ok";

  /** Answered with an error. */
  public static final String ERROR = "error";

  /** Sent, answer not arrived yet. */
  public static final String PENDING = "pending";

  /** Sent, and its answer will never be used: the process ended or its lease was lost first. */
  public static final String INTERRUPTED = "interrupted";

  /**
   * Answered (and paid for) after its worker lost the task: another worker had taken it over, so
   * the answer was recorded but not used.
   */
  public static final String WASTED = "wasted";

  /** Whether the provider answered this call: its usage and cost are known. */
  public boolean answered() {
    return !outcome.equals(PENDING) && !outcome.equals(INTERRUPTED);
  }

  public LedgerEntry {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(usage, "usage");
    costUsd = Objects.requireNonNullElse(costUsd, Optional.empty());
    priceVersion = Objects.requireNonNullElse(priceVersion, Optional.empty());
    errorType = Objects.requireNonNullElse(errorType, Optional.empty());
    response = Objects.requireNonNullElse(response, Optional.empty());
  }
}
