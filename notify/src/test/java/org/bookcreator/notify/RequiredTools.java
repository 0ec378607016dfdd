package org.bookcreator.notify;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Programs a test needs from the machine. Missing ones skip the test with a message naming them and
 * their packages, except in CI ({@code CI=true}), where {@code .ci/run} installs them and a missing
 * one is a failure: a green build must not hide an untested notifier.
 */
final class RequiredTools {
  private RequiredTools() {}

  static void require(List<String> programs, String packages) {
    List<String> missing = programs.stream().filter(p -> onPath(p) == null).toList();
    if (missing.isEmpty()) return;
    String message =
        "not installed: "
            + String.join(", ", missing)
            + " (Debian: apt-get install "
            + packages
            + "; .ci/run installs them)";
    if ("true".equals(System.getenv("CI"))) fail(message);
    Assumptions.abort(message);
  }

  /** The program's path on this process's PATH, or null. */
  static Path onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (dir.isBlank()) continue;
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) return p;
    }
    return null;
  }
}
