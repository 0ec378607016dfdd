package org.bookcreator.core.llm;

/**
 * The port to a language model provider. Implementations classify every failure into an {@link
 * LlmResult} rather than throwing: only programming errors escape as exceptions. Implementations
 * must be safe to call from many threads.
 */
public interface LlmClient {
  /** The provider name used in the ledger, logs and metrics, e.g. {@code simulated}. */
  String provider();

  /**
   * The host this client calls ({@code server.address} on its spans and GenAI metrics), e.g. {@code
   * api.openai.com}: one fixed value per configured client, so the label stays bounded. By default
   * the provider name, for clients that call no server.
   */
  default String serverAddress() {
    return provider();
  }

  LlmResult complete(LlmRequest request);
}
