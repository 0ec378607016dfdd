package org.bookcreator.core.cost;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;

/**
 * One model call, successful or not. {@code callId} is unique: writing the same call twice keeps
 * one row. {@code response} keeps the answer so that a resume after a crash reuses it instead of
 * paying for the call again. {@code costUsd} is empty when the model has no price (unpriced).
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
  public static final String OK = "ok";
  public static final String ERROR = "error";

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
