package org.bookcreator.telemetry;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it reaches a log, a span, the store or an error message: every
 * configured secret value (API keys and the like) and anything shaped like a credential (bearer
 * tokens, {@code sk-...} keys, {@code api_key=...} pairs). Immutable and thread-safe.
 */
public final class Redactor {
  public static final String MASK = "[REDACTED]";

  /** Configured values shorter than this are ignored: masking them would mangle ordinary text. */
  public static final int MIN_SECRET_LENGTH = 6;

  private static final List<Pattern> SHAPES =
      List.of(
          Pattern.compile("(?i)\\bBearer\\s+[A-Za-z0-9._~+/=-]{8,}"),
          Pattern.compile("\\bsk-[A-Za-z0-9_-]{12,}"),
          Pattern.compile(
              "(?i)\\b(api[_-]?key|x-api-key|authorization|password|passwd|secret|access[_-]?token)(\"?\\s*[:=]\\s*\"?)[^\\s\",;}]{4,}"));

  private final List<String> secrets;

  public Redactor(Collection<String> secrets) {
    this.secrets =
        secrets.stream()
            .filter(Objects::nonNull)
            .map(String::strip)
            .filter(s -> s.length() >= MIN_SECRET_LENGTH)
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
  }

  public static Redactor none() {
    return new Redactor(List.of());
  }

  /** A redactor that also masks {@code more}. */
  public Redactor with(Collection<String> more) {
    List<String> all = new java.util.ArrayList<>(secrets);
    all.addAll(more);
    return new Redactor(all);
  }

  /**
   * A cheap scan that rules out most text before the (costlier) credential patterns run: it looks
   * for the first letters of the patterns' keywords, and checks only the keywords that start there.
   */
  static boolean mayHoldCredential(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      boolean hit =
          switch (s.charAt(i)) {
            case 'B', 'b' -> s.regionMatches(true, i, "bearer", 0, 6);
            case 's' -> s.regionMatches(i, "sk-", 0, 3) || s.regionMatches(true, i, "secret", 0, 6);
            case 'S' -> s.regionMatches(true, i, "secret", 0, 6);
            case 'A', 'a' ->
                s.regionMatches(true, i, "api", 0, 3)
                    || s.regionMatches(true, i, "authorization", 0, 13)
                    || s.regionMatches(true, i, "access", 0, 6);
            case 'P', 'p' -> s.regionMatches(true, i, "passw", 0, 5);
            case 'X', 'x' -> s.regionMatches(true, i, "x-api", 0, 5);
            default -> false;
          };
      if (hit) return true;
    }
    return false;
  }

  public String redact(String text) {
    if (text == null || text.isEmpty()) return text;
    String out = text;
    for (String s : secrets) {
      if (out.contains(s)) out = out.replace(s, MASK);
    }
    if (!mayHoldCredential(out)) return out;
    for (int i = 0; i < SHAPES.size(); i++) {
      Pattern p = SHAPES.get(i);
      if (i == 2) out = p.matcher(out).replaceAll("$1$2" + MASK);
      else out = p.matcher(out).replaceAll(MASK);
    }
    return out;
  }
}
