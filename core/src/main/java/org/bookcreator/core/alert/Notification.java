package org.bookcreator.core.alert;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One message to one notifier about a group of alerts that moved the same way ({@code firing} or
 * {@code resolved}). {@code id} is its idempotency key: the same on every delivery attempt, so a
 * receiver that sees it twice can drop the second. {@code alerts} are the alerts as they were when
 * they moved.
 */
public record Notification(
    String id,
    String notifier,
    String groupKey,
    String status,
    List<Alert> alerts,
    int attempts,
    Instant createdAt) {
  public static final String FIRING = "firing";
  public static final String RESOLVED = "resolved";

  public Notification {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(notifier, "notifier");
    Objects.requireNonNull(groupKey, "groupKey");
    if (!status.equals(FIRING) && !status.equals(RESOLVED))
      throw new IllegalArgumentException("status must be firing or resolved, was " + status);
    alerts = List.copyOf(alerts);
    Objects.requireNonNull(createdAt, "createdAt");
  }

  Notification with(Alert more) {
    List<Alert> all = new java.util.ArrayList<>(alerts);
    all.removeIf(a -> a.fingerprint().equals(more.fingerprint()));
    all.add(more);
    return new Notification(id, notifier, groupKey, status, all, attempts, createdAt);
  }
}
