package org.bookcreator.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Settings under which the simulated provider fails every call: a run fails within seconds. */
final class FailingProvider {
  private FailingProvider() {}

  /** The YAML of those settings; more top-level sections may follow it. */
  static final String CONFIG =
      """
      simulated:
        server_error_rate: 1
      pipeline:
        max_attempts: 6
        backoff_base: 1ms
        backoff_max: 2ms
      """;

  /** {@code run} of the dragon example brief in {@code data}, with {@code config}. */
  static Cli run(Path data, Path config) {
    return Cli.run(
        "run",
        CliTest.example("dragon.yaml").toString(),
        "--data-dir",
        data.toString(),
        "--config",
        config.toString());
  }

  /**
   * {@code serve} on free ports of 127.0.0.1 with its data in {@code dir/data}, under these
   * settings followed by {@code sections} (more top-level YAML: {@code alerts:}, {@code notify:},
   * ...).
   */
  static ServeCommand.Serving serve(Path dir, String sections) throws Exception {
    Path config = Files.writeString(dir.resolve("book-creator.yaml"), CONFIG + sections);
    Settings settings = Settings.load(config, Map.of(), TestHttp.serveFlags(dir.resolve("data")));
    return ServeCommand.Serving.start(
        settings, Observability.start(settings, Observability.Mode.FOREGROUND));
  }
}
