package org.bookcreator.core.llm;

/**
 * Token usage of one call, normalised: {@code inputTokens} excludes cached tokens, which are
 * counted apart in {@code cacheReadTokens} and {@code cacheWriteTokens}. Adapters convert each
 * provider's convention into this one before anything is priced.
 */
public record Usage(
    long inputTokens,
    long outputTokens,
    long cacheReadTokens,
    long cacheWriteTokens,
    long reasoningTokens) {
  public static final Usage NONE = new Usage(0, 0, 0, 0, 0);

  public Usage {
    if (inputTokens < 0
        || outputTokens < 0
        || cacheReadTokens < 0
        || cacheWriteTokens < 0
        || reasoningTokens < 0) {
      throw new IllegalArgumentException("token counts must not be negative");
    }
  }

  public static Usage of(long input, long output) {
    return new Usage(input, output, 0, 0, 0);
  }

  /**
   * OpenAI-style usage: {@code prompt_tokens} includes the cached ones ({@code
   * prompt_tokens_details.cached_tokens}); {@code completion_tokens} includes reasoning tokens.
   */
  public static Usage fromOpenAi(
      long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens) {
    if (cachedTokens > promptTokens) {
      throw new IllegalArgumentException(
          "cached tokens (" + cachedTokens + ") exceed prompt tokens (" + promptTokens + ")");
    }
    return new Usage(
        promptTokens - cachedTokens, completionTokens, cachedTokens, 0, reasoningTokens);
  }

  /**
   * Anthropic-style usage: {@code input_tokens} excludes cache reads ({@code
   * cache_read_input_tokens}) and cache writes ({@code cache_creation_input_tokens}), which are
   * reported beside it.
   */
  public static Usage fromAnthropic(
      long inputTokens, long outputTokens, long cacheReadTokens, long cacheCreationTokens) {
    return new Usage(inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens, 0);
  }

  public long total() {
    return inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens;
  }
}
