package org.bookcreator.core.alert;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Who hears of which alerts, and how often. Alerts that move the same way within {@code groupWait}
 * and share the {@code groupBy} labels (and the alert name) go out as one notification; a group
 * that was notified waits {@code groupInterval} before the next one (fifty runs failing in an
 * outage make one or two messages, not fifty); an alert still firing is announced again after
 * {@code repeatInterval}. An alert goes to the notifiers of the first of the {@code routes} that
 * matches it, and to every notifier when none does (or there are none).
 */
public record NotificationPolicy(
    List<String> notifiers,
    List<String> groupBy,
    Duration groupWait,
    Duration groupInterval,
    Duration repeatInterval,
    List<Route> routes) {
  public NotificationPolicy {
    notifiers = List.copyOf(notifiers);
    groupBy = List.copyOf(groupBy);
    Objects.requireNonNull(groupWait, "groupWait");
    Objects.requireNonNull(groupInterval, "groupInterval");
    Objects.requireNonNull(repeatInterval, "repeatInterval");
    routes = List.copyOf(routes);
    Route.requireKnown(routes, notifiers);
  }

  /** A policy without routes: every notifier hears of every alert. */
  public NotificationPolicy(
      List<String> notifiers,
      List<String> groupBy,
      Duration groupWait,
      Duration groupInterval,
      Duration repeatInterval) {
    this(notifiers, groupBy, groupWait, groupInterval, repeatInterval, List.of());
  }

  /** The notifiers that hear of {@code a}: the first matching route's, or every notifier. */
  public List<String> notifiersFor(Alert a) {
    for (Route r : routes) if (r.matches(a)) return r.notifiers();
    return notifiers;
  }

  /**
   * One route: the alerts that every matcher matches (Alertmanager's matchers, over the labels,
   * {@code alertname} and {@code severity}; none: every alert) go to {@code notifiers}.
   */
  public record Route(List<Silence.Matcher> matchers, List<String> notifiers) {
    public Route {
      matchers = List.copyOf(matchers);
      notifiers = List.copyOf(notifiers);
      if (notifiers.isEmpty()) throw new IllegalArgumentException("a route needs a notifier");
    }

    /**
     * Checks that the routes name only these notifiers.
     *
     * @throws IllegalArgumentException naming the route, the unknown notifier and the known ones
     */
    public static void requireKnown(List<Route> routes, List<String> notifiers) {
      for (Route r : routes) {
        for (String n : r.notifiers()) {
          if (!notifiers.contains(n))
            throw new IllegalArgumentException(
                "route '"
                    + r
                    + "': no notifier named "
                    + n
                    + (notifiers.isEmpty()
                        ? "; no notifier is configured (notify.* in docs/alerts.md)"
                        : "; the notifiers are " + String.join(", ", notifiers)));
        }
      }
    }

    public boolean matches(Alert a) {
      Map<String, String> labels = Silence.labelsOf(a);
      return matchers.stream().allMatch(m -> m.matches(labels));
    }

    /**
     * Parses {@code alerts.routes}: routes separated by {@code ;}, each {@code MATCHERS:NOTIFIERS}
     * where the matchers are separated by commas ({@code *} for every alert) and so are the
     * notifiers, e.g. {@code severity=critical:email,desktop; alertname=RunFailed:webhook}.
     *
     * @throws IllegalArgumentException naming the route (by position and text) and the problem
     */
    public static List<Route> parse(String text) {
      List<Route> out = new ArrayList<>();
      String[] parts = text.split(";");
      for (int i = 0; i < parts.length; i++) {
        String part = parts[i].strip();
        if (part.isEmpty()) continue;
        String where = "route " + (i + 1) + " '" + part + "'";
        int colon = part.lastIndexOf(':');
        if (colon < 0)
          throw new IllegalArgumentException(
              where + ": expected MATCHERS:NOTIFIERS, e.g. severity=critical:email,desktop");
        List<Silence.Matcher> matchers = new ArrayList<>();
        String left = part.substring(0, colon).strip();
        if (!left.equals("*")) {
          for (String m : left.split(",")) {
            try {
              matchers.add(Silence.Matcher.parse(m.strip()));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
          }
        }
        List<String> notifiers =
            java.util.Arrays.stream(part.substring(colon + 1).split(","))
                .map(String::strip)
                .filter(n -> !n.isEmpty())
                .toList();
        if (notifiers.isEmpty())
          throw new IllegalArgumentException(where + ": name at least one notifier after ':'");
        out.add(new Route(matchers, notifiers));
      }
      return List.copyOf(out);
    }

    @Override
    public String toString() {
      return (matchers.isEmpty()
              ? "*"
              : String.join(",", matchers.stream().map(Object::toString).toList()))
          + ":"
          + String.join(",", notifiers);
    }
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
