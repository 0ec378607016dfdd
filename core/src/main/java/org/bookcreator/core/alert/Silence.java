package org.bookcreator.core.alert;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.bookcreator.core.support.VisibleText;

/**
 * A silence: while it applies ({@code startsAt <= now < endsAt}), the alerts all its matchers match
 * are still evaluated and recorded, but nobody is notified of them. It stops applying by itself at
 * {@code endsAt}; ending it early moves {@code endsAt} to that moment. {@code createdBy} says where
 * it came from ({@code cli}, {@code api 10.0.0.7}).
 */
public record Silence(
    String id,
    List<Matcher> matchers,
    Instant startsAt,
    Instant endsAt,
    String reason,
    String createdBy,
    Instant createdAt) {
  public Silence {
    Objects.requireNonNull(id, "id");
    matchers = List.copyOf(matchers);
    if (matchers.isEmpty()) throw new IllegalArgumentException("a silence needs a matcher");
    Objects.requireNonNull(startsAt, "startsAt");
    Objects.requireNonNull(endsAt, "endsAt");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(createdBy, "createdBy");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** Whether it applies at {@code at}: started, and not yet ended. */
  public boolean activeAt(Instant at) {
    return !startsAt.isAfter(at) && endsAt.isAfter(at);
  }

  /**
   * Whether every matcher matches the alert (its labels, {@code alertname} and {@code severity}).
   */
  public boolean matches(Alert alert) {
    Map<String, String> labels = labelsOf(alert);
    return matchers.stream().allMatch(m -> m.matches(labels));
  }

  /**
   * The labels matchers see: the alert's own, {@code alertname} (its name) and {@code severity}, as
   * Alertmanager sees them; a label of the alert's own wins over {@code severity}.
   */
  static Map<String, String> labelsOf(Alert alert) {
    Map<String, String> labels = new TreeMap<>(alert.labels());
    labels.putIfAbsent("severity", alert.severity().id());
    labels.put("alertname", alert.name());
    return labels;
  }

  /** The ids of the silences of {@code silences} that apply to the alert at {@code at}. */
  public static List<String> silencing(Alert alert, List<Silence> silences, Instant at) {
    return silences.stream()
        .filter(s -> s.activeAt(at) && s.matches(alert))
        .map(Silence::id)
        .toList();
  }

  /** How a matcher compares a label's value, written as Alertmanager writes it. */
  public enum Op {
    EQUAL("="),
    NOT_EQUAL("!="),
    REGEX("=~"),
    NOT_REGEX("!~");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }
  }

  /**
   * One label matcher, {@code name=value}, {@code name!=value}, {@code name=~regex} or {@code
   * name!~regex}, as Alertmanager has them: a label the alert lacks has the empty value, and a
   * regular expression must match the whole value.
   */
  public static final class Matcher {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final String name;
    private final Op op;
    private final String value;
    private final Pattern pattern;

    private Matcher(String name, Op op, String value, Pattern pattern) {
      this.name = name;
      this.op = op;
      this.value = value;
      this.pattern = pattern;
    }

    public String name() {
      return name;
    }

    public Op op() {
      return op;
    }

    public String value() {
      return value;
    }

    /**
     * Parses {@code NAME OP VALUE}; the value may be empty and may be in double quotes.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static Matcher parse(String text) {
      String t = text.strip();
      int at = -1;
      Op op = null;
      for (int i = 0; i < t.length() && op == null; i++) {
        char c = t.charAt(i);
        if (c == '=') {
          at = i;
          op = i + 1 < t.length() && t.charAt(i + 1) == '~' ? Op.REGEX : Op.EQUAL;
        } else if (c == '!' && i + 1 < t.length() && "=~".indexOf(t.charAt(i + 1)) >= 0) {
          at = i;
          op = t.charAt(i + 1) == '=' ? Op.NOT_EQUAL : Op.NOT_REGEX;
        }
      }
      if (op == null)
        throw new IllegalArgumentException(
            "'"
                + VisibleText.escape(t, 80)
                + "' has no operator: write NAME=VALUE, NAME!=VALUE, NAME=~REGEX or NAME!~REGEX");
      String name = t.substring(0, at).strip();
      if (!NAME.matcher(name).matches())
        throw new IllegalArgumentException(
            "'"
                + VisibleText.escape(t, 80)
                + "': '"
                + VisibleText.escape(name, 40)
                + "' is not a label name (letters, digits and _, not starting with a digit)");
      String value = t.substring(at + op.symbol.length()).strip();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\""))
        value = value.substring(1, value.length() - 1);
      return of(name, op, value);
    }

    /** A matcher; for a regular expression, one that compiles. */
    public static Matcher of(String name, Op op, String value) {
      Pattern pattern = null;
      if (op == Op.REGEX || op == Op.NOT_REGEX) {
        try {
          pattern = Pattern.compile(value);
        } catch (PatternSyntaxException e) {
          throw new IllegalArgumentException(
              "'"
                  + VisibleText.escape(name + op.symbol + value, 80)
                  + "': not a regular expression ("
                  + e.getDescription().toLowerCase(Locale.ROOT)
                  + ")");
        }
      }
      return new Matcher(Objects.requireNonNull(name), Objects.requireNonNull(op), value, pattern);
    }

    /** Whether the label set satisfies this matcher (a missing label is the empty value). */
    public boolean matches(Map<String, String> labels) {
      String v = labels.getOrDefault(name, "");
      return switch (op) {
        case EQUAL -> v.equals(value);
        case NOT_EQUAL -> !v.equals(value);
        case REGEX -> pattern.matcher(v).matches();
        case NOT_REGEX -> !pattern.matcher(v).matches();
      };
    }

    /** Whether it matches an alert without the label: a silence of only such would silence all. */
    boolean matchesEmpty() {
      return matches(Map.of());
    }

    /** As it was written: {@code name=value}; {@link #parse} reads it back. */
    @Override
    public String toString() {
      return name + op.symbol + value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Matcher m && m.toString().equals(toString());
    }

    @Override
    public int hashCode() {
      return toString().hashCode();
    }
  }
}
