package org.bookcreator.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.bookcreator.telemetry.SpanRecord;

/** The span store: batches of spans per trace, capped. */
final class Spans extends Part {
  Spans(Db db) {
    super(db);
  }

  public void recordSpans(List<SpanRecord> spans, long maxSpans) {
    if (spans.isEmpty()) return;
    java.util.Map<String, List<SpanRecord>> byTrace = new java.util.LinkedHashMap<>();
    for (SpanRecord s : spans) byTrace.computeIfAbsent(s.traceId(), k -> new ArrayList<>()).add(s);
    tx(
        "record spans",
        () -> {
          Connection c = db.connection();
          long total;
          try (Statement st = c.createStatement();
              ResultSet rs =
                  st.executeQuery("SELECT COALESCE(MAX(spans_total), 0) FROM span_batches")) {
            total = rs.next() ? rs.getLong(1) : 0;
          }
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO span_batches(trace_id, span_count, spans_total, spans) VALUES"
                      + " (?,?,?,?)")) {
            for (var e : byTrace.entrySet()) {
              total += e.getValue().size();
              p.setString(1, e.getKey());
              p.setInt(2, e.getValue().size());
              p.setLong(3, total);
              p.setString(4, SpanLines.write(e.getValue()));
              p.addBatch();
            }
            p.executeBatch();
          }
          // Whole rows go: any row that starts before the newest maxSpans spans, so at most
          // maxSpans
          // stay.
          try (PreparedStatement p =
              c.prepareStatement("DELETE FROM span_batches WHERE spans_total - span_count < ?")) {
            p.setLong(1, total - maxSpans);
            p.executeUpdate();
          }
          return null;
        });
  }

  public List<SpanRecord> spans(String traceId) {
    return tx(
        "read spans",
        () -> {
          Connection c = db.connection();
          java.util.Map<String, SpanRecord> byId = new java.util.LinkedHashMap<>();
          try (PreparedStatement p =
              c.prepareStatement("SELECT spans FROM span_batches WHERE trace_id = ? ORDER BY id")) {
            p.setString(1, traceId);
            try (ResultSet rs = p.executeQuery()) {
              while (rs.next()) {
                String lines = rs.getString(1);
                for (SpanRecord s : readBack(() -> SpanLines.read(traceId, lines)))
                  byId.putIfAbsent(s.spanId(), s);
              }
            }
          }
          List<SpanRecord> out = new ArrayList<>(byId.values());
          out.sort(java.util.Comparator.comparingLong(SpanRecord::startNanos));
          return out;
        });
  }
}
