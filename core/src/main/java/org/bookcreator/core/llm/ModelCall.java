package org.bookcreator.core.llm;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * One model call once its ledger row is committed: what was asked of which provider, how it ended,
 * what it cost and what it was for. {@link ModelCallTelemetry} records its span, metrics and log
 * line from this.
 *
 * @param provider the provider's name ({@link LlmClient#provider()})
 * @param cost the exact cost in US dollars; empty when the model has no price
 */
public record ModelCall(
    String provider,
    LlmRequest request,
    Context context,
    LlmResult result,
    Optional<BigDecimal> cost) {
  public ModelCall {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(cost, "cost");
  }

  /**
   * What a call is for, known before it is made.
   *
   * @param callId the call's ledger id ({@code TASK/aATTEMPT/cN})
   * @param runId the run it works for (a span attribute)
   * @param attempt the task's attempt, 0 on the first try (a span attribute)
   * @param stage the stage's id (a metric label)
   * @param category the project's category (a metric label)
   */
  public record Context(String callId, String runId, int attempt, String stage, String category) {
    public Context {
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(runId, "runId");
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(category, "category");
    }
  }
}
