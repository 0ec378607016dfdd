package org.bookcreator.app;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bookcreator.core.support.Numbers;

/**
 * How the text of a setting becomes its value: the parser, the checks the value must pass, and the
 * name docs/configuration.md gives the type. Immutable; {@link #parse} throws {@link
 * IllegalArgumentException} with a message that states the rule and, unless the type is a secret,
 * the text that broke it.
 */
final class SettingType<T> {
  private static final Pattern SIZE = Pattern.compile("(\\d+)(KB|MB|GB)");

  /** A rule a parsed value must keep, e.g. {@code must be 1..1024}. */
  private record Check<T>(Predicate<T> ok, String rule) {}

  final String doc;
  private final Function<String, T> parser;
  private final List<Check<T>> checks;

  /** A secret's text is never echoed; see {@link Setting#secret()}. */
  final boolean secret;

  private final boolean echo;

  private SettingType(
      String doc, Function<String, T> parser, List<Check<T>> checks, boolean echo, boolean secret) {
    this.doc = doc;
    this.parser = parser;
    this.checks = List.copyOf(checks);
    this.echo = echo && !secret;
    this.secret = secret;
  }

  /**
   * Parses {@code text} (stripped) and checks the value.
   *
   * @throws IllegalArgumentException naming the rule broken
   */
  T parse(String text) {
    String t = text.strip();
    T value;
    try {
      value = parser.apply(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          echo ? e.getMessage() + ", got '" + t + "'" : e.getMessage());
    }
    for (Check<T> c : checks) {
      if (!c.ok().test(value))
        throw new IllegalArgumentException(echo ? c.rule() + ", got '" + t + "'" : c.rule());
    }
    return value;
  }

  /** This type with one more rule; {@code docSuffix} is added to the documented type name. */
  SettingType<T> check(Predicate<T> ok, String rule, String docSuffix) {
    List<Check<T>> more = new ArrayList<>(checks);
    more.add(new Check<>(ok, rule));
    return new SettingType<>(doc + docSuffix, parser, more, echo, secret);
  }

  /** One of {@code allowed}, in any case; the value is spelled as in {@code allowed}. */
  static SettingType<String> choice(List<String> allowed) {
    String names = String.join(", ", allowed);
    return simple(
        "one of " + names,
        t ->
            allowed.stream()
                .filter(a -> a.equalsIgnoreCase(t))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not one of " + names)),
        "expected one of " + names);
  }

  /**
   * A whole number {@code min..max}, read by {@link Numbers} as every door reads numbers (its
   * message quotes the text).
   */
  static SettingType<Integer> wholeNumber(int min, int max) {
    return custom(
        max == Integer.MAX_VALUE
            ? "whole number, at least " + min
            : "whole number " + min + ".." + max,
        t -> Numbers.wholeInt(t, min, max));
  }

  static SettingType<Long> longNumber(long min) {
    return custom(
        min == Long.MIN_VALUE ? "whole number" : "whole number, at least " + min,
        t -> Numbers.whole(t, min, Long.MAX_VALUE));
  }

  static SettingType<Double> number(double min, double max) {
    BigDecimal low = new BigDecimal(plain(min));
    BigDecimal high = new BigDecimal(plain(max));
    return custom("number " + low + ".." + high, t -> Numbers.decimal(t, low, high).doubleValue());
  }

  static SettingType<Boolean> bool() {
    return simple("true or false", SettingType::bool, "expected true or false");
  }

  /**
   * Durations written {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} or {@code 14d}, at most
   * {@link Numbers#MAX_DURATION}.
   */
  static SettingType<Duration> duration(Duration min) {
    SettingType<Duration> t =
        new SettingType<>("duration", SettingType::duration, List.of(), true, false);
    return min.isZero()
        ? t
        : t.check(
            v -> v.compareTo(min) >= 0,
            "must be at least " + human(min),
            ", at least " + human(min));
  }

  /** Sizes written {@code 500KB}, {@code 20MB} or {@code 1GB}, as bytes. */
  static SettingType<Long> size() {
    return simple(
        "size (KB, MB, GB)", SettingType::bytes, "expected a size such as 500KB, 20MB or 1GB");
  }

  static SettingType<String> text() {
    return simple("text", Function.identity(), "");
  }

  /** Text that must not be empty. */
  static SettingType<String> nonEmptyText() {
    return text().check(t -> !t.isEmpty(), "must not be empty", "");
  }

  /** Text where empty means "not set". */
  static SettingType<Optional<String>> optionalText() {
    return simple("text", t -> Optional.of(t).filter(x -> !x.isEmpty()), "");
  }

  static SettingType<Path> path() {
    return simple("path", t -> Path.of(t).normalize(), "expected a path");
  }

  /** Comma-separated items, stripped, empty ones dropped. */
  static SettingType<List<String>> list() {
    return simple("comma-separated list", SettingType::items, "");
  }

  /**
   * A secret: its text never appears in a message. Empty means not set; when set it has at least
   * {@code minLength} characters.
   */
  static SettingType<Optional<String>> secret(int minLength) {
    return new SettingType<Optional<String>>(
            "secret", t -> Optional.of(t).filter(x -> !x.isEmpty()), List.of(), false, true)
        .check(
            v -> v.map(x -> x.length() >= minLength).orElse(true),
            "must be at least " + minLength + " characters long",
            ", " + minLength + "+ characters");
  }

  /** Comma-separated secret values: never echoed. */
  static SettingType<List<String>> secretList() {
    return new SettingType<>("comma-separated secrets", SettingType::items, List.of(), false, true);
  }

  /**
   * A type whose parser writes its own messages (they quote the entries at fault), e.g. the routing
   * rules.
   */
  static <T> SettingType<T> custom(String doc, Function<String, T> parser) {
    return new SettingType<>(doc, parser, List.of(), false, false);
  }

  private static <T> SettingType<T> simple(String doc, Function<String, T> parse, String expected) {
    return new SettingType<>(
        doc,
        t -> {
          try {
            return parse.apply(t);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(expected, e);
          }
        },
        List.of(),
        true,
        false);
  }

  /**
   * A duration written {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} or {@code 14d}, at most
   * {@link Numbers#MAX_DURATION}.
   *
   * @throws IllegalArgumentException stating the rule (without the text)
   */
  static Duration duration(String text) {
    return Numbers.duration(text);
  }

  private static long bytes(String text) {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) throw new IllegalArgumentException("not a size: " + text);
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "KB" -> n << 10;
      case "MB" -> n << 20;
      default -> n << 30;
    };
  }

  private static String plain(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  private static boolean bool(String text) {
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("not true or false: " + text);
    };
  }

  private static List<String> items(String text) {
    return Arrays.stream(text.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 != 0 ? d.toMillis() + "ms" : d.toSeconds() + "s";
  }
}
