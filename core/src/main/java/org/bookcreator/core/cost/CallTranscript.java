package org.bookcreator.core.cost;

import java.util.Objects;
import java.util.Optional;

/**
 * One model call of a task with what it sent: its ledger row (the answer in {@code
 * call.response()}) and its prompt, empty for calls recorded before prompts were kept.
 */
public record CallTranscript(LedgerEntry call, Optional<CallPrompt> prompt) {
  public CallTranscript {
    Objects.requireNonNull(call, "call");
    prompt = Objects.requireNonNullElse(prompt, Optional.empty());
  }
}
