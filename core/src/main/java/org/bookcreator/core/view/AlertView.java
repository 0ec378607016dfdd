package org.bookcreator.core.view;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertChange;

/**
 * An alert instance as people see it: name, state, severity, labels, what it says, its runbook and
 * its times. {@code silencedBy} names the silences that keep it from being notified now (empty when
 * none does, and in the history). {@code change} is present in the history: the move this line
 * records and when.
 */
public record AlertView(
    String name,
    String state,
    String severity,
    Map<String, String> labels,
    String summary,
    String description,
    String runbook,
    Instant activeSince,
    Optional<Instant> firedAt,
    Optional<Instant> resolvedAt,
    String fingerprint,
    List<String> silencedBy,
    Optional<Change> change) {
  public AlertView {
    silencedBy = List.copyOf(silencedBy);
  }

  /** One move: from which state (absent for a new instance) to which, and when. */
  public record Change(Optional<String> from, String to, Instant at) {}

  static AlertView of(Alert a) {
    return of(a, List.of());
  }

  static AlertView of(Alert a, List<String> silencedBy) {
    return new AlertView(
        a.name(),
        a.state().id(),
        a.severity().id(),
        a.labels(),
        a.summary(),
        a.description(),
        a.runbookLink(),
        a.activeSince(),
        a.firedAt(),
        a.resolvedAt(),
        a.fingerprint(),
        silencedBy,
        Optional.empty());
  }

  static AlertView of(AlertChange c) {
    AlertView v = of(c.alert());
    return new AlertView(
        v.name,
        c.to().id(),
        v.severity,
        v.labels,
        v.summary,
        v.description,
        v.runbook,
        v.activeSince,
        v.firedAt,
        v.resolvedAt,
        v.fingerprint,
        List.of(),
        Optional.of(new Change(c.from().map(s -> s.id()), c.to().id(), c.at())));
  }
}
