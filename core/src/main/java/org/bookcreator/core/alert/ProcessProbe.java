package org.bookcreator.core.alert;

import java.util.OptionalLong;

/**
 * Measurements of the process itself that alert rules need and the store does not hold. Each answer
 * is a reading now; implementations must not throw.
 */
public interface ProcessProbe {
  /** Bytes free for this user on the data directory's disk, and its total size. */
  DiskSpace disk();

  /** Log lines and spans dropped since the process started (telemetry under pressure). */
  long telemetryDropped();

  record DiskSpace(OptionalLong freeBytes, OptionalLong totalBytes) {}

  /** A probe that knows nothing: rules that need it see nothing. */
  ProcessProbe NONE =
      new ProcessProbe() {
        @Override
        public DiskSpace disk() {
          return new DiskSpace(OptionalLong.empty(), OptionalLong.empty());
        }

        @Override
        public long telemetryDropped() {
          return 0;
        }
      };
}
