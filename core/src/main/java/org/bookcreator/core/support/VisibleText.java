package org.bookcreator.core.support;

import java.util.Locale;
import java.util.OptionalInt;

/**
 * Characters that change how text looks without being seen: control characters, line and paragraph
 * separators, and invisible format characters such as the bidi overrides (U+202A to U+202E, U+2066
 * to U+2069), which can make a title display differently from what it is, or hide text from a
 * reader that a model still reads. The zero-width non-joiner and joiner (U+200C, U+200D) are not
 * among them: Persian, the Indic scripts and emoji need them.
 */
public final class VisibleText {
  private VisibleText() {}

  /** True for a character a one-line field must not hold. */
  public static boolean isInvisible(int c) {
    if (c == 0x200C || c == 0x200D) return false;
    return switch (Character.getType(c)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE ->
          true;
      default -> false;
    };
  }

  /** The first invisible character of {@code s}, if any. */
  public static OptionalInt firstInvisible(String s) {
    return s.codePoints().filter(VisibleText::isInvisible).findFirst();
  }

  /** A character as a person looks it up: {@code U+202E RIGHT-TO-LEFT OVERRIDE}. */
  public static String describe(int c) {
    String name = Character.getName(c);
    return String.format(Locale.ROOT, "U+%04X", c) + (name == null ? "" : " " + name);
  }

  /** {@code s} with each invisible character replaced by a space: one line, shown as it is. */
  public static String clean(String s) {
    if (s == null) return "";
    if (firstInvisible(s).isEmpty()) return s;
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(c -> sb.appendCodePoint(isInvisible(c) ? ' ' : c));
    return sb.toString();
  }

  /**
   * {@code s} with each invisible character written as a {@code \\uXXXX} escape, at most {@code
   * max} characters then {@code ...}: a value quoted in an error message stays one readable line.
   */
  public static String escape(String s, int max) {
    StringBuilder sb = new StringBuilder();
    s.codePoints()
        .limit(max)
        .forEach(
            c -> {
              if (isInvisible(c)) sb.append(String.format(Locale.ROOT, "\\u%04x", c));
              else sb.appendCodePoint(c);
            });
    if (s.codePointCount(0, s.length()) > max) sb.append("...");
    return sb.toString();
  }
}
