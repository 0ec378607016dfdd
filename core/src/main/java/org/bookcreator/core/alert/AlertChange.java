package org.bookcreator.core.alert;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One move of an alert instance, as the evaluator decided it: {@code from} is empty for a new
 * instance. The store keeps the alert's new state and the move in its history in one transaction.
 */
public record AlertChange(Alert alert, Optional<AlertState> from, AlertState to, Instant at) {
  public AlertChange {
    Objects.requireNonNull(alert, "alert");
    from = Objects.requireNonNullElse(from, Optional.empty());
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(at, "at");
    from.ifPresent(f -> AlertState.TABLE.require(f, to, alert.name() + " " + alert.fingerprint()));
  }

  /** Whether people should hear of it: an alert starting to fire, or resolving after it fired. */
  public boolean notifies() {
    return to == AlertState.FIRING || (to == AlertState.RESOLVED && alert.firedAt().isPresent());
  }
}
