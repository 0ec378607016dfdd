package org.bookcreator.core.cost;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;

/**
 * A model call as it is written to the ledger before its request is sent (outcome {@link
 * LedgerEntry#PENDING}). Should the answer never come, the row stays in the ledger as {@link
 * LedgerEntry#INTERRUPTED} with what was known when it was sent: the estimated input tokens and
 * their estimated cost, priced at the requested model.
 *
 * @param callId unique per physical request: {@code TASK/aATTEMPT/kCLAIM/cN}
 * @param logicalId the call as a resume looks for it: {@code TASK/aATTEMPT/cN}
 * @param claim the task's claim epoch (how many times it had been claimed, this claim included)
 * @param worker the worker that holds the task at that claim
 */
public record PendingCall(
    String callId,
    String logicalId,
    String projectId,
    String runId,
    String taskId,
    Stage stage,
    AgentRole role,
    int attempt,
    int claim,
    String worker,
    String provider,
    String model,
    long estInputTokens,
    Optional<BigDecimal> estCostUsd,
    Instant at) {
  public PendingCall {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(logicalId, "logicalId");
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(worker, "worker");
    estCostUsd = Objects.requireNonNullElse(estCostUsd, Optional.empty());
  }
}
