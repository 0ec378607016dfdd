package org.bookcreator.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The logs' indexed copy: writes, queries and retention. */
final class Logs extends Part {
  Logs(Db db) {
    super(db);
  }

  // ---- the logs' indexed copy

  public void recordLogs(List<org.bookcreator.telemetry.LogLine> lines) {
    if (lines.isEmpty()) return;
    tx(
        "record logs",
        () -> {
          Connection c = db.connection();
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO log_lines(ts, severity, project_id, run_id, stage, agent_role, "
                      + "provider, trace_id, request_id, line) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
            for (var l : lines) {
              p.setLong(1, l.tsMillis());
              p.setInt(2, org.bookcreator.telemetry.LogLine.severity(l.level()));
              p.setString(3, l.projectId());
              p.setString(4, l.runId());
              p.setString(5, l.stage());
              p.setString(6, l.agentRole());
              p.setString(7, l.provider());
              p.setString(8, l.traceId());
              p.setString(9, l.requestId());
              p.setString(10, l.json());
              p.addBatch();
            }
            p.executeBatch();
          }
          return null;
        });
  }

  public List<org.bookcreator.core.store.StoredLog> logs(org.bookcreator.core.store.LogQuery q) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT id, ts, severity, project_id, run_id, stage, agent_role, provider, trace_id,"
                + " request_id, line FROM log_lines WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    filter(sql, args, "project_id", q.projectId());
    filter(sql, args, "run_id", q.runId());
    filter(sql, args, "stage", q.stage());
    filter(sql, args, "agent_role", q.agentRole());
    filter(sql, args, "provider", q.provider());
    filter(sql, args, "trace_id", q.traceId());
    filter(sql, args, "request_id", q.requestId());
    q.minLevel()
        .ifPresent(
            l -> {
              sql.append(" AND severity >= ?");
              args.add(org.bookcreator.telemetry.LogLine.severity(l));
            });
    q.since()
        .ifPresent(
            t -> {
              sql.append(" AND ts >= ?");
              args.add(t.toEpochMilli());
            });
    q.until()
        .ifPresent(
            t -> {
              sql.append(" AND ts < ?");
              args.add(t.toEpochMilli());
            });
    q.text()
        .ifPresent(
            t -> {
              sql.append(
                  " AND "
                      + db.dialect().jsonText("line", "message")
                      + " "
                      + db.dialect().likeIgnoringCase()
                      + " ? ESCAPE '\\'");
              args.add("%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            });
    q.beforeId()
        .ifPresent(
            id -> {
              sql.append(" AND id < ?");
              args.add(id);
            });
    q.afterId()
        .ifPresent(
            id -> {
              sql.append(" AND id > ?");
              args.add(id);
            });
    sql.append(q.afterId().isPresent() ? " ORDER BY id ASC" : " ORDER BY id DESC")
        .append(" LIMIT ")
        .append(q.limit());
    return tx(
        "query logs",
        () -> {
          Connection c = db.connection();
          List<org.bookcreator.core.store.StoredLog> out = new ArrayList<>();
          try (PreparedStatement p = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) p.setObject(i + 1, args.get(i));
            try (ResultSet rs = p.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new org.bookcreator.core.store.StoredLog(
                        rs.getLong(1),
                        new org.bookcreator.telemetry.LogLine(
                            rs.getLong(2),
                            level(rs.getInt(3)),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8),
                            rs.getString(9),
                            rs.getString(10),
                            rs.getString(11))));
              }
            }
          }
          return out;
        });
  }

  private static void filter(
      StringBuilder sql, List<Object> args, String column, Optional<String> value) {
    value.ifPresent(
        v -> {
          sql.append(" AND ").append(column).append(" = ?");
          args.add(v);
        });
  }

  private static String level(int severity) {
    return switch (severity) {
      case 0 -> "TRACE";
      case 10 -> "DEBUG";
      case 20 -> "INFO";
      case 30 -> "WARN";
      default -> "ERROR";
    };
  }

  public int pruneLogs(Instant olderThan, long maxRecords) {
    return tx(
        "prune logs",
        () -> {
          Connection c = db.connection();
          int deleted;
          try (PreparedStatement p = c.prepareStatement("DELETE FROM log_lines WHERE ts < ?")) {
            p.setLong(1, olderThan.toEpochMilli());
            deleted = p.executeUpdate();
          }
          // Ids only grow and retention deletes from the oldest end, so the newest maxRecords are
          // the
          // ones above MAX(id) - maxRecords.
          try (PreparedStatement p =
              c.prepareStatement(
                  "DELETE FROM log_lines WHERE id <= (SELECT MAX(id) FROM log_lines) - ?")) {
            p.setLong(1, maxRecords);
            deleted += p.executeUpdate();
          }
          return deleted;
        });
  }
}
