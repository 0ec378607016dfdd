package org.bookcreator.core.cost;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a price file (YAML): the user's, which overrides or extends the shipped prices, and the
 * shipped catalogue itself, which has the same form:
 *
 * <pre>
 * prices:
 *   - provider: openai
 *     model: gpt-4o
 *     aliases: [chatgpt-4o]   # optional: other names that cost the same
 *     input: 2.50             # USD per million tokens
 *     output: 10.00
 *     cache_read: 1.25        # optional, default 0
 *     cache_write: 0          # optional, default 0
 *     effective_from: 2025-01-01
 *     source: https://...     # optional: where the figures come from (default: the file)
 *   - provider: openai        # a model served by a local server: costs exactly $0
 *     model: "llama3*"        # '*' stands for any text; quote it in YAML
 *     free: true              # no prices; effective_from is optional (default 1970-01-01)
 * </pre>
 *
 * Every problem is reported at once, naming the entry and field.
 */
public final class PriceFile {
  private static final Set<String> FIELDS =
      Set.of(
          "provider",
          "model",
          "aliases",
          "input",
          "output",
          "cache_read",
          "cache_write",
          "effective_from",
          "source",
          "free");

  /** When a free entry's price starts if it names no date: always. */
  static final LocalDate ALWAYS = LocalDate.EPOCH;

  private PriceFile() {}

  /**
   * The prices of a user's price file; entries without a {@code source} name the file.
   *
   * @throws IllegalArgumentException naming every problem, or why the file cannot be read
   */
  public static List<Price> read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "price file " + file + " cannot be read: " + e.getMessage());
    }
    return parse(text, "price file " + file, Optional.of(file.toString()));
  }

  /**
   * The prices of a price file's text.
   *
   * @param origin names the text in messages ({@code price file /path/prices.yaml})
   * @param defaultSource the source of entries that name none
   * @throws IllegalArgumentException naming every problem
   */
  static List<Price> parse(String text, String origin, Optional<String> defaultSource) {
    JsonNode root;
    try {
      root =
          YAMLMapper.builder()
              .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
              .build()
              .readTree(text);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(origin + " cannot be read: " + e.getMessage());
    }
    List<String> problems = new ArrayList<>();
    List<Price> out = new ArrayList<>();
    Set<String> versions = new HashSet<>();
    JsonNode list = root == null ? null : root.get("prices");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException(origin + ": expected a 'prices' list");
    }
    for (int i = 0; i < list.size(); i++) {
      String where = "prices[" + i + "]";
      entry(list.get(i), where, defaultSource, problems)
          .ifPresent(
              p -> {
                if (versions.add(p.version())) out.add(p);
                else problems.add(where + ": a second entry for " + p.version());
              });
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(origin + ":\n  - " + String.join("\n  - ", problems));
    }
    return out;
  }

  private static Optional<Price> entry(
      JsonNode e, String where, Optional<String> defaultSource, List<String> problems) {
    if (!e.isObject()) {
      problems.add(where + ": must be a mapping");
      return Optional.empty();
    }
    int before = problems.size();
    for (Iterator<String> it = e.propertyNames().iterator(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELDS.contains(name)) problems.add(where + ": unknown field '" + name + "'");
    }
    String provider = text(e, "provider", where, problems);
    String model = text(e, "model", where, problems);
    List<String> aliases = aliases(e, where, problems);
    boolean free = free(e, where, problems);
    // A free model has no prices to give; the ones it gives must be zero.
    BigDecimal in = money(e, "input", !free, where, problems);
    BigDecimal out = money(e, "output", !free, where, problems);
    BigDecimal cr = money(e, "cache_read", false, where, problems);
    BigDecimal cw = money(e, "cache_write", false, where, problems);
    if (free) {
      for (String field : List.of("input", "output", "cache_read", "cache_write")) {
        JsonNode n = e.get(field);
        if (n != null && n.isNumber() && n.decimalValue().signum() != 0)
          problems.add(where + "." + field + ": a free model costs nothing; remove it or free");
      }
    }
    LocalDate from = free && e.get("effective_from") == null ? ALWAYS : date(e, where, problems);
    Optional<String> source = Optional.ofNullable(e.get("source")).map(n -> n.asString().strip());
    if (problems.size() > before) return Optional.empty();
    return Optional.of(
        new Price(
            provider,
            model,
            aliases,
            in,
            out,
            cr,
            cw,
            from,
            free,
            source.filter(s -> !s.isEmpty()).or(() -> defaultSource)));
  }

  private static String text(JsonNode e, String field, String where, List<String> problems) {
    JsonNode n = e.get(field);
    if (n == null || n.isNull() || n.asString().isBlank()) {
      problems.add(where + "." + field + ": required");
      return null;
    }
    return n.asString().strip();
  }

  private static List<String> aliases(JsonNode e, String where, List<String> problems) {
    JsonNode n = e.get("aliases");
    if (n == null || n.isNull()) return List.of();
    if (!n.isArray()) {
      problems.add(where + ".aliases: must be a list of model names, got " + n);
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (JsonNode a : n) {
      String name = a.isString() ? a.asString().strip() : "";
      if (name.isEmpty() || name.contains("*")) {
        problems.add(where + ".aliases: each must be a model name without '*', got " + a);
      } else {
        names.add(name);
      }
    }
    return names;
  }

  private static boolean free(JsonNode e, String where, List<String> problems) {
    JsonNode n = e.get("free");
    if (n == null || n.isNull()) return false;
    if (!n.isBoolean()) {
      problems.add(where + ".free: must be true or false, got " + n);
      return false;
    }
    return n.booleanValue();
  }

  private static LocalDate date(JsonNode e, String where, List<String> problems) {
    String date = text(e, "effective_from", where, problems);
    if (date == null) return null;
    try {
      return LocalDate.parse(date);
    } catch (DateTimeParseException ex) {
      problems.add(where + ".effective_from: expected YYYY-MM-DD, got '" + date + "'");
      return null;
    }
  }

  /** A price above this per million tokens is a typo, not a price. */
  static final BigDecimal MAX_PER_MILLION = new BigDecimal("10000");

  private static BigDecimal money(
      JsonNode e, String field, boolean required, String where, List<String> problems) {
    JsonNode n = e.get(field);
    if (n == null || n.isNull()) {
      if (required) problems.add(where + "." + field + ": required (USD per million tokens)");
      return required ? null : BigDecimal.ZERO;
    }
    if (!n.isNumber()) {
      problems.add(where + "." + field + ": must be a number, got " + n);
      return null;
    }
    if (n.isFloatingPointNumber() && !Double.isFinite(n.doubleValue())) {
      problems.add(where + "." + field + ": must be a finite number, got " + n.asString());
      return null;
    }
    BigDecimal v = n.decimalValue();
    if (v.compareTo(MAX_PER_MILLION) > 0) {
      problems.add(
          where
              + "."
              + field
              + ": at most "
              + MAX_PER_MILLION.toPlainString()
              + " USD per million tokens, got "
              + v.toPlainString());
      return null;
    }
    if (v.signum() < 0) {
      problems.add(where + "." + field + ": must not be negative");
      return null;
    }
    if (v.scale() > 6) {
      problems.add(
          where
              + "."
              + field
              + ": at most 6 decimal places (per million tokens), got "
              + v.toPlainString());
      return null;
    }
    return v;
  }
}
