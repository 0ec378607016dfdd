package org.bookcreator.telemetry;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The context every log line carries while work is done for a project, run, stage, agent or
 * request. Set it with {@link #with}, which returns a scope that restores the previous values on
 * close; carry it to another thread with {@link #capture} and {@link #restore}. Callers never pass
 * ids to individual log calls.
 */
public final class LogContext {
  public static final String PROJECT_ID = "project_id";
  public static final String RUN_ID = "run_id";
  public static final String STAGE = "stage";
  public static final String AGENT_ROLE = "agent_role";
  public static final String TASK_ID = "task_id";
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";
  public static final String PROVIDER = "provider";
  public static final String MODEL = "model";
  public static final String WORKER = "worker";

  private LogContext() {}

  /** Restores the previous context when closed. Never throws. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** Sets {@code key, value, key, value, ...}; null values are skipped. */
  public static Scope with(String... keyValues) {
    if (keyValues.length % 2 != 0)
      throw new IllegalArgumentException("keys and values must come in pairs");
    Map<String, String> previous = capture();
    for (int i = 0; i < keyValues.length; i += 2) {
      if (keyValues[i + 1] != null) MDC.put(keyValues[i], keyValues[i + 1]);
    }
    return () -> replace(previous);
  }

  /** A copy of this thread's context. */
  public static Map<String, String> capture() {
    Map<String, String> m = MDC.getCopyOfContextMap();
    return m == null ? new HashMap<>() : m;
  }

  /** Makes {@code context} this thread's context until the scope closes. */
  public static Scope restore(Map<String, String> context) {
    Map<String, String> previous = capture();
    replace(context);
    return () -> replace(previous);
  }

  /** Wraps a task so that it runs with the caller's current context on whatever thread runs it. */
  public static Runnable wrap(Runnable task) {
    Map<String, String> context = capture();
    return () -> {
      try (Scope ignored = restore(context)) {
        task.run();
      }
    };
  }

  private static void replace(Map<String, String> context) {
    MDC.clear();
    if (context != null) context.forEach(MDC::put);
  }
}
