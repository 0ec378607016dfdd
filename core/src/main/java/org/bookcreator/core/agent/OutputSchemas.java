package org.bookcreator.core.agent;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bookcreator.core.support.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The JSON Schemas of the structured roles, loaded from {@code /schemas/NAME.schema.json}, and the
 * validation of model output against them. Thread-safe.
 */
public final class OutputSchemas {
  /** Longest output we try to parse; a longer answer is a violation in itself. */
  public static final int MAX_OUTPUT_CHARS = 2_000_000;

  private final SchemaRegistry registry =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private final Map<String, Schema> compiled = new ConcurrentHashMap<>();
  private final Map<String, String> texts = new ConcurrentHashMap<>();

  /** The schema's JSON text, as sent to providers that support structured output. */
  public String text(String name) {
    return texts.computeIfAbsent(name, OutputSchemas::load);
  }

  /**
   * Checks {@code output} against the named schema. Returns empty when valid, else a one-line
   * description of the violations (at most five), e.g. {@code $.score: must be at most 10}.
   */
  public Optional<String> violation(String name, String output) {
    if (output.length() > MAX_OUTPUT_CHARS) {
      return Optional.of(
          "output is " + output.length() + " characters, more than " + MAX_OUTPUT_CHARS);
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(stripFence(output));
    } catch (JacksonException e) {
      return Optional.of("not valid JSON: " + oneLine(e.getOriginalMessage()));
    }
    if (node == null || node.isMissingNode()) return Optional.of("not valid JSON: empty output");
    Schema schema = compiled.computeIfAbsent(name, n -> registry.getSchema(Json.parse(text(n))));
    List<Error> errors = schema.validate(node);
    if (errors.isEmpty()) return Optional.empty();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(5, errors.size()); i++) {
      if (i > 0) sb.append("; ");
      sb.append(oneLine(errors.get(i).toString()));
    }
    if (errors.size() > 5) sb.append("; and ").append(errors.size() - 5).append(" more");
    return Optional.of(sb.toString());
  }

  /** Models often wrap JSON in a Markdown fence; accept that, nothing else. */
  public static String stripFence(String s) {
    String t = s.strip();
    if (t.startsWith("```")) {
      int nl = t.indexOf('\n');
      int end = t.lastIndexOf("```");
      if (nl > 0 && end > nl) return t.substring(nl + 1, end).strip();
    }
    return t;
  }

  private static String oneLine(String s) {
    String t = s == null ? "" : s.replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip();
    return t.length() > 300 ? t.substring(0, 300) + "..." : t;
  }

  private static String load(String name) {
    try (InputStream in =
        OutputSchemas.class.getResourceAsStream("/schemas/" + name + ".schema.json")) {
      if (in == null) throw new IllegalArgumentException("no schema named '" + name + "'");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
