package org.bookcreator.core.alert;

import java.util.Locale;

/** How urgent an alert is: a warning can wait for office hours, a critical one cannot. */
public enum Severity {
  WARNING,
  CRITICAL;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
