package org.bookcreator.core.alert;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Who hears of which alerts, and how often. Alerts that move the same way within {@code groupWait}
 * and share the {@code groupBy} labels (and the alert name) go out as one notification; a group
 * that was notified waits {@code groupInterval} before the next one (fifty runs failing in an
 * outage make one or two messages, not fifty); an alert still firing is announced again after
 * {@code repeatInterval}. Every notifier receives every notification.
 */
public record NotificationPolicy(
    List<String> notifiers,
    List<String> groupBy,
    Duration groupWait,
    Duration groupInterval,
    Duration repeatInterval) {
  public NotificationPolicy {
    notifiers = List.copyOf(notifiers);
    groupBy = List.copyOf(groupBy);
    Objects.requireNonNull(groupWait, "groupWait");
    Objects.requireNonNull(groupInterval, "groupInterval");
    Objects.requireNonNull(repeatInterval, "repeatInterval");
  }

  /** Nobody to tell: alerts are recorded and logged only. */
  public static final NotificationPolicy NONE =
      new NotificationPolicy(
          List.of(),
          List.of("provider"),
          Duration.ofSeconds(10),
          Duration.ofMinutes(5),
          Duration.ofHours(4));

  /** The group an alert belongs to: its name and its values of the grouping labels. */
  public String groupKey(Alert a) {
    Map<String, String> key = new TreeMap<>();
    for (String l : groupBy) {
      String v = a.labels().get(l);
      if (v != null) key.put(l, v);
    }
    return a.name() + key;
  }
}
