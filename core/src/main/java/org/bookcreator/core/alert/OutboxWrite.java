package org.bookcreator.core.alert;

import java.time.Instant;
import java.util.Objects;

/**
 * What an evaluation adds to the outbox, in the transaction that moves the alerts: a new
 * notification due at {@code dueAt}, or a pending one of the same group (not yet attempted) that
 * more alerts join.
 */
public sealed interface OutboxWrite {
  record Insert(Notification notification, Instant dueAt) implements OutboxWrite {
    public Insert {
      Objects.requireNonNull(notification, "notification");
      Objects.requireNonNull(dueAt, "dueAt");
    }
  }

  record Extend(Notification notification) implements OutboxWrite {
    public Extend {
      Objects.requireNonNull(notification, "notification");
    }
  }
}
