package org.bookcreator.notify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.support.VisibleText;

/**
 * The words of a notification, one wording whatever the channel: the headline an e-mail's subject
 * and a desktop popup's title show, the plain-text body of an e-mail (the webhook document's
 * content as lines), the runbook path. Text that came from alerts is cleaned of control and
 * invisible characters where it lands on one line.
 */
final class NotificationText {
  private NotificationText() {}

  /** {@code [FIRING]} or {@code [RESOLVED]}. */
  static String tag(Notification n) {
    return "[" + n.status().toUpperCase(Locale.ROOT) + "]";
  }

  /** Where the alert's runbook is, from the repository's root. */
  static String runbook(Alert a) {
    return a.runbookLink();
  }

  /**
   * One line: {@code [FIRING] ProviderDown (openai)}; the label values every alert of the
   * notification shares, in label order; {@code ×3} when it holds several alerts.
   */
  static String headline(Notification n) {
    StringBuilder s = new StringBuilder(tag(n)).append(' ').append(name(n));
    List<String> shared = sharedLabelValues(n.alerts());
    if (!shared.isEmpty()) s.append(" (").append(String.join(", ", shared)).append(')');
    if (n.alerts().size() > 1) s.append(" ×").append(n.alerts().size());
    return VisibleText.clean(s.toString());
  }

  private static String name(Notification n) {
    return n.alerts().isEmpty() ? n.groupKey() : n.alerts().getFirst().name();
  }

  private static List<String> sharedLabelValues(List<Alert> alerts) {
    List<String> values = new ArrayList<>();
    if (alerts.isEmpty()) return values;
    for (Map.Entry<String, String> label : alerts.getFirst().labels().entrySet()) {
      if (alerts.stream().allMatch(a -> label.getValue().equals(a.labels().get(label.getKey()))))
        values.add(label.getValue());
    }
    return values;
  }

  /**
   * The plain-text body: the headline, then per alert its name, severity, summary, description,
   * labels, runbook and times, then the notification's id and group.
   */
  static String plain(Notification n) {
    StringBuilder s = new StringBuilder(headline(n)).append("\n");
    for (Alert a : n.alerts()) {
      s.append("\n")
          .append(line(a.name() + " (" + a.severity().id() + ", " + n.status() + ")"))
          .append("\n");
      field(s, "summary", a.summary());
      field(s, "description", a.description());
      field(s, "labels", labels(a.labels()));
      field(s, "runbook", runbook(a));
      field(s, "active since", a.activeSince().toString());
      a.firedAt().ifPresent(t -> field(s, "fired at", t.toString()));
      a.resolvedAt().ifPresent(t -> field(s, "resolved at", t.toString()));
      field(s, "fingerprint", a.fingerprint());
    }
    return s.append("\n-- \nBook Creator, notification ")
        .append(n.id())
        .append(" (group ")
        .append(line(n.groupKey()))
        .append("). The id is the same on every attempt: a second copy can be dropped.\n")
        .toString();
  }

  private static void field(StringBuilder s, String name, String value) {
    s.append("  ").append(name).append(": ").append(line(value)).append("\n");
  }

  private static String labels(Map<String, String> labels) {
    if (labels.isEmpty()) return "(none)";
    List<String> pairs = new ArrayList<>();
    labels.forEach((k, v) -> pairs.add(k + "=" + v));
    return String.join(", ", pairs);
  }

  /** {@code s}, cut to {@code max} characters with an ellipsis when longer. */
  static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  /** One line of text: control and invisible characters become spaces. */
  static String line(String s) {
    return VisibleText.clean(s);
  }
}
