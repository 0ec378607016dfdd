package org.bookcreator.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A foreground run of the dragon brief against a simulated provider that fails every call: the run
 * fails, RunFailed and ProviderDown fire when it ends, and their notifications go out at once (no
 * group wait, retries after milliseconds) to the notifiers a test configures.
 */
final class FailingProviderRun {
  private FailingProviderRun() {}

  /**
   * Writes the configuration to {@code dir/notify.yaml}.
   *
   * @param notify the lines under {@code notify:}, as YAML indented by nothing
   */
  static Path config(Path dir, String notify) throws Exception {
    return config(dir, FailingProvider.CONFIG, notify);
  }

  /**
   * As {@link #config(Path, String)}, with {@code provider} (top-level YAML: the simulated
   * provider's settings) instead of those of a failing provider.
   */
  static Path config(Path dir, String provider, String notify) throws Exception {
    return Files.writeString(
        dir.resolve("notify.yaml"),
        provider
            + """
            alerts:
              interval: 1h
              group_wait: 0s
            notify:
              retry_base: 10ms
              retry_max: 20ms
            """
            + notify.stripTrailing().indent(2));
  }

  /** Runs it with the process's environment plus {@code env}; the data go to {@code dir/data}. */
  static Cli run(Path dir, Path config, Map<String, String> env) {
    return Cli.runWithEnv(
        env,
        "run",
        CliTest.example("dragon.yaml").toString(),
        "--data-dir",
        dir.resolve("data").toString(),
        "--config",
        config.toString());
  }
}
