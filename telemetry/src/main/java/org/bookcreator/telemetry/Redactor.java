package org.bookcreator.telemetry;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it reaches a log, a span, the store or an error message: every
 * configured secret value (API keys and the like) and anything shaped like a credential (bearer
 * tokens, {@code sk-...} keys, AWS access key ids, {@code api_key=...} and {@code "password":
 * "..."} pairs). Immutable and thread-safe.
 */
public final class Redactor {
  public static final String MASK = "[REDACTED]";

  /** Configured values shorter than this are ignored: masking them would mangle ordinary text. */
  public static final int MIN_SECRET_LENGTH = 6;

  /**
   * Where a credential may start: not inside a word, but right after a JSON escape such as the
   * {@code \n} of {@code "...\npassword: ..."}, since serialized documents are masked too.
   */
  private static final String START = "(?:(?<![A-Za-z0-9])|(?<=\\\\[nrt]))";

  /** Credentials recognised by their shape alone; every match is masked whole. */
  private static final List<Pattern> SHAPES =
      List.of(
          Pattern.compile(START + "(?i:Bearer)\\s+[A-Za-z0-9._~+/=-]{8,}"),
          Pattern.compile(START + "sk-[A-Za-z0-9_-]{12,}"),
          // AWS access key ids: long-term (AKIA) and temporary (ASIA).
          Pattern.compile(START + "(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])"));

  /**
   * A credential's name, its separator and its value: {@code password=...}, {@code "api_key":
   * "..."}, {@code Authorization: Basic ...}. The name may end a longer one ({@code client_secret},
   * {@code db_password}). Group 3 is the value; it ends at a JSON escape such as {@code \n}, which
   * is the text's and not the secret's.
   */
  private static final Pattern ASSIGNMENT =
      Pattern.compile(
          START
              + "(?i)(api[_-]?key|x-api-key|authorization|password|passwd|secret|access[_-]?token)"
              + "(\"?\\s*[:=]\\s*['\"]?)((?:(?:basic|bearer|digest|token)\\s+)?"
              + "(?:[^\\s\"',;}\\\\]|\\\\(?![nrt\"])){4,})");

  /**
   * A value that reads as a word of prose, such as the {@code unsupported} of {@code passwd:
   * unsupported}: letters only, at most 20 of them, no capital after the first, perhaps followed by
   * punctuation that ends a phrase.
   */
  private static final Pattern WORD = Pattern.compile("[A-Za-z][a-z]{3,19}[.!?)\\]:]*");

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
   * for the first two letters of the patterns' keywords, and checks only the keyword that starts
   * with them. Prose is full of a's; looking at the letter after one first spares the five keyword
   * comparisons an 'a' would start (a fifth of a 50-book run's redaction time went there).
   */
  static boolean mayHoldCredential(String s) {
    int n = s.length() - 1; // every keyword has a second letter
    for (int i = 0; i < n; i++) {
      char next = s.charAt(i + 1);
      boolean hit =
          switch (s.charAt(i)) {
            case 'B', 'b' -> isE(next) && s.regionMatches(true, i, "bearer", 0, 6);
            case 's' ->
                next == 'k'
                    ? s.regionMatches(i, "sk-", 0, 3)
                    : isE(next) && s.regionMatches(true, i, "secret", 0, 6);
            case 'S' -> isE(next) && s.regionMatches(true, i, "secret", 0, 6);
            case 'A', 'a' ->
                switch (next) {
                  case 'P', 'p' -> s.regionMatches(true, i, "api", 0, 3);
                  case 'C', 'c' -> s.regionMatches(true, i, "access", 0, 6);
                  case 'U', 'u' -> s.regionMatches(true, i, "authorization", 0, 13);
                  case 'K' -> s.regionMatches(i, "AKIA", 0, 4);
                  case 'S' -> s.regionMatches(i, "ASIA", 0, 4);
                  default -> false;
                };
            case 'P', 'p' ->
                (next == 'a' || next == 'A') && s.regionMatches(true, i, "passw", 0, 5);
            case 'X', 'x' -> next == '-' && s.regionMatches(true, i, "x-api", 0, 5);
            default -> false;
          };
      if (hit) return true;
    }
    return false;
  }

  private static boolean isE(char c) {
    return c == 'e' || c == 'E';
  }

  public String redact(String text) {
    if (text == null || text.isEmpty()) return text;
    String out = text;
    for (String s : secrets) {
      if (out.contains(s)) out = out.replace(s, MASK);
    }
    if (!mayHoldCredential(out)) return out;
    for (Pattern p : SHAPES) out = p.matcher(out).replaceAll(MASK);
    return ASSIGNMENT.matcher(out).replaceAll(Redactor::maskValue);
  }

  /**
   * Masks an assignment's value. After {@code =} or an opening quote the value is a secret whatever
   * it reads like; after a bare {@code :} (a YAML line, a header, an error message) a value that
   * reads as a word is prose, not a secret: {@code passwd: unsupported} stays.
   */
  private static String maskValue(MatchResult m) {
    String separator = m.group(2);
    boolean assigned =
        separator.contains("=") || separator.endsWith("\"") || separator.endsWith("'");
    if (!assigned && WORD.matcher(m.group(3)).matches()) return Matcher.quoteReplacement(m.group());
    return Matcher.quoteReplacement(m.group(1) + separator + MASK);
  }
}
