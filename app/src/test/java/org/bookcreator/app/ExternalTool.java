package org.bookcreator.app;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real program the deploy tests run (promtool, amtool, docker-compose, prometheus), found on the
 * PATH. Missing locally, the test is skipped with a message naming the package to install; missing
 * under {@code CI=true}, the test fails, because .ci/run installs every one of them.
 */
record ExternalTool(Path path) {
  /** What a run printed (stdout and stderr together) and how it ended. */
  record Result(int exitCode, String output) {}

  /** The tool, or the test skipped (locally) or failed (under CI=true) when it is not installed. */
  static ExternalTool require(String name, String debianPackage) {
    Optional<Path> found = find(name);
    if (found.isPresent()) return new ExternalTool(found.get());
    String message =
        name
            + " is not installed (Debian package "
            + debianPackage
            + ": apt-get install -y "
            + debianPackage
            + "; .ci/run installs it)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) fail("CI=true, so this must run: " + message);
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }

  static Optional<Path> find(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** Runs the tool with {@code args} in {@code dir} (120 s at most), adding {@code env}. */
  Result run(Path dir, Map<String, String> env, List<String> args)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("tool-", ".out");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(Stream.concat(Stream.of(path.toString()), args.stream()).toList())
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        fail(path + " " + args + " did not finish in 120 s: " + Files.readString(out));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  Result run(Path dir, String... args) throws IOException, InterruptedException {
    return run(dir, Map.of(), List.of(args));
  }
}
