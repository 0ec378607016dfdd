package org.bookcreator.core.support;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Numbers as people send them: flags, query parameters, request bodies, briefs and settings all go
 * through here, so every door refuses the same things in the same words. Accepted: plain decimal
 * digits with an optional minus sign (and, for decimals, one decimal point). Refused as bad input:
 * NaN and infinities, negative zero, a leading plus or leading zeros (octal in some readers),
 * hexadecimal, exponents, and magnitudes outside the range each caller allows.
 *
 * <p>Each method throws {@link IllegalArgumentException} whose message states the allowed range and
 * the value sent, without a field name: the caller puts its own first ({@code --books: }, {@code
 * budget_usd: }).
 */
public final class Numbers {
  /** The largest budget a project may have, in US dollars: more is a typo, not a budget. */
  public static final BigDecimal MAX_BUDGET_USD = new BigDecimal("1000000");

  /** Budgets are exact to a millionth of a dollar; finer is a typo (or {@code 1e-400}). */
  public static final int BUDGET_DECIMALS = 6;

  /**
   * The longest duration a setting, a flag or a query takes (ten years, written {@code 3650d}):
   * longer is a typo, and far longer would overflow.
   */
  public static final Duration MAX_DURATION = Duration.ofDays(3650);

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern WHOLE = Pattern.compile("0|-?[1-9][0-9]{0,19}");
  private static final Pattern DECIMAL =
      Pattern.compile("-?(0|[1-9][0-9]{0,19})?(\\.[0-9]{1,20})?");
  private static final int QUOTED = 40;

  private Numbers() {}

  /**
   * A duration written {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} or {@code 14d}, at most
   * {@link #MAX_DURATION}.
   *
   * @throws IllegalArgumentException stating the rule (without the text)
   */
  public static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.strip());
    if (!m.matches())
      throw new IllegalArgumentException("expected a duration such as 500ms, 30s, 5m, 1h or 14d");
    ChronoUnit unit =
        switch (m.group(2)) {
          case "ms" -> ChronoUnit.MILLIS;
          case "s" -> ChronoUnit.SECONDS;
          case "m" -> ChronoUnit.MINUTES;
          case "h" -> ChronoUnit.HOURS;
          default -> ChronoUnit.DAYS;
        };
    long max = MAX_DURATION.dividedBy(unit.getDuration());
    // More digits than a long holds are past the limit too; they never reach parseLong.
    if (m.group(1).length() > 12 || Long.parseLong(m.group(1)) > max)
      throw new IllegalArgumentException(
          "must be at most " + MAX_DURATION.toDays() + "d (ten years)");
    return Duration.of(Long.parseLong(m.group(1)), unit);
  }

  /**
   * A whole number {@code min..max}.
   *
   * @throws IllegalArgumentException naming the range and the text, e.g. {@code must be a whole
   *     number 1..1000, got '0x10'}
   */
  public static long whole(String text, long min, long max) {
    String t = text.strip();
    if (WHOLE.matcher(t).matches()) {
      try {
        long v = Long.parseLong(t);
        if (v >= min && v <= max) return v;
      } catch (NumberFormatException e) {
        // more than 19 digits: out of every range
      }
    }
    throw new IllegalArgumentException(
        "must be a whole number" + range(min, max) + ", got " + quote(t));
  }

  /** {@link #whole} for an {@code int}. */
  public static int wholeInt(String text, int min, int max) {
    return (int) whole(text, min, max);
  }

  /**
   * A decimal number {@code min..max}, exact.
   *
   * @throws IllegalArgumentException naming the range and the text
   */
  public static BigDecimal decimal(String text, BigDecimal min, BigDecimal max) {
    String t = text.strip();
    BigDecimal v = plainDecimal(t);
    if (v == null || v.compareTo(min) < 0 || v.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          "must be a number "
              + min.stripTrailingZeros().toPlainString()
              + ".."
              + max.stripTrailingZeros().toPlainString()
              + ", got "
              + quote(t));
    }
    return v;
  }

  /**
   * A budget in US dollars written as text, such as {@code 12.50}: see {@link
   * #budgetUsd(BigDecimal, String)}.
   */
  public static BigDecimal budgetUsd(String text) {
    String t = text.strip();
    BigDecimal v = plainDecimal(t);
    if (v == null) throw new IllegalArgumentException(budgetRule() + ", got " + quote(t));
    return budgetUsd(v, t);
  }

  /**
   * A budget in US dollars already read as a number (from JSON or YAML): greater than 0, at most
   * {@link #MAX_BUDGET_USD}, with at most {@link #BUDGET_DECIMALS} decimal places; trailing zeros
   * dropped.
   *
   * @param sent the value as the caller sent it, for the message
   */
  public static BigDecimal budgetUsd(BigDecimal value, String sent) {
    BigDecimal v = value.stripTrailingZeros();
    if (v.signum() <= 0 || v.compareTo(MAX_BUDGET_USD) > 0 || v.scale() > BUDGET_DECIMALS) {
      throw new IllegalArgumentException(budgetRule() + ", got " + quote(sent));
    }
    return v.scale() < 0 ? v.setScale(0) : v;
  }

  private static String budgetRule() {
    return "must be a number of US dollars greater than 0 and at most "
        + MAX_BUDGET_USD.toPlainString()
        + ", with at most "
        + BUDGET_DECIMALS
        + " decimal places, such as 12.50";
  }

  /** The value of plain decimal text, or null for anything else (and for negative zero). */
  private static BigDecimal plainDecimal(String t) {
    if (t.isEmpty() || t.equals("-") || !DECIMAL.matcher(t).matches()) return null;
    BigDecimal v = new BigDecimal(t);
    if (t.startsWith("-") && v.signum() == 0) return null;
    return v;
  }

  private static String range(long min, long max) {
    if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) return "";
    if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) return " of at least " + min;
    return " " + min + ".." + max;
  }

  /** The text as sent, quoted, clipped and with invisible characters escaped. */
  private static String quote(String t) {
    return "'" + VisibleText.escape(t, QUOTED) + "'";
  }
}
