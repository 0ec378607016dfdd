package org.bookcreator.core.cost;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a user's price file (YAML), which overrides or extends the shipped prices:
 *
 * <pre>
 * prices:
 *   - provider: openai
 *     model: gpt-4o
 *     input: 2.50          # USD per million tokens
 *     output: 10.00
 *     cache_read: 1.25     # optional, default 0
 *     cache_write: 0       # optional, default 0
 *     effective_from: 2025-01-01
 * </pre>
 *
 * Every problem is reported at once, naming the entry and field.
 */
public final class PriceFile {
  private static final Set<String> FIELDS =
      Set.of("provider", "model", "input", "output", "cache_read", "cache_write", "effective_from");

  private PriceFile() {}

  public static List<Price> read(Path file) {
    JsonNode root;
    try {
      root =
          YAMLMapper.builder()
              .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
              .build()
              .readTree(Files.readString(file));
    } catch (IOException | JacksonException e) {
      throw new IllegalArgumentException(
          "price file " + file + " cannot be read: " + e.getMessage());
    }
    List<String> problems = new ArrayList<>();
    List<Price> out = new ArrayList<>();
    JsonNode list = root == null ? null : root.get("prices");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException("price file " + file + ": expected a 'prices' list");
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode e = list.get(i);
      String where = "prices[" + i + "]";
      if (!e.isObject()) {
        problems.add(where + ": must be a mapping");
        continue;
      }
      for (Iterator<String> it = e.propertyNames().iterator(); it.hasNext(); ) {
        String name = it.next();
        if (!FIELDS.contains(name)) problems.add(where + ": unknown field '" + name + "'");
      }
      String provider = text(e, "provider", where, problems);
      String model = text(e, "model", where, problems);
      BigDecimal in = money(e, "input", true, where, problems);
      BigDecimal outp = money(e, "output", true, where, problems);
      BigDecimal cr = money(e, "cache_read", false, where, problems);
      BigDecimal cw = money(e, "cache_write", false, where, problems);
      LocalDate from = null;
      String date = text(e, "effective_from", where, problems);
      if (date != null) {
        try {
          from = LocalDate.parse(date);
        } catch (DateTimeParseException ex) {
          problems.add(where + ".effective_from: expected YYYY-MM-DD, got '" + date + "'");
        }
      }
      if (provider != null
          && model != null
          && in != null
          && outp != null
          && cr != null
          && cw != null
          && from != null) {
        out.add(new Price(provider, model, in, outp, cr, cw, from));
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "price file " + file + ":\n  - " + String.join("\n  - ", problems));
    }
    return out;
  }

  private static String text(JsonNode e, String field, String where, List<String> problems) {
    JsonNode n = e.get(field);
    if (n == null || n.isNull() || n.asString().isBlank()) {
      problems.add(where + "." + field + ": required");
      return null;
    }
    return n.asString().strip();
  }

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
    BigDecimal v = n.decimalValue();
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
