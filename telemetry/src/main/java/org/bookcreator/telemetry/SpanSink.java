package org.bookcreator.telemetry;

import java.util.List;

/** Where finished spans are kept locally (the store). Called from one background thread. */
@FunctionalInterface
public interface SpanSink {
  void accept(List<SpanRecord> spans);
}
