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
    if (inputTokens < 0 || outputTokens < 0 || cacheReadTokens < 0 || cacheWriteTokens < 0
        || reasoningTokens < 0) {
      throw new IllegalArgumentException("token counts must not be negative");
    }
  }

  public static Usage of(long input, long output) {
    return new Usage(input, output, 0, 0, 0);
  }

  public long total() {
    return inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens;
  }
}
