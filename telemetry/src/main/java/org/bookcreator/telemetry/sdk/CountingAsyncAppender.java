package org.bookcreator.telemetry.sdk;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * An asynchronous appender that never blocks the caller and counts what it drops. Logback's own
 * appender drops silently when its queue is full; this one tells {@code onDrop} about every event
 * it turns away, so drops show up in {@code book_creator_telemetry_dropped_total{signal="logs"}}.
 */
final class CountingAsyncAppender extends AsyncAppender {
  private final Runnable onDrop;

  CountingAsyncAppender(Runnable onDrop) {
    this.onDrop = onDrop;
    setNeverBlock(true);
    setDiscardingThreshold(0);
    setIncludeCallerData(false);
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (getRemainingCapacity() <= 0) {
      onDrop.run();
      return;
    }
    event.prepareForDeferredProcessing();
    super.append(event);
  }
}
