package org.bookcreator.core.view;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The agents' conversation for one task ({@code GET /api/runs/{id}/tasks/{task}/conversation},
 * {@code runs conversation RUN TASK}): the task, its model calls with what each sent and got back
 * (secrets masked), and, for a task of a critique loop, the loop's rounds. Every text is data to
 * show as text, never markup.
 */
public record ConversationView(
    String runId, TaskView task, List<Call> calls, Optional<CritiqueLoop> loop) {

  /**
   * One model call.
   *
   * @param prompt what was sent, each message headed by its role; absent for calls recorded before
   *     prompts were kept
   * @param promptChars the length of the whole prompt; larger than the prompt when it was cut
   * @param answer the model's answer, or the error's message
   */
  public record Call(
      String callId,
      int attempt,
      String provider,
      String model,
      String outcome,
      Optional<String> errorType,
      long inputTokens,
      long outputTokens,
      Optional<BigDecimal> costUsd,
      long latencyMs,
      Instant at,
      Optional<String> prompt,
      Optional<Long> promptChars,
      boolean promptTruncated,
      Optional<String> answer) {}

  /**
   * A critique loop: the critic scores a draft, the author revises it, until the score reaches the
   * threshold or the loop its cap.
   *
   * @param name {@code outline} or {@code chapter-N}
   */
  public record CritiqueLoop(String name, List<Round> rounds) {}

  /**
   * One round of a loop.
   *
   * @param critiqueTask the critic's task of this round (empty while it has not been planned)
   * @param score the critic's score (0 to 10); empty until the critic answered
   * @param revisionTask the task that revised the draft after this round, if there was one
   * @param diff what the revision changed, line by line ({@code -} removed, {@code +} added)
   */
  public record Round(
      int round,
      Optional<String> critiqueTask,
      Optional<String> critiqueState,
      Optional<Double> score,
      Optional<String> verdict,
      List<String> issues,
      Optional<String> revisionTask,
      Optional<String> revisionState,
      Optional<String> diff,
      int linesAdded,
      int linesRemoved) {}
}
