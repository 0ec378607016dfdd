package org.bookcreator.core.view;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.telemetry.SpanRecord;

/** A run's trace as a tree: each span with its children by start time. */
public record TraceView(String runId, String traceId, int spanCount, List<SpanNode> spans) {

  /** One span; {@code children} is absent on leaves. */
  public record SpanNode(
      String traceId,
      String spanId,
      Optional<String> parentSpanId,
      String name,
      String kind,
      long startUnixNano,
      long endUnixNano,
      double durationMs,
      String status,
      Optional<String> errorType,
      Map<String, String> attributes,
      Optional<List<SpanNode>> children) {}

  /** Spans whose parent is missing become roots. */
  static TraceView of(String runId, String traceId, List<SpanRecord> spans) {
    Map<String, List<SpanRecord>> children = new LinkedHashMap<>();
    Map<String, SpanRecord> byId = new LinkedHashMap<>();
    for (SpanRecord s : spans) byId.put(s.spanId(), s);
    List<SpanRecord> roots = new ArrayList<>();
    for (SpanRecord s : spans) {
      Optional<String> parent = s.parentSpanId().filter(byId::containsKey);
      if (parent.isPresent()) children.computeIfAbsent(parent.get(), k -> new ArrayList<>()).add(s);
      else roots.add(s);
    }
    return new TraceView(
        runId, traceId, spans.size(), roots.stream().map(r -> node(r, children)).toList());
  }

  private static SpanNode node(SpanRecord s, Map<String, List<SpanRecord>> children) {
    List<SpanRecord> kids = children.get(s.spanId());
    return new SpanNode(
        s.traceId(),
        s.spanId(),
        s.parentSpanId(),
        s.name(),
        s.kind(),
        s.startNanos(),
        s.endNanos(),
        s.durationNanos() / 1e6,
        s.status(),
        s.errorType(),
        s.attributes(),
        kids == null
            ? Optional.empty()
            : Optional.of(kids.stream().map(k -> node(k, children)).toList()));
  }
}
