package org.bookcreator.core.store;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Wake-ups between the processes that share one store, so that a worker starts on a task the moment
 * another machine's orchestrator queues it, and the orchestrator moves a run on the moment a worker
 * elsewhere settles its task. Only an optimisation: every receiver also polls (workers every {@code
 * worker.idle_poll}, the orchestrator every sweep), so a lost signal costs latency, never work.
 * PostgreSQL carries them with {@code LISTEN/NOTIFY}; a SQLite store has one pipeline process and
 * needs none ({@link #NONE}).
 */
public interface StoreSignals {
  /** What happened. */
  enum Kind {
    /** Tasks were queued: idle workers look for work. */
    WORK_QUEUED("work"),
    /** A worker settled a task of the run: the orchestrator looks at the run. */
    TASK_SETTLED("settled"),
    /** A run was created, restarted or resumed by a process without an orchestrator. */
    RUN_WOKEN("woken");

    public final String id;

    Kind(String id) {
      this.id = id;
    }

    static Optional<Kind> of(String id) {
      for (Kind k : values()) if (k.id.equals(id)) return Optional.of(k);
      return Optional.empty();
    }
  }

  /** One signal: its kind and the run it concerns (empty for {@link Kind#WORK_QUEUED}). */
  record Signal(Kind kind, Optional<String> runId) {
    /** The longest run id a payload may carry; anything longer was not sent by Book Creator. */
    static final int MAX_RUN_ID = 200;

    /** The payload that carries this signal: {@code kind} or {@code kind:runId}. */
    public String payload() {
      return runId.map(r -> kind.id + ":" + r).orElse(kind.id);
    }

    /**
     * Reads a payload; empty for one Book Creator did not send (another client may notify on the
     * same channel), so a receiver never acts on garbage.
     */
    public static Optional<Signal> parse(String payload) {
      if (payload == null || payload.length() > MAX_RUN_ID + 16) return Optional.empty();
      int colon = payload.indexOf(':');
      String kind = colon < 0 ? payload : payload.substring(0, colon);
      Optional<String> run =
          colon < 0 ? Optional.empty() : Optional.of(payload.substring(colon + 1));
      if (run.isPresent() && (run.get().isEmpty() || !run.get().matches("[A-Za-z0-9_.-]+")))
        return Optional.empty();
      return Kind.of(kind).map(k -> new Signal(k, run));
    }
  }

  /** Tells every listening process; never throws (a lost signal is made up by polling). */
  void send(Kind kind, Optional<String> runId);

  /**
   * Calls {@code handler} for every signal any process sends (this one included), on one thread of
   * the store's, until the returned handle is closed.
   */
  AutoCloseable listen(Consumer<Signal> handler);

  /** Whether signals reach other processes; false for {@link #NONE}. */
  boolean crossesProcesses();

  /** No other process to tell: one pipeline process runs everything (SQLite). */
  StoreSignals NONE =
      new StoreSignals() {
        @Override
        public void send(Kind kind, Optional<String> runId) {}

        @Override
        public AutoCloseable listen(Consumer<Signal> handler) {
          return () -> {};
        }

        @Override
        public boolean crossesProcesses() {
          return false;
        }
      };
}
