package org.bookcreator.core.alert;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One alert instance: a rule's condition for one set of labels, from the moment it was first seen
 * until it resolved. {@code fingerprint} identifies the instance across evaluations and restarts
 * (the rule's name and labels, hashed); {@code activeSince} is when the condition was first seen,
 * {@code firedAt} when it had held for the rule's {@code for} duration, {@code notifiedAt} when a
 * notification about it was last put in the outbox.
 */
public record Alert(
    String fingerprint,
    String name,
    Map<String, String> labels,
    Severity severity,
    AlertState state,
    String summary,
    String description,
    String runbook,
    Instant activeSince,
    Optional<Instant> firedAt,
    Optional<Instant> resolvedAt,
    Optional<Instant> notifiedAt) {
  public Alert {
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(name, "name");
    labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(activeSince, "activeSince");
    firedAt = Objects.requireNonNullElse(firedAt, Optional.empty());
    resolvedAt = Objects.requireNonNullElse(resolvedAt, Optional.empty());
    notifiedAt = Objects.requireNonNullElse(notifiedAt, Optional.empty());
  }

  /**
   * Where its runbook is: {@code docs/runbooks/NAME.md} for a built-in rule's runbook name; a
   * received alert's {@code runbook_url} as it came; empty when it has none.
   */
  public String runbookLink() {
    if (runbook.isEmpty() || runbook.contains("/") || runbook.contains(":")) return runbook;
    return "docs/runbooks/" + runbook + ".md";
  }

  /** The identity of a rule's instance: its name and its labels in key order, hashed. */
  public static String fingerprint(String name, Map<String, String> labels) {
    StringBuilder key = new StringBuilder(name);
    new TreeMap<>(labels).forEach((k, v) -> key.append('\0').append(k).append('=').append(v));
    return HexFormat.of().formatHex(sha256(key.toString()), 0, 8);
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  Alert moved(AlertState to, Instant at) {
    return new Alert(
        fingerprint,
        name,
        labels,
        severity,
        to,
        summary,
        description,
        runbook,
        activeSince,
        to == AlertState.FIRING ? Optional.of(at) : firedAt,
        to == AlertState.RESOLVED ? Optional.of(at) : resolvedAt,
        notifiedAt);
  }

  Alert describedAs(Signal s) {
    return new Alert(
        fingerprint,
        name,
        labels,
        severity,
        state,
        s.summary(),
        s.description(),
        runbook,
        activeSince,
        firedAt,
        resolvedAt,
        notifiedAt);
  }

  Alert notified(Instant at) {
    return new Alert(
        fingerprint,
        name,
        labels,
        severity,
        state,
        summary,
        description,
        runbook,
        activeSince,
        firedAt,
        resolvedAt,
        Optional.of(at));
  }
}
