package org.bookcreator.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** Runs the real command line in-process and captures what it prints. */
record Cli(int exitCode, String out, String err) {
  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(code, out.toString(), err.toString());
  }

  /**
   * The command line in a process of its own (for what must not share this JVM: a serve that runs
   * until it is stopped, a kill), with no {@code BOOK_CREATOR_*} variable of this environment.
   */
  static ProcessBuilder child(String... args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("BOOK_CREATOR_"));
    return pb;
  }

  /** Like {@link #run} with the process environment plus {@code env}. */
  static Cli runWithEnv(java.util.Map<String, String> env, String... args) {
    java.util.Map<String, String> merged = new java.util.HashMap<>(System.getenv());
    merged.putAll(env);
    Options.ENVIRONMENT.set(merged);
    try {
      return run(args);
    } finally {
      Options.ENVIRONMENT.remove();
    }
  }
}
