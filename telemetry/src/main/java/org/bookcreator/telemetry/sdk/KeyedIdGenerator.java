package org.bookcreator.telemetry.sdk;

import io.opentelemetry.sdk.trace.IdGenerator;

/**
 * Random ids, except on a thread that asked for specific ones. A run's trace and its stage spans
 * outlive any single process (a run can resume after a crash), so their ids are derived from the
 * run id instead of drawn at random: children started in another process, before the parent span is
 * recorded, can still name it as their parent.
 */
final class KeyedIdGenerator implements IdGenerator {
  private static final ThreadLocal<String[]> NEXT = new ThreadLocal<>();
  private final IdGenerator random = IdGenerator.random();

  /** Makes the next span started on this thread use these ids; null keeps the random one. */
  static void next(String traceId, String spanId) {
    NEXT.set(new String[] {traceId, spanId});
  }

  static void clear() {
    NEXT.remove();
  }

  @Override
  public String generateSpanId() {
    String[] n = NEXT.get();
    return n != null && n[1] != null ? n[1] : random.generateSpanId();
  }

  @Override
  public String generateTraceId() {
    String[] n = NEXT.get();
    return n != null && n[0] != null ? n[0] : random.generateTraceId();
  }
}
