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
 * @param prompt what the request sends (its messages, secrets masked, bounded: see {@link
 *     CallPrompt}); kept beside the ledger row for the run page's view of the conversation
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
    Instant at,
    Optional<CallPrompt> prompt) {
  public PendingCall {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(logicalId, "logicalId");
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(worker, "worker");
    estCostUsd = Objects.requireNonNullElse(estCostUsd, Optional.empty());
    prompt = Objects.requireNonNullElse(prompt, Optional.empty());
  }

  /** A call whose prompt is not kept. */
  public PendingCall(
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
    this(
        callId,
        logicalId,
        projectId,
        runId,
        taskId,
        stage,
        role,
        attempt,
        claim,
        worker,
        provider,
        model,
        estInputTokens,
        estCostUsd,
        at,
        Optional.empty());
  }
}
