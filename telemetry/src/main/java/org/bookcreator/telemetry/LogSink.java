package org.bookcreator.telemetry;

import java.util.List;

/** Where the indexed copy of the logs is kept (the store). Called from one background thread. */
@FunctionalInterface
public interface LogSink {
  void accept(List<LogLine> lines);
}
