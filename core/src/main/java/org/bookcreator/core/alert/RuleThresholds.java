package org.bookcreator.core.alert;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bookcreator.core.support.Numbers;

/**
 * Overrides of the built-in rules' thresholds, written {@code RULE.PARAM=VALUE} pairs separated by
 * commas ({@code alerts.thresholds}), e.g. {@code ProviderErrorRateHigh.max_share=0.3,
 * ProviderErrorRateHigh.for=5m}. {@link BuiltInRules#configured} asks a {@link Reading} for each
 * parameter with its default; what was given and never asked for is an unknown parameter, reported
 * by {@link Reading#requireAllUsed} with the parameters the rule has. Immutable; a reading is not.
 * Values: durations as {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}; counts as whole numbers;
 * shares as {@code 0.2} or {@code 20%}; sizes as {@code 512MiB} or {@code 1GiB}.
 */
public final class RuleThresholds {
  private static final Pattern KEY = Pattern.compile("([A-Z][A-Za-z0-9]*)\\.([a-z][a-z0-9_]*)");
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})\\s*(B|KiB|MiB|GiB|TiB)?");
  private static final String[] SIZE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

  private final Map<String, String> given;

  private RuleThresholds(Map<String, String> given) {
    this.given = given;
  }

  /** No overrides: every rule at its defaults. */
  public static RuleThresholds none() {
    return new RuleThresholds(Map.of());
  }

  /**
   * Reads {@code RULE.PARAM=VALUE} pairs; blank text is no overrides.
   *
   * @throws IllegalArgumentException naming each malformed or repeated entry
   */
  public static RuleThresholds parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    if (text != null && !text.isBlank()) {
      for (String raw : text.split(",")) {
        String entry = raw.strip();
        if (entry.isEmpty()) continue;
        int eq = entry.indexOf('=');
        String key = eq < 0 ? entry : entry.substring(0, eq).strip();
        if (eq < 0 || !KEY.matcher(key).matches() || entry.substring(eq + 1).isBlank()) {
          problems.add(
              quote(entry)
                  + ": expected RULE.PARAM=VALUE, e.g. ProviderErrorRateHigh.max_share=0.3");
        } else if (out.putIfAbsent(key, entry.substring(eq + 1).strip()) != null) {
          problems.add(key + " is given twice");
        }
      }
    }
    if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
    return new RuleThresholds(Map.copyOf(out));
  }

  /** A reading of the overrides, by one build of the rules. */
  Reading read() {
    return new Reading();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RuleThresholds t && t.given.equals(given);
  }

  @Override
  public int hashCode() {
    return given.hashCode();
  }

  @Override
  public String toString() {
    return new TreeMap<>(given).toString();
  }

  /** The parameters asked for, in order, with their values in force, and what was wrong. */
  final class Reading {
    /** Per rule, the parameters asked for in order, with the values in force (for display). */
    private final Map<String, Map<String, String>> asked = new TreeMap<>();

    private final List<String> problems = new ArrayList<>();

    private Reading() {}

    /** A duration parameter, e.g. a window or a {@code for}. */
    Duration duration(String rule, String param, Duration otherwise) {
      return value(rule, param, otherwise, Numbers::duration, RuleThresholds::compact);
    }

    /** A count of at least 1, e.g. the least calls a share is taken over. */
    long count(String rule, String param, long otherwise) {
      return value(
          rule, param, otherwise, t -> Numbers.whole(t, 1, 1_000_000_000L), String::valueOf);
    }

    /** A share in (0, 1], written {@code 0.2} or {@code 20%}. */
    double share(String rule, String param, double otherwise) {
      return value(rule, param, otherwise, RuleThresholds::share, RuleThresholds::compact);
    }

    /** A number of bytes, written {@code 512MiB} or {@code 1GiB}. */
    long bytes(String rule, String param, long otherwise) {
      return value(rule, param, otherwise, RuleThresholds::bytes, RuleThresholds::compactBytes);
    }

    private <T> T value(
        String rule,
        String param,
        T otherwise,
        Function<String, T> parse,
        Function<T, String> show) {
      String text = given.get(rule + "." + param);
      T v = otherwise;
      if (text != null) {
        try {
          v = parse.apply(text);
        } catch (IllegalArgumentException e) {
          problems.add(rule + "." + param + ": " + e.getMessage());
        }
      }
      asked.computeIfAbsent(rule, r -> new LinkedHashMap<>()).put(param, show.apply(v));
      return v;
    }

    /** The parameters of a rule asked for so far, with the values in force, in asking order. */
    public Map<String, String> of(String rule) {
      return java.util.Collections.unmodifiableMap(
          new LinkedHashMap<>(asked.getOrDefault(rule, Map.of())));
    }

    /**
     * Fails when a value was malformed, or an override names a rule or parameter nobody asked for.
     *
     * @throws IllegalArgumentException naming each problem and, for an unknown parameter, those the
     *     rule has
     */
    void requireAllUsed() {
      List<String> out = new ArrayList<>(problems);
      for (String key : new TreeSet<>(given.keySet())) {
        String rule = key.substring(0, key.indexOf('.'));
        String param = key.substring(key.indexOf('.') + 1);
        Map<String, String> params = asked.get(rule);
        if (params == null) {
          out.add(
              "no alert rule named "
                  + rule
                  + "; the rules are "
                  + String.join(", ", asked.keySet()));
        } else if (!params.containsKey(param)) {
          out.add(
              rule
                  + " has no threshold "
                  + param
                  + "; its thresholds are "
                  + String.join(", ", params.keySet()));
        }
      }
      if (!out.isEmpty()) throw new IllegalArgumentException(String.join("; ", out));
    }
  }

  private static double share(String text) {
    String t = text.strip();
    boolean percent = t.endsWith("%");
    BigDecimal max = percent ? BigDecimal.valueOf(100) : BigDecimal.ONE;
    BigDecimal v =
        Numbers.decimal(percent ? t.substring(0, t.length() - 1) : t, BigDecimal.ZERO, max);
    if (v.signum() == 0) throw new IllegalArgumentException("must be more than 0, got " + quote(t));
    return (percent ? v.movePointLeft(2) : v).doubleValue();
  }

  private static long bytes(String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches())
      throw new IllegalArgumentException(
          "expected a size such as 512MiB or 1GiB, got " + quote(text.strip()));
    String unit = m.group(2) == null ? "B" : m.group(2);
    int shift = 10 * List.of(SIZE_UNITS).indexOf(unit);
    long n = Long.parseLong(m.group(1));
    if (n > (Long.MAX_VALUE >> shift))
      throw new IllegalArgumentException("too large: " + quote(text.strip()));
    return n << shift;
  }

  /** The shortest exact way to write a duration: {@code 90s}, {@code 5m}, {@code 7d}. */
  static String compact(Duration d) {
    if (d.isZero()) return "0s";
    long ms = d.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) if (ms % sizes[i] == 0) return ms / sizes[i] + units[i];
    return ms + "ms";
  }

  private static String compact(double share) {
    return BigDecimal.valueOf(share).stripTrailingZeros().toPlainString();
  }

  private static String compactBytes(long bytes) {
    int unit = 0;
    while (unit < SIZE_UNITS.length - 1 && bytes != 0 && (bytes & 1023) == 0) {
      bytes >>= 10;
      unit++;
    }
    return bytes + SIZE_UNITS[unit];
  }

  private static String quote(String s) {
    String clean = org.bookcreator.core.support.VisibleText.clean(s);
    return "'" + (clean.length() > 40 ? clean.substring(0, 40) + "…" : clean) + "'";
  }
}
