package org.bookcreator.app;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the real command line in-process and captures what it prints. */
record Cli(int exitCode, String out, String err) {
  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(code, out.toString(), err.toString());
  }

  /** Like {@link #run} with the process environment plus {@code env}. */
  static Cli runWithEnv(java.util.Map<String, String> env, String... args) {
    java.util.Map<String, String> merged = new java.util.HashMap<>(System.getenv());
    merged.putAll(env);
    return runIn(merged, args);
  }

  /** Like {@link #run} with exactly {@code env} as the environment (nothing of the process's). */
  static Cli runIn(java.util.Map<String, String> env, String... args) {
    Options.ENVIRONMENT.set(env);
    try {
      return run(args);
    } finally {
      Options.ENVIRONMENT.remove();
    }
  }
}
