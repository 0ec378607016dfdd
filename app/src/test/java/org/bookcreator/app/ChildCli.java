package org.bookcreator.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The real command line in a JVM of its own, with the test's classpath: for what only a process of
 * its own meets (a kill, a full disk, the exit code of main). What it prints, stdout and stderr
 * together, goes to a file; no BOOK_CREATOR_ variable of the test's environment reaches it.
 */
final class ChildCli {
  private ChildCli() {}

  /** What a child printed and how it ended. */
  record Result(int exitCode, String output, Duration took) {}

  /**
   * The process of {@code bin/book-creator args...}, not started: the test's JVM and classpath, and
   * its environment without BOOK_CREATOR_ variables.
   */
  static ProcessBuilder builder(String... args) {
    ProcessBuilder pb = new ProcessBuilder(ProcessesBench.cliCommand(args));
    pb.environment().keySet().removeIf(k -> k.startsWith("BOOK_CREATOR_"));
    return pb;
  }

  /** Starts {@code bin/book-creator args...}, its output going to {@code output}. */
  static Process start(Path output, String... args) throws IOException {
    return builder(args).redirectErrorStream(true).redirectOutput(output.toFile()).start();
  }

  /** Runs {@code bin/book-creator args...} to its end, killing it after {@code timeout}. */
  static Result run(Path output, Duration timeout, String... args)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process child = start(output, args);
    return awaitExit(child, output, timeout, start);
  }

  /**
   * Waits for a started child to exit; a child still running after {@code timeout} is killed and
   * reported with exit code -1.
   */
  static Result awaitExit(Process child, Path output, Duration timeout, long sinceNanos)
      throws IOException, InterruptedException {
    boolean exited = child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - sinceNanos);
    if (!exited) {
      child.destroyForcibly().waitFor();
      return new Result(-1, Files.readString(output), took);
    }
    return new Result(child.exitValue(), Files.readString(output), took);
  }
}
