package org.bookcreator.store.jdbc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.support.Json;
import org.bookcreator.telemetry.SpanRecord;
import tools.jackson.databind.JsonNode;

/**
 * Spans of one trace as JSON lines, the text of a {@code span_batches} row. Written by hand because
 * it runs for every stored span on the span store's thread; read with Jackson, because reads are
 * rare (one trace at a time).
 */
final class SpanLines {
  private SpanLines() {}

  static String write(List<SpanRecord> spans) {
    StringBuilder sb = new StringBuilder(spans.size() * 512);
    for (SpanRecord s : spans) {
      if (!sb.isEmpty()) sb.append('\n');
      sb.append("{\"span_id\":");
      string(sb, s.spanId());
      sb.append(",\"parent_span_id\":");
      optional(sb, s.parentSpanId());
      sb.append(",\"run_id\":");
      optional(sb, s.runId());
      sb.append(",\"name\":");
      string(sb, s.name());
      sb.append(",\"kind\":");
      string(sb, s.kind());
      sb.append(",\"start_ns\":").append(s.startNanos());
      sb.append(",\"end_ns\":").append(s.endNanos());
      sb.append(",\"status\":");
      string(sb, s.status());
      sb.append(",\"error_type\":");
      optional(sb, s.errorType());
      sb.append(",\"attributes\":{");
      boolean first = true;
      for (var e : s.attributes().entrySet()) {
        if (!first) sb.append(',');
        first = false;
        string(sb, e.getKey());
        sb.append(':');
        string(sb, e.getValue());
      }
      sb.append("}}");
    }
    return sb.toString();
  }

  static List<SpanRecord> read(String traceId, String lines) {
    List<SpanRecord> out = new ArrayList<>();
    for (String line : lines.split("\n")) {
      if (line.isBlank()) continue;
      JsonNode n = Json.parse(line);
      Map<String, String> attrs = new LinkedHashMap<>();
      n.path("attributes")
          .properties()
          .forEach(e -> attrs.put(e.getKey(), e.getValue().asString()));
      out.add(
          new SpanRecord(
              traceId,
              n.path("span_id").asString(),
              text(n, "parent_span_id"),
              text(n, "run_id"),
              n.path("name").asString(),
              n.path("kind").asString(),
              n.path("start_ns").asLong(),
              n.path("end_ns").asLong(),
              n.path("status").asString(),
              text(n, "error_type"),
              attrs));
    }
    return out;
  }

  private static Optional<String> text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asString());
  }

  private static void optional(StringBuilder sb, Optional<String> value) {
    if (value.isPresent()) string(sb, value.get());
    else sb.append("null");
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    int n = s.length();
    int from = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\' && c != 0x2028 && c != 0x2029) continue;
      sb.append(s, from, i);
      from = i + 1;
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20)
            sb.append("\\u00")
                .append(Character.forDigit(c >> 4, 16))
                .append(Character.forDigit(c & 0xF, 16));
          else sb.append("\\u").append(Integer.toHexString(c));
        }
      }
    }
    sb.append(s, from, n).append('"');
  }
}
