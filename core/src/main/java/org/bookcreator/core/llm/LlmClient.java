package org.bookcreator.core.llm;

/**
 * The port to a language model provider. Implementations classify every failure into an {@link
 * LlmResult} rather than throwing: only programming errors escape as exceptions. Implementations
 * must be safe to call from many threads.
 */
public interface LlmClient {
  /** The provider name used in the ledger, logs and metrics, e.g. {@code simulated}. */
  String provider();

  LlmResult complete(LlmRequest request);
}
