package org.bookcreator.core.alert;

import java.util.Locale;
import org.bookcreator.core.support.Transitions;

/**
 * Lifecycle of an alert instance. A rule's condition seen for the first time makes it PENDING; held
 * for the rule's {@code for} duration, FIRING; cleared, RESOLVED (a pending one that clears is
 * simply dropped, as Prometheus does). A resolved alert that comes back is a new instance.
 */
public enum AlertState {
  PENDING,
  FIRING,
  RESOLVED;

  public static final Transitions<AlertState> TABLE =
      Transitions.of("alert", AlertState.class)
          .allow(PENDING, FIRING, RESOLVED)
          .allow(FIRING, RESOLVED)
          .build();

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
