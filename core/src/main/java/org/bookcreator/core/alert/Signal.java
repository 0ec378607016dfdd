package org.bookcreator.core.alert;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a rule sees right now: one alert instance, told apart from the rule's others by its labels
 * (a run, a provider). The summary is one line; the description says what was seen and what to do
 * first.
 */
public record Signal(Map<String, String> labels, String summary, String description) {
  public Signal {
    labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(description, "description");
  }
}
