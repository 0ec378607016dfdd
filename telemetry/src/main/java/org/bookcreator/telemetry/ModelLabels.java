package org.bookcreator.telemetry;

import java.util.Set;

/**
 * Names the {@code model} label of the metrics. Providers answer with names the catalogue does not
 * list as such (dated snapshots such as {@code gpt-4o-mini-2024-07-18}, names a local server makes
 * up), so a label is a catalogue name or {@link #OTHER}: the label set stays bounded however many
 * names appear. Implementations are thread-safe and never throw.
 */
@FunctionalInterface
public interface ModelLabels {
  /** The label of every model outside the catalogue. */
  String OTHER = "other";

  /** The label for {@code model} of {@code provider}: its catalogue name, or {@link #OTHER}. */
  String label(String provider, String model);

  /** Models labelled by their own name when listed, every other one as {@link #OTHER}. */
  static ModelLabels allowing(Set<String> models) {
    Set<String> allowed = Set.copyOf(models);
    return (provider, model) -> model != null && allowed.contains(model) ? model : OTHER;
  }
}
