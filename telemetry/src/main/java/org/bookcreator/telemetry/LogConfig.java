package org.bookcreator.telemetry;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How logging is set up.
 *
 * @param service the {@code service} field of every record
 * @param dir where {@code book-creator.log} (JSON lines) rotates; empty for no file
 * @param console what the console gets: JSON lines, readable text, or nothing
 * @param consoleToStdout stdout when true, stderr otherwise
 * @param consoleLevel least level shown on the console
 * @param level root level
 * @param levels per-logger (package) levels, e.g. {@code org.bookcreator.core.pipeline -> DEBUG}
 * @param maxFileBytes size at which the file rotates
 * @param keepFiles rotated files kept (older ones are deleted)
 * @param queueSize events buffered for the file before new ones are dropped (and counted)
 */
public record LogConfig(
    String service,
    Optional<Path> dir,
    Console console,
    boolean consoleToStdout,
    String consoleLevel,
    String level,
    Map<String, String> levels,
    long maxFileBytes,
    int keepFiles,
    int queueSize) {

  public enum Console {
    JSON,
    TEXT,
    OFF;

    public static Console parse(String s) {
      try {
        return valueOf(s.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "console format must be json, text or off, got '" + s + "'");
      }
    }
  }

  public LogConfig {
    Objects.requireNonNull(service, "service");
    dir = Objects.requireNonNullElse(dir, Optional.empty());
    levels = Map.copyOf(levels);
    if (maxFileBytes < 1024)
      throw new IllegalArgumentException(
          "log file size must be at least 1 KiB, was " + maxFileBytes);
    if (keepFiles < 1 || keepFiles > 100)
      throw new IllegalArgumentException("kept log files must be 1..100, was " + keepFiles);
    if (queueSize < 16)
      throw new IllegalArgumentException(
          "log queue must hold at least 16 events, was " + queueSize);
    for (String l : levels.values()) checkLevel(l);
    checkLevel(level);
    checkLevel(consoleLevel);
  }

  static void checkLevel(String l) {
    if (!java.util.List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF")
        .contains(l.toUpperCase(Locale.ROOT))) {
      throw new IllegalArgumentException(
          "log level must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, got '" + l + "'");
    }
  }

  /** Console only, no file: for read-only commands and tests. */
  public static LogConfig console(String service, Console console, String consoleLevel) {
    return new LogConfig(
        service,
        Optional.empty(),
        console,
        false,
        consoleLevel,
        "INFO",
        Map.of(),
        20L << 20,
        5,
        8192);
  }
}
