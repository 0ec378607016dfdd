package org.bookcreator.core.alert;

import java.util.Locale;

/**
 * How urgent an alert is: a warning can wait for office hours, a critical one cannot; info is news
 * rather than trouble (a long run's notice that the book is ready), never a rule's severity.
 */
public enum Severity {
  INFO,
  WARNING,
  CRITICAL;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
