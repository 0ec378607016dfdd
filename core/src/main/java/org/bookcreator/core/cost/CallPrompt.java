package org.bookcreator.core.cost;

import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.bookcreator.core.llm.Message;

/**
 * What a model call sent, as the ledger keeps it: the request's messages, each headed by its role
 * ({@code [system]}, {@code [user]}, {@code [assistant]}), secrets masked, and at most {@link
 * #LIMIT} characters. A longer prompt keeps its head and ends in {@link #TRUNCATED} followed by how
 * much was kept; {@code chars} is the length of the whole masked prompt.
 */
public record CallPrompt(String text, long chars) {
  /** The most characters kept of one prompt (64 Ki): a chapter's facts and draft fit. */
  public static final int LIMIT = 64 * 1024;

  /** What ends a prompt that was cut. */
  public static final String TRUNCATED = "\n[truncated: ";

  public CallPrompt {
    Objects.requireNonNull(text, "text");
    if (chars < 0) throw new IllegalArgumentException("chars must be >= 0, was " + chars);
  }

  /** Whether the kept text is shorter than what was sent. */
  public boolean truncated() {
    return chars > text.length();
  }

  /**
   * The prompt of {@code messages}, masked by {@code mask} (the redactor) before it is bounded, so
   * that a cut never splits a secret into a part the mask no longer recognises.
   */
  public static CallPrompt of(List<Message> messages, UnaryOperator<String> mask) {
    StringBuilder all = new StringBuilder();
    for (Message m : messages) {
      if (!all.isEmpty()) all.append("\n\n");
      all.append('[').append(m.role()).append("]\n").append(m.content());
    }
    return bounded(mask.apply(all.toString()), LIMIT);
  }

  /** {@code text} cut to at most {@code limit} characters, marker included. */
  static CallPrompt bounded(String text, int limit) {
    if (text.length() <= limit) return new CallPrompt(text, text.length());
    String marker =
        TRUNCATED + "kept the first %d of %d characters]".formatted(limit, text.length());
    int keep = Math.max(0, limit - marker.length());
    // Not between the two halves of a surrogate pair.
    if (keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) keep--;
    String kept =
        text.substring(0, keep)
            + TRUNCATED
            + "kept the first %d of %d characters]".formatted(keep, text.length());
    return new CallPrompt(kept, text.length());
  }
}
