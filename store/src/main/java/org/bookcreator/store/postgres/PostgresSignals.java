package org.bookcreator.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.bookcreator.core.store.StoreSignals;
import org.bookcreator.store.jdbc.Quietly;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link StoreSignals} over PostgreSQL's {@code LISTEN/NOTIFY} on one channel. Sending takes a
 * pooled connection for one {@code pg_notify}; listening holds a connection of its own, outside the
 * pool, read by one daemon thread that reconnects with backoff when the database goes away (the
 * receivers poll meanwhile, so nothing waits on it).
 */
final class PostgresSignals implements StoreSignals, AutoCloseable {
  static final String CHANNEL = "book_creator";
  private static final Logger log = LoggerFactory.getLogger(PostgresSignals.class);
  private static final Duration RECONNECT_MAX = Duration.ofSeconds(30);

  private final PostgresDatabase.Settings settings;
  private final DataSource pool;
  private final List<Consumer<Signal>> handlers = new CopyOnWriteArrayList<>();
  private Thread listener;
  private volatile boolean closed;

  PostgresSignals(PostgresDatabase.Settings settings, DataSource pool) {
    this.settings = settings;
    this.pool = pool;
  }

  @Override
  public void send(Kind kind, Optional<String> runId) {
    if (closed) return;
    String payload = new Signal(kind, runId).payload();
    try (Connection c = pool.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      p.setString(1, CHANNEL);
      p.setString(2, payload);
      p.execute();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      log.debug("could not send the {} signal; the receivers' polling makes up for it", kind.id, e);
    }
  }

  @Override
  public synchronized AutoCloseable listen(Consumer<Signal> handler) {
    handlers.add(handler);
    if (listener == null && !closed) {
      listener = Thread.ofPlatform().daemon(true).name("store-signals").start(this::listenLoop);
    }
    return () -> handlers.remove(handler);
  }

  @Override
  public boolean crossesProcesses() {
    return true;
  }

  private void listenLoop() {
    Duration wait = Duration.ofSeconds(1);
    boolean told = false;
    while (!closed) {
      Connection c = null;
      try {
        c = PostgresDatabase.connect(settings);
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + CHANNEL);
        }
        if (told) log.info("listening for other processes' signals again");
        told = false;
        wait = Duration.ofSeconds(1);
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] got = pg.getNotifications(1000);
          if (got == null) continue;
          for (PGNotification n : got) deliver(n.getParameter());
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) return;
        if (!told) {
          log.warn(
              "lost the connection that listens for other processes' signals ({}); polling"
                  + " meanwhile, reconnecting in {} s",
              e.getMessage(),
              wait.toSeconds());
          told = true;
        }
        try {
          Thread.sleep(wait);
        } catch (InterruptedException ie) {
          return;
        }
        wait =
            wait.multipliedBy(2).compareTo(RECONNECT_MAX) > 0
                ? RECONNECT_MAX
                : wait.multipliedBy(2);
      } finally {
        Quietly.close(c);
      }
    }
  }

  private void deliver(String payload) {
    Optional<Signal> signal = Signal.parse(payload);
    if (signal.isEmpty()) {
      log.debug("ignored a notification on {} that Book Creator did not send", CHANNEL);
      return;
    }
    for (Consumer<Signal> h : handlers) {
      try {
        h.accept(signal.get());
      } catch (RuntimeException e) {
        log.warn("a signal handler failed", e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (this) {
      t = listener;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
