package org.bookcreator.store.jdbc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertState;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.Severity;
import org.bookcreator.core.alert.Silence;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.StageState;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskState;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/** Rows read back into the core's records, and the values the store writes. */
final class Rows {
  private Rows() {}

  static Optional<Instant> instant(ResultSet rs, String col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }

  static Optional<String> str(ResultSet rs, String col) throws SQLException {
    return Optional.ofNullable(rs.getString(col));
  }

  static Project project(ResultSet rs) throws SQLException {
    List<String> refs = new ArrayList<>();
    JsonNode arr = Json.parse(rs.getString("refs"));
    arr.forEach(n -> refs.add(n.asString()));
    return new Project(
        rs.getString("id"),
        rs.getString("title"),
        rs.getString("category"),
        str(rs, "audience"),
        rs.getString("brief"),
        rs.getInt("chapters"),
        str(rs, "budget_usd").map(BigDecimal::new),
        refs,
        Instant.ofEpochMilli(rs.getLong("created_at")),
        rs.getInt("pause_at_budget") != 0);
  }

  static Run run(ResultSet rs) throws SQLException {
    return new Run(
        rs.getString("id"),
        rs.getString("project_id"),
        rs.getInt("number"),
        RunState.valueOf(rs.getString("state")),
        str(rs, "stage").map(Stage::valueOf),
        rs.getLong("seed"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")),
        str(rs, "reason"));
  }

  // ---- stages

  static StageRecord stage(ResultSet rs) throws SQLException {
    return new StageRecord(
        rs.getString("run_id"),
        Stage.valueOf(rs.getString("stage")),
        StageState.valueOf(rs.getString("state")),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        rs.getInt("iterations"),
        str(rs, "result"),
        str(rs, "reason"));
  }

  // ---- tasks

  static Task task(ResultSet rs) throws SQLException {
    return new Task(
        rs.getString("id"),
        rs.getString("run_id"),
        rs.getString("project_id"),
        rs.getString("task_key"),
        Stage.valueOf(rs.getString("stage")),
        TaskKind.valueOf(rs.getString("kind")),
        TaskState.valueOf(rs.getString("state")),
        rs.getString("input"),
        str(rs, "output"),
        rs.getInt("attempt"),
        rs.getInt("claims"),
        str(rs, "lease_owner"),
        instant(rs, "lease_expires_at"),
        Instant.ofEpochMilli(rs.getLong("not_before")),
        str(rs, "error_type"),
        str(rs, "error"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")));
  }

  // ---- ledger

  static Long picos(BigDecimal usd) {
    return usd.setScale(PriceTable.COST_SCALE).unscaledValue().longValueExact();
  }

  static BigDecimal usd(long picos) {
    return new BigDecimal(BigInteger.valueOf(picos), PriceTable.COST_SCALE);
  }

  static LedgerEntry entry(ResultSet rs) throws SQLException {
    long picos = rs.getLong("cost_picousd");
    Optional<BigDecimal> cost = rs.wasNull() ? Optional.empty() : Optional.of(usd(picos));
    return new LedgerEntry(
        rs.getString("call_id"),
        rs.getString("project_id"),
        rs.getString("run_id"),
        rs.getString("task_id"),
        Stage.valueOf(rs.getString("stage")),
        AgentRole.valueOf(rs.getString("agent_role")),
        rs.getInt("attempt"),
        rs.getString("provider"),
        rs.getString("model"),
        new Usage(
            rs.getLong("input_tokens"),
            rs.getLong("output_tokens"),
            rs.getLong("cache_read_tokens"),
            rs.getLong("cache_write_tokens"),
            rs.getLong("reasoning_tokens")),
        cost,
        str(rs, "price_version"),
        rs.getLong("latency_ms"),
        rs.getString("outcome"),
        str(rs, "error_type"),
        str(rs, "response"),
        Instant.ofEpochMilli(rs.getLong("at")));
  }

  /** Lists of at most 500 ids: SQLite binds a limited number of parameters per statement. */
  static List<List<String>> chunks(Collection<String> ids) {
    List<String> all = List.copyOf(new LinkedHashSet<>(ids));
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += 500)
      out.add(all.subList(i, Math.min(all.size(), i + 500)));
    return out;
  }

  static String marks(int n) {
    return String.join(",", Collections.nCopies(n, "?"));
  }

  static RunEvent event(ResultSet rs) throws SQLException {
    return new RunEvent(
        rs.getString("run_id"),
        str(rs, "task_id"),
        rs.getString("kind"),
        rs.getString("detail"),
        Instant.ofEpochMilli(rs.getLong("at")));
  }

  /** A JSON array of strings, for {@code json_each(?)}: a list of any length as one parameter. */
  static String jsonArray(Collection<String> values) {
    return Json.write(List.copyOf(values));
  }

  static List<String> keys(ResultSet rs, int width) throws SQLException {
    List<String> k = new ArrayList<>(width);
    for (int i = 1; i <= width; i++) k.add(rs.getString(i));
    return k;
  }

  static Alert alert(ResultSet rs) throws SQLException {
    return new Alert(
        rs.getString("fingerprint"),
        rs.getString("name"),
        labels(rs.getString("labels")),
        Severity.valueOf(rs.getString("severity")),
        AlertState.valueOf(rs.getString("state")),
        rs.getString("summary"),
        rs.getString("description"),
        rs.getString("runbook"),
        Instant.ofEpochMilli(rs.getLong("active_since")),
        instant(rs, "fired_at"),
        instant(rs, "resolved_at"),
        instant(rs, "notified_at"));
  }

  static Map<String, String> labels(String json) {
    Map<String, String> out = new java.util.TreeMap<>();
    Json.parse(json).properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
    return out;
  }

  static Silence silence(ResultSet rs) throws SQLException {
    List<Silence.Matcher> matchers = new ArrayList<>();
    for (JsonNode m : Json.parse(rs.getString("matchers"))) {
      matchers.add(
          Silence.Matcher.of(
              m.get("name").asString(),
              Silence.Op.valueOf(m.get("op").asString()),
              m.get("value").asString()));
    }
    return new Silence(
        rs.getString("id"),
        matchers,
        Instant.ofEpochMilli(rs.getLong("starts_at")),
        Instant.ofEpochMilli(rs.getLong("ends_at")),
        rs.getString("reason"),
        rs.getString("created_by"),
        Instant.ofEpochMilli(rs.getLong("created_at")));
  }

  static String alertsJson(List<Alert> alerts) {
    ArrayNode arr = Json.MAPPER.createArrayNode();
    for (Alert a : alerts) {
      var o = arr.addObject();
      o.put("fingerprint", a.fingerprint());
      o.put("name", a.name());
      var labels = o.putObject("labels");
      a.labels().forEach(labels::put);
      o.put("severity", a.severity().name());
      o.put("state", a.state().name());
      o.put("summary", a.summary());
      o.put("description", a.description());
      o.put("runbook", a.runbook());
      o.put("active_since", a.activeSince().toEpochMilli());
      a.firedAt().ifPresent(t -> o.put("fired_at", t.toEpochMilli()));
      a.resolvedAt().ifPresent(t -> o.put("resolved_at", t.toEpochMilli()));
    }
    return Json.write(arr);
  }

  static List<Alert> alertsOf(String json) {
    List<Alert> out = new ArrayList<>();
    for (JsonNode o : Json.parse(json)) {
      Map<String, String> labels = new java.util.TreeMap<>();
      o.get("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
      out.add(
          new Alert(
              o.get("fingerprint").asString(),
              o.get("name").asString(),
              labels,
              Severity.valueOf(o.get("severity").asString()),
              AlertState.valueOf(o.get("state").asString()),
              o.get("summary").asString(),
              o.get("description").asString(),
              o.get("runbook").asString(),
              Instant.ofEpochMilli(o.get("active_since").asLong()),
              Optional.ofNullable(o.get("fired_at")).map(t -> Instant.ofEpochMilli(t.asLong())),
              Optional.ofNullable(o.get("resolved_at")).map(t -> Instant.ofEpochMilli(t.asLong())),
              Optional.empty()));
    }
    return out;
  }

  static Notification notification(ResultSet rs) throws SQLException {
    return new Notification(
        rs.getString("id"),
        rs.getString("notifier"),
        rs.getString("group_key"),
        rs.getString("status"),
        alertsOf(rs.getString("alerts")),
        rs.getInt("attempts"),
        Instant.ofEpochMilli(rs.getLong("created_at")));
  }
}
