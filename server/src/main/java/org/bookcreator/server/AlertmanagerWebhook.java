package org.bookcreator.server;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertState;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.ReceivedAlerts;
import org.bookcreator.core.alert.Severity;
import org.bookcreator.core.support.VisibleText;
import tools.jackson.databind.JsonNode;

/**
 * Reads an Alertmanager webhook payload (version 4, what {@code webhook_configs} posts) into the
 * alerts Book Creator records and notifies. Every problem is a 400 naming the field, such as {@code
 * alerts[2].labels.alertname}. An alert's {@code alertname} label is its name; {@code severity}
 * {@code critical} makes it critical and any other one a warning (the label itself is kept); its
 * {@code summary}, {@code description} and {@code runbook_url} annotations say what it is.
 */
final class AlertmanagerWebhook {
  private static final Pattern FINGERPRINT = Pattern.compile("[A-Za-z0-9]{1,64}");

  private AlertmanagerWebhook() {}

  static ReceivedAlerts.Group parse(JsonNode body) {
    JsonNode version = body.get("version");
    if (version == null || !version.isString() || !version.asString().equals("4"))
      throw ApiError.invalidField(
          "version",
          "must be \"4\", the version of Alertmanager's webhook payload, got "
              + (version == null ? "nothing" : quote(version.toString())));
    String groupKey = text(body, "groupKey");
    String status = status(body, "status");
    JsonNode alerts = body.get("alerts");
    if (alerts == null || !alerts.isArray() || alerts.isEmpty())
      throw ApiError.invalidField("alerts", "required: a list of at least one alert");
    List<Alert> out = new ArrayList<>();
    for (int i = 0; i < alerts.size(); i++) out.add(alert(alerts.get(i), "alerts[" + i + "]"));
    try {
      return new ReceivedAlerts.Group(groupKey, status, out);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
  }

  private static Alert alert(JsonNode a, String at) {
    if (a == null || !a.isObject()) throw ApiError.invalidField(at, "must be an object");
    Map<String, String> labels = strings(a.get("labels"), at + ".labels");
    String name = labels.remove("alertname");
    if (name == null || name.isBlank())
      throw ApiError.invalidField(at + ".labels.alertname", "required: the alert's name");
    Map<String, String> annotations = strings(a.get("annotations"), at + ".annotations");
    boolean resolved = status(a, at + ".status", "status").equals(Notification.RESOLVED);
    Instant startsAt = time(a, at, "startsAt");
    String fingerprint =
        Optional.ofNullable(a.get("fingerprint"))
            .filter(f -> !f.isNull())
            .map(f -> f.isString() ? f.asString() : "")
            .orElseGet(() -> Alert.fingerprint(name, labels));
    if (!FINGERPRINT.matcher(fingerprint).matches())
      throw ApiError.invalidField(at + ".fingerprint", "must be 1 to 64 letters and digits");
    Severity severity =
        "critical".equals(labels.getOrDefault("severity", "").toLowerCase(Locale.ROOT))
            ? Severity.CRITICAL
            : Severity.WARNING;
    return new Alert(
        fingerprint,
        name,
        labels,
        severity,
        resolved ? AlertState.RESOLVED : AlertState.FIRING,
        annotations.getOrDefault("summary", name),
        annotations.getOrDefault("description", ""),
        annotations.getOrDefault("runbook_url", ""),
        startsAt,
        Optional.of(startsAt),
        Optional.empty(), // when it resolved is when Book Creator heard of it
        Optional.empty());
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isString() || v.asString().isEmpty())
      throw ApiError.invalidField(field, "required: a string");
    return v.asString();
  }

  private static String status(JsonNode body, String field) {
    return status(body, field, field);
  }

  private static String status(JsonNode body, String path, String field) {
    JsonNode v = body.get(field);
    String s = v == null || !v.isString() ? "" : v.asString();
    if (!s.equals(Notification.FIRING) && !s.equals(Notification.RESOLVED))
      throw ApiError.invalidField(
          path, "must be firing or resolved, got " + (v == null ? "nothing" : quote(v.toString())));
    return s;
  }

  private static Instant time(JsonNode a, String at, String field) {
    JsonNode v = a.get(field);
    try {
      // The store keeps times to the millisecond; so does an alert's identity (its start).
      if (v != null && v.isString())
        return Instant.parse(v.asString()).truncatedTo(ChronoUnit.MILLIS);
    } catch (DateTimeParseException e) {
      // reported below
    }
    throw ApiError.invalidField(
        at + "." + field,
        "must be an RFC 3339 time such as 2026-11-30T10:00:00Z, got "
            + (v == null ? "nothing" : quote(v.toString())));
  }

  /** An object of string values, such as labels; absent is empty. */
  private static Map<String, String> strings(JsonNode o, String path) {
    Map<String, String> out = new TreeMap<>();
    if (o == null || o.isNull()) return out;
    if (!o.isObject()) throw ApiError.invalidField(path, "must be an object of strings");
    for (Map.Entry<String, JsonNode> e : o.properties()) {
      if (!e.getValue().isString())
        throw ApiError.invalidField(
            path + "." + VisibleText.escape(e.getKey(), 40), "must be a string");
      out.put(e.getKey(), e.getValue().asString());
    }
    return out;
  }

  private static String quote(String json) {
    return VisibleText.escape(json, 40);
  }
}
