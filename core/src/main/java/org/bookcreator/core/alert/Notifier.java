package org.bookcreator.core.alert;

/**
 * Where notifications go: a webhook, a mailbox, the desktop, an Alertmanager. Implementations are
 * adapters; they may block (the dispatcher calls them on its own thread, one at a time, with the
 * time limit they set themselves) and must not throw: every failure is a {@link Delivery}.
 */
public interface Notifier {
  /** The name routes and the outbox know it by, e.g. {@code webhook} or {@code webhook-ops}. */
  String name();

  Delivery deliver(Notification notification);

  /** How one attempt went. */
  sealed interface Delivery {
    /** The receiver took it. */
    record Delivered() implements Delivery {}

    /** It did not; a retryable failure is tried again with backoff, a final one is given up. */
    record Failed(String reason, boolean retryable) implements Delivery {}
  }
}
