package org.bookcreator.core.llm;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.run.TaskKind;

/**
 * One model call. {@code responseSchema}, when present, is the JSON Schema the answer must satisfy
 * (adapters send it as the provider's structured-output format). {@code hints} carry bounded,
 * non-secret facts about the call (chapter number, iteration, book title) that the simulated
 * provider uses to shape its answer; real providers ignore them. {@code callKey} is unique per call
 * within the run and deterministic across restarts. {@code requestId}, when present, is the
 * ledger's id of this very request; adapters send it as the {@code X-Client-Request-Id} header so
 * that a provider's records can be matched with the ledger's.
 */
public record LlmRequest(
    String model,
    TaskKind kind,
    String callKey,
    List<Message> messages,
    Optional<String> responseSchema,
    Map<String, String> hints,
    Duration timeout,
    Optional<String> requestId) {
  public LlmRequest(
      String model,
      TaskKind kind,
      String callKey,
      List<Message> messages,
      Optional<String> responseSchema,
      Map<String, String> hints,
      Duration timeout) {
    this(model, kind, callKey, messages, responseSchema, hints, timeout, Optional.empty());
  }

  public LlmRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(callKey, "callKey");
    messages = List.copyOf(messages);
    responseSchema = Objects.requireNonNullElse(responseSchema, Optional.empty());
    hints = Map.copyOf(hints);
    Objects.requireNonNull(timeout, "timeout");
    requestId = Objects.requireNonNullElse(requestId, Optional.empty());
  }

  /** Characters of all messages: a rough size of what is sent, before any tokenizer sees it. */
  public long characters() {
    return messages.stream().mapToLong(m -> m.content().length()).sum();
  }
}
