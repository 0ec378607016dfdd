package org.bookcreator.app;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.bookcreator.core.store.Leadership;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.telemetry.BookMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An orchestrator process on a store shared with others (PostgreSQL): it stands by until it takes
 * the store's orchestrator lock, then drives the runs for as long as it holds it. The database
 * gives the lock up when the active orchestrator's session ends (the process died, its machine or
 * network went away), so a standby takes over within {@link #EVERY}. An orchestrator that finds its
 * lock lost stops driving at once and tells {@code onLost}: another process may hold the lock now,
 * and two active orchestrators would queue a stage's tasks twice.
 */
final class Standby implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Standby.class);

  /** How often a standby tries to take over, and the active one checks it still leads. */
  static final Duration EVERY = Duration.ofSeconds(2);

  private final Engine engine;
  private final Consumer<RuntimeException> onLost;
  private volatile boolean leads;
  private volatile boolean closed;
  private Thread thread;

  Standby(Engine engine, Consumer<RuntimeException> onLost) {
    this.engine = engine;
    this.onLost = onLost;
    engine
        .telemetry
        .metrics()
        .gauge(
            "book_creator_orchestrator_active",
            "1 while this process is the store's active orchestrator, 0 while it stands by.",
            List.of(),
            () -> List.of(BookMetrics.Point.of(leads ? 1 : 0)));
  }

  /**
   * Tries once at once (so serve can say whether it leads), then keeps trying in the background.
   */
  synchronized void start() {
    if (thread != null) return;
    tryToLead();
    if (!leads) {
      log.info(
          "standing by: another orchestrator is active on this store; trying to take over every"
              + " {} s",
          EVERY.toSeconds());
    }
    thread = Thread.ofPlatform().daemon(true).name("orchestrator-standby").start(this::loop);
  }

  boolean leads() {
    return leads;
  }

  private void loop() {
    while (!closed) {
      try {
        Thread.sleep(EVERY);
      } catch (InterruptedException e) {
        return;
      }
      if (!leads) {
        tryToLead();
      } else if (!engine.leadership().map(Leadership::held).orElse(false)) {
        leads = false;
        log.error(
            "lost the orchestrator lock (the connection that held it is gone); stopping, so that"
                + " a standby can take over. Start this process again to stand by");
        onLost.accept(
            new StoreException(
                "lost the orchestrator lock: the connection that held it is gone; another"
                    + " orchestrator may lead now. Start this process again to stand by"));
        return;
      }
    }
  }

  private synchronized void tryToLead() {
    if (closed || leads) return;
    try {
      Optional<Leadership> taken = engine.store.tryLead();
      if (taken.isEmpty()) return;
      leads = true;
      engine.lead(taken.get());
      log.info("this process is the active orchestrator now; resuming the unfinished runs");
    } catch (StoreException e) {
      log.warn("could not try to take the orchestrator lock; trying again: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) t.interrupt();
  }
}
