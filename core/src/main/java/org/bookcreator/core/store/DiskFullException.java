package org.bookcreator.core.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The disk that holds the data directory is full. The message names the directory and the space
 * left on its disk, and says how to go on once space is freed.
 */
public final class DiskFullException extends StoreUnusableException {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

  private DiskFullException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A write under {@code dataDir} failed for want of space. */
  public static DiskFullException in(Path dataDir, Throwable cause) {
    return new DiskFullException(
        "disk full: the data directory "
            + dataDir
            + " has "
            + freeSpace(dataDir)
            + " free, and Book Creator needs room there for its store, logs and manuscripts;"
            + " free space (or move the data directory to a bigger disk), then run"
            + " bin/book-creator resume to go on from the last completed task"
            + " (docs/runbooks/store-full-or-locked.md)",
        cause);
  }

  /** Whether the operating system refused a write because the disk is full (ENOSPC). */
  public static boolean isNoSpace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (String.valueOf(t.getMessage()).contains("No space left on device")) return true;
    }
    return false;
  }

  /** The space left for this user on the disk of {@code dir}, e.g. "0 B" or "3.5 MiB". */
  private static String freeSpace(Path dir) {
    try {
      return bytes(Files.getFileStore(dir).getUsableSpace());
    } catch (IOException e) {
      return "an unknown amount of space";
    }
  }

  static String bytes(long n) {
    int unit = 0;
    double value = n;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }
}
