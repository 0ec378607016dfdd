package org.bookcreator.app;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Flags shared by every command: where the data is and which config file to read. */
final class Options {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Data directory: store, manuscripts, logs (default: $BOOK_CREATOR_DATA_DIR or ./data).")
  Path dataDir;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Config file (YAML); default: $BOOK_CREATOR_CONFIG. Keys: docs/configuration.md.")
  Path config;

  Map<Setting<?>, String> flags() {
    Map<Setting<?>, String> f = new HashMap<>();
    if (dataDir != null) f.put(Setting.DATA_DIR, dataDir.toString());
    return f;
  }

  Settings load(Map<Setting<?>, String> more) {
    Map<Setting<?>, String> f = flags();
    f.putAll(more);
    Map<String, String> env = ENVIRONMENT.get();
    return Settings.load(config, env != null ? env : System.getenv(), f);
  }

  /**
   * The environment a command on this thread reads instead of the process's, when set: how
   * in-process tests run a command with variables such as OPENAI_BASE_URL. Null: the real one.
   */
  static final ThreadLocal<Map<String, String>> ENVIRONMENT = new ThreadLocal<>();

  /** Flags of the commands that run the pipeline. */
  static final class PipelineFlags {
    @Option(
        names = "--provider",
        paramLabel = "NAME",
        description = "LLM provider for every role (default: simulated).")
    String provider;

    @Option(
        names = "--model",
        paramLabel = "NAME",
        description = "Model for every role (default: the provider's).")
    String model;

    // Numbers stay text here: the settings read them, with their ranges, as the config file's.
    @Option(
        names = "--workers",
        paramLabel = "N",
        description = "Agent worker threads, 1..1024 (default: pipeline.workers, 8).")
    String workers;

    @Option(
        names = "--seed",
        paramLabel = "N",
        description = "Seed of the simulated provider (default: simulated.seed, 42).")
    String seed;

    Map<Setting<?>, String> flags() {
      Map<Setting<?>, String> f = new HashMap<>();
      if (provider != null) f.put(Setting.PROVIDER, provider);
      if (model != null) f.put(Setting.MODEL, model);
      if (workers != null) f.put(Setting.WORKERS, workers);
      if (seed != null) f.put(Setting.SIM_SEED, seed);
      return f;
    }
  }
}
