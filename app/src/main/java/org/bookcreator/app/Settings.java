package org.bookcreator.app;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bookcreator.core.pipeline.PipelineConfig;
import org.bookcreator.core.project.Categories;
import org.bookcreator.providers.simulated.SimulationConfig;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The effective configuration: defaults, then a config file, then the environment ({@code
 * BOOK_CREATOR_*}), then command-line flags, each overriding the one before. Unknown keys and bad
 * values are all reported at once. Immutable once built.
 */
final class Settings {
  static final String CONFIG_ENV = "BOOK_CREATOR_CONFIG";
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)(KB|MB|GB)");

  private final Map<Setting, String> values;
  private String openAiBaseUrl = org.bookcreator.providers.openai.OpenAiLlmClient.DEFAULT_BASE_URL;
  private Optional<String> openAiKey = Optional.empty();
  private String anthropicBaseUrl =
      org.bookcreator.providers.anthropic.AnthropicLlmClient.DEFAULT_BASE_URL;
  private Optional<String> anthropicKey = Optional.empty();
  private final Map<Setting, String> origins;

  private Settings(Map<Setting, String> values, Map<Setting, String> origins) {
    this.values = values;
    this.origins = origins;
  }

  /** Builds the settings; throws {@link ConfigException} naming every problem. */
  static Settings load(Path configFile, Map<String, String> env, Map<Setting, String> flags) {
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    Map<Setting, String> origins = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      values.put(s, s.defaultValue);
      origins.put(s, "default");
    }
    List<String> problems = new ArrayList<>();
    Path file = configFile;
    if (file == null && env.containsKey(CONFIG_ENV)) file = Path.of(env.get(CONFIG_ENV));
    if (file != null) readFile(file, values, origins, problems);
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (!e.getKey().startsWith("BOOK_CREATOR_") || e.getKey().equals(CONFIG_ENV)) continue;
      var s = Setting.byEnv(e.getKey());
      if (s.isEmpty()) {
        List<String> known =
            new ArrayList<>(Arrays.stream(Setting.values()).map(Setting::envName).toList());
        known.add(CONFIG_ENV);
        List<String> near = nearest(e.getKey(), known);
        problems.add(
            "unknown environment variable "
                + e.getKey()
                + (near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near) + "?")
                + " (every variable: docs/configuration.md)");
      } else {
        values.put(s.get(), e.getValue());
        origins.put(s.get(), "environment " + e.getKey());
      }
    }
    flags.forEach(
        (k, v) -> {
          values.put(k, v);
          origins.put(k, "flag");
        });
    Settings settings = new Settings(values, origins);
    settings.openAiBaseUrl =
        env.getOrDefault(
            "OPENAI_BASE_URL", org.bookcreator.providers.openai.OpenAiLlmClient.DEFAULT_BASE_URL);
    settings.openAiKey = Optional.ofNullable(env.get("OPENAI_API_KEY")).filter(k -> !k.isBlank());
    settings.anthropicBaseUrl =
        env.getOrDefault(
            "ANTHROPIC_BASE_URL",
            org.bookcreator.providers.anthropic.AnthropicLlmClient.DEFAULT_BASE_URL);
    settings.anthropicKey =
        Optional.ofNullable(env.get("ANTHROPIC_API_KEY")).filter(k -> !k.isBlank());
    settings.validate(problems);
    if (!problems.isEmpty()) throw new ConfigException(problems);
    return settings;
  }

  private static void readFile(
      Path file, Map<Setting, String> values, Map<Setting, String> origins, List<String> problems) {
    if (!Files.isRegularFile(file)) {
      problems.add("config file " + file + " not found");
      return;
    }
    JsonNode root;
    try {
      if (Files.size(file) > 1024 * 1024) {
        problems.add("config file " + file + " is larger than 1 MiB");
        return;
      }
      root = YAMLMapper.builder().build().readTree(Files.readString(file));
    } catch (IOException | JacksonException e) {
      problems.add("config file " + file + " cannot be read: " + e.getMessage());
      return;
    }
    if (root == null || root.isNull() || root.isMissingNode()) return;
    if (!root.isObject()) {
      problems.add("config file " + file + " must be a mapping of keys");
      return;
    }
    flatten("", root, file, values, origins, problems);
  }

  private static void flatten(
      String prefix,
      JsonNode node,
      Path file,
      Map<Setting, String> values,
      Map<Setting, String> origins,
      List<String> problems) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue().isObject()) {
        flatten(key, e.getValue(), file, values, origins, problems);
        continue;
      }
      var s = Setting.byKey(key);
      if (s.isEmpty()) {
        problems.add(
            "unknown key '" + key + "' in " + file + " (see docs/configuration.md for the keys)");
      } else if (e.getValue().isArray()) {
        List<String> items = new ArrayList<>();
        e.getValue().forEach(v -> items.add(v.asString()));
        values.put(s.get(), String.join(",", items));
        origins.put(s.get(), file.toString());
      } else {
        values.put(s.get(), e.getValue().asString());
        origins.put(s.get(), file.toString());
      }
    }
  }

  private void validate(List<String> problems) {
    for (Setting s :
        List.of(
            Setting.ANTHROPIC_CONCURRENCY,
            Setting.OPENAI_CONCURRENCY,
            Setting.SPAN_QUEUE,
            Setting.LOG_KEEP_FILES,
            Setting.HTTP_PORT,
            Setting.WORKER_PORT,
            Setting.WORKERS,
            Setting.MAX_ATTEMPTS,
            Setting.REPAIR_ATTEMPTS,
            Setting.OUTLINE_MAX_ITERATIONS,
            Setting.CHAPTER_MAX_ITERATIONS,
            Setting.SIM_WORDS,
            Setting.ROUTING_FALLBACK_AFTER)) {
      try {
        Integer.parseInt(values.get(s).strip());
      } catch (NumberFormatException e) {
        problems.add(where(s) + ": expected a whole number, got '" + values.get(s) + "'");
      }
    }
    try {
      Long.parseLong(values.get(Setting.SIM_SEED).strip());
    } catch (NumberFormatException e) {
      problems.add(
          where(Setting.SIM_SEED)
              + ": expected a whole number, got '"
              + values.get(Setting.SIM_SEED)
              + "'");
    }
    for (Setting s :
        List.of(
            Setting.LEASE,
            Setting.HEARTBEAT,
            Setting.BACKOFF_BASE,
            Setting.BACKOFF_MAX,
            Setting.CALL_TIMEOUT,
            Setting.SIM_LATENCY,
            Setting.SIM_RETRY_AFTER,
            Setting.LOG_STORE_MAX_AGE,
            Setting.STALL_THRESHOLD,
            Setting.STALL_CHECK_EVERY)) {
      if (!DURATION.matcher(values.get(s).strip()).matches()) {
        problems.add(
            where(s)
                + ": expected a duration such as 500ms, 30s, 5m, 1h or 14d, got '"
                + values.get(s)
                + "'");
      }
    }
    for (Setting s :
        List.of(
            Setting.OUTLINE_THRESHOLD,
            Setting.CHAPTER_THRESHOLD,
            Setting.SIM_SIGMA,
            Setting.SIM_TIMEOUT_RATE,
            Setting.SIM_RATE_LIMIT_RATE,
            Setting.SIM_SERVER_ERROR_RATE,
            Setting.SIM_MALFORMED_RATE,
            Setting.SIM_SCHEMA_RATE)) {
      try {
        new BigDecimal(values.get(s).strip());
      } catch (NumberFormatException e) {
        problems.add(where(s) + ": expected a number, got '" + values.get(s) + "'");
      }
    }
    atLeast(Setting.SPAN_STORE_MAX, 1000, "spans", problems);
    atLeast(Setting.LOG_STORE_MAX_RECORDS, 1000, "records", problems);
    try {
      org.bookcreator.core.ops.StallDetector.parseThresholds(
          values.get(Setting.STALL_THRESHOLDS), Settings::duration);
    } catch (IllegalArgumentException e) {
      problems.add(where(Setting.STALL_THRESHOLDS) + ": " + e.getMessage());
    }
    for (Setting s :
        List.of(
            Setting.SPAN_STORE,
            Setting.METRICS_ENABLED,
            Setting.TRACING_ENABLED,
            Setting.CAPTURE_CONTENT,
            Setting.LOG_STORE)) {
      if (!List.of("true", "false").contains(values.get(s).strip())) {
        problems.add(where(s) + ": expected true or false, got '" + values.get(s) + "'");
      }
    }
    for (Setting s : List.of(Setting.LOG_MAX_FILE_SIZE, Setting.HTTP_MAX_UPLOAD)) {
      if (!SIZE.matcher(values.get(s).strip()).matches()) {
        problems.add(
            where(s) + ": expected a size such as 500KB, 20MB or 1GB, got '" + values.get(s) + "'");
      }
    }
    String token = values.get(Setting.HTTP_TOKEN).strip();
    if (!token.isEmpty() && token.length() < 16)
      problems.add(where(Setting.HTTP_TOKEN) + ": must be at least 16 characters long");
    if (!List.of("auto", "json", "text", "off").contains(values.get(Setting.LOG_CONSOLE).strip())) {
      problems.add(
          where(Setting.LOG_CONSOLE)
              + ": expected auto, json, text or off, got '"
              + values.get(Setting.LOG_CONSOLE)
              + "'");
    }
    try {
      logLevels();
      org.bookcreator.telemetry.LogConfig.console(
          "x", org.bookcreator.telemetry.LogConfig.Console.OFF, get(Setting.LOG_LEVEL));
    } catch (IllegalArgumentException e) {
      problems.add("logging settings: " + e.getMessage());
    }
    try {
      double r = Double.parseDouble(values.get(Setting.SAMPLING_RATIO).strip());
      if (!(r >= 0 && r <= 1))
        problems.add(where(Setting.SAMPLING_RATIO) + ": must be 0..1, got " + r);
    } catch (NumberFormatException e) {
      problems.add(
          where(Setting.SAMPLING_RATIO)
              + ": expected a number 0..1, got '"
              + values.get(Setting.SAMPLING_RATIO)
              + "'");
    }
    if (!values.get(Setting.PRICES_FILE).isBlank()) {
      try {
        prices();
      } catch (IllegalArgumentException e) {
        problems.add(where(Setting.PRICES_FILE) + ": " + e.getMessage());
      }
    }
    String provider = values.get(Setting.PROVIDER).strip();
    java.util.Set<String> providers = new java.util.LinkedHashSet<>();
    providers.add(provider);
    try {
      for (var rule :
          org.bookcreator.core.llm.LlmRouter.parseRules(values.get(Setting.ROUTING_RULES)))
        providers.add(rule.provider());
    } catch (IllegalArgumentException e) {
      problems.add(where(Setting.ROUTING_RULES) + ": " + e.getMessage());
    }
    if (!values.get(Setting.ROUTING_FALLBACK).isBlank()) {
      try {
        providers.add(
            org.bookcreator.core.llm.LlmRouter.parseTarget(values.get(Setting.ROUTING_FALLBACK))
                .provider());
      } catch (IllegalArgumentException e) {
        problems.add(
            where(Setting.ROUTING_FALLBACK)
                + ": expected PROVIDER[:MODEL], e.g. anthropic:claude-haiku-4-5 ("
                + e.getMessage()
                + ")");
      }
    }
    try {
      if (Integer.parseInt(values.get(Setting.ROUTING_FALLBACK_AFTER).strip()) < 1) {
        problems.add(where(Setting.ROUTING_FALLBACK_AFTER) + ": must be at least 1");
      }
    } catch (NumberFormatException e) {
      // reported above
    }
    for (String p : providers)
      checkProvider(p, p.equals(provider) ? where(Setting.PROVIDER) : "routing", problems);
    if (!problems.isEmpty()) return;
    try {
      categories();
    } catch (IllegalArgumentException e) {
      problems.add(where(Setting.CATEGORIES_EXTRA) + ": " + e.getMessage());
    }
    try {
      pipeline();
    } catch (IllegalArgumentException e) {
      problems.add("pipeline settings: " + e.getMessage());
    }
    try {
      simulation();
    } catch (IllegalArgumentException e) {
      problems.add("simulated provider settings: " + e.getMessage());
    }
  }

  /** A whole-number setting that must be at least {@code min} (of {@code what}). */
  private void atLeast(Setting s, long min, String what, List<String> problems) {
    try {
      if (Long.parseLong(values.get(s).strip()) < min) {
        problems.add(where(s) + ": keep at least " + min + " " + what);
      }
    } catch (NumberFormatException e) {
      problems.add(where(s) + ": expected a whole number, got '" + values.get(s) + "'");
    }
  }

  /** The problems of using {@code provider}: unknown, or its base URL or key missing. */
  private void checkProvider(String provider, String source, List<String> problems) {
    if (!List.of("simulated", "openai", "anthropic").contains(provider)) {
      problems.add(
          source
              + ": provider '"
              + provider
              + "' is not available (available: simulated, openai, anthropic)");
    } else if (provider.equals("anthropic")) {
      if (!anthropicBaseUrl.startsWith("http://") && !anthropicBaseUrl.startsWith("https://")) {
        problems.add(
            "ANTHROPIC_BASE_URL: expected an http(s) URL such as https://api.anthropic.com, got '"
                + anthropicBaseUrl
                + "'");
      }
      if (anthropicKey.isEmpty()
          && anthropicBaseUrl.equals(
              org.bookcreator.providers.anthropic.AnthropicLlmClient.DEFAULT_BASE_URL)) {
        problems.add("provider anthropic: ANTHROPIC_API_KEY is not set");
      }
    } else if (provider.equals("openai")) {
      try {
        java.net.URI u = java.net.URI.create(openAiBaseUrl);
        if (u.getScheme() == null || !List.of("http", "https").contains(u.getScheme()))
          throw new IllegalArgumentException();
      } catch (IllegalArgumentException e) {
        problems.add(
            "OPENAI_BASE_URL: expected an http(s) URL such as https://api.openai.com/v1, got '"
                + openAiBaseUrl
                + "'");
      }
      if (openAiKey.isEmpty()
          && openAiBaseUrl.equals(
              org.bookcreator.providers.openai.OpenAiLlmClient.DEFAULT_BASE_URL)) {
        problems.add(
            "provider openai: OPENAI_API_KEY is not set (or point OPENAI_BASE_URL at a local server"
                + " that needs no key)");
      }
    }
  }

  /**
   * The known names closest to a mistyped one: those where each of its words (between underscores,
   * BOOK and CREATOR aside) is within two edits of one of theirs; fewest edits first, at most
   * three.
   */
  static List<String> nearest(String typo, List<String> known) {
    List<String> words =
        Arrays.stream(typo.split("_"))
            .filter(w -> !w.equals("BOOK") && !w.equals("CREATOR") && !w.isEmpty())
            .toList();
    Map<String, Integer> score = new java.util.HashMap<>();
    for (String k : known) {
      List<String> keyWords = Arrays.stream(k.split("_")).filter(w -> !w.isEmpty()).toList();
      int total = 0;
      boolean close = !words.isEmpty();
      for (String w : words) {
        int best = keyWords.stream().mapToInt(kw -> edits(w, kw)).min().orElse(Integer.MAX_VALUE);
        if (best > 2) close = false;
        total += best;
      }
      if (close) score.put(k, total);
    }
    return score.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry::getKey))
        .limit(3)
        .map(Map.Entry::getKey)
        .toList();
  }

  private static int edits(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] =
            Math.min(
                Math.min(cur[j - 1] + 1, prev[j] + 1),
                prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private String where(Setting s) {
    return s.key + " (from " + origins.get(s) + ")";
  }

  String get(Setting s) {
    return values.get(s).strip();
  }

  String origin(Setting s) {
    return origins.get(s);
  }

  /** The shipped prices with the user's price file (if any) on top. */
  org.bookcreator.core.cost.PriceTable prices() {
    var table = org.bookcreator.core.cost.PriceTable.defaults();
    String file = get(Setting.PRICES_FILE);
    return file.isEmpty()
        ? table
        : table.with(org.bookcreator.core.cost.PriceFile.read(Path.of(file)));
  }

  Path dataDir() {
    return Path.of(get(Setting.DATA_DIR)).normalize();
  }

  Categories categories() {
    String extra = get(Setting.CATEGORIES_EXTRA);
    if (extra.isEmpty()) return Categories.defaults();
    return Categories.defaults()
        .plus(
            Arrays.stream(extra.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList());
  }

  /** {@code logging.levels} as logger name to level. */
  Map<String, String> logLevels() {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    String text = get(Setting.LOG_LEVELS);
    if (text.isEmpty()) return out;
    for (String pair : text.split(",")) {
      String[] kv = pair.strip().split("=");
      if (kv.length != 2 || kv[0].isBlank()) {
        throw new IllegalArgumentException(
            "logging.levels: expected name=LEVEL pairs separated by commas, got '"
                + pair.strip()
                + "'");
      }
      org.bookcreator.telemetry.LogConfig.console(
          "x", org.bookcreator.telemetry.LogConfig.Console.OFF, kv[1].strip());
      out.put(kv[0].strip(), kv[1].strip().toUpperCase(java.util.Locale.ROOT));
    }
    return out;
  }

  long logFileBytes() {
    return bytes(Setting.LOG_MAX_FILE_SIZE);
  }

  /** A size setting (500KB, 20MB, 1GB) in bytes. */
  long bytes(Setting setting) {
    Matcher m = SIZE.matcher(get(setting).strip());
    if (!m.matches()) throw new IllegalArgumentException("not a size");
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "KB" -> n << 10;
      case "MB" -> n << 20;
      default -> n << 30;
    };
  }

  boolean flag(Setting s) {
    return Boolean.parseBoolean(get(s));
  }

  int integerValue(Setting s) {
    return Integer.parseInt(get(s));
  }

  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.strip());
    if (!m.matches()) throw new IllegalArgumentException("not a duration: " + text);
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private int integer(Setting s) {
    return Integer.parseInt(get(s));
  }

  private double decimal(Setting s) {
    return Double.parseDouble(get(s));
  }

  PipelineConfig pipeline() {
    return new PipelineConfig(
        dataDir(),
        integer(Setting.WORKERS),
        duration(get(Setting.LEASE)),
        duration(get(Setting.HEARTBEAT)),
        integer(Setting.MAX_ATTEMPTS),
        duration(get(Setting.BACKOFF_BASE)),
        duration(get(Setting.BACKOFF_MAX)),
        integer(Setting.REPAIR_ATTEMPTS),
        decimal(Setting.OUTLINE_THRESHOLD),
        integer(Setting.OUTLINE_MAX_ITERATIONS),
        decimal(Setting.CHAPTER_THRESHOLD),
        integer(Setting.CHAPTER_MAX_ITERATIONS),
        Duration.ofMillis(50),
        Duration.ofSeconds(1),
        duration(get(Setting.CALL_TIMEOUT)),
        get(Setting.MODEL),
        roleModels());
  }

  /** Where a provider is reached; {@code key} is a secret and is never printed. */
  record ProviderAccess(String provider, String baseUrl, Optional<String> key) {}

  /** Every provider this configuration uses: the default one and those routing names. */
  List<ProviderAccess> providersInUse() {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    names.add(get(Setting.PROVIDER));
    org.bookcreator.core.llm.LlmRouter.parseRules(get(Setting.ROUTING_RULES))
        .forEach(r -> names.add(r.provider()));
    if (!get(Setting.ROUTING_FALLBACK).isBlank())
      names.add(
          org.bookcreator.core.llm.LlmRouter.parseTarget(get(Setting.ROUTING_FALLBACK)).provider());
    List<ProviderAccess> out = new ArrayList<>();
    for (String n : names) {
      switch (n) {
        case "openai" -> out.add(new ProviderAccess(n, openAiBaseUrl, openAiKey));
        case "anthropic" -> out.add(new ProviderAccess(n, anthropicBaseUrl, anthropicKey));
        default -> out.add(new ProviderAccess(n, "", Optional.empty()));
      }
    }
    return out;
  }

  /** When a run counts as stalled: per stage, else stalls.threshold. */
  org.bookcreator.core.ops.StallDetector.Thresholds stallThresholds() {
    return new org.bookcreator.core.ops.StallDetector.Thresholds(
        duration(get(Setting.STALL_THRESHOLD)),
        org.bookcreator.core.ops.StallDetector.parseThresholds(
            get(Setting.STALL_THRESHOLDS), Settings::duration));
  }

  /** The provider every role uses unless routing says otherwise. */
  org.bookcreator.core.llm.LlmClient llmClient() {
    return llmClient(get(Setting.PROVIDER));
  }

  /** The default provider, plus every provider the routing rules and the fallback name. */
  org.bookcreator.core.llm.LlmRouter llmRouter() {
    var rules = org.bookcreator.core.llm.LlmRouter.parseRules(get(Setting.ROUTING_RULES));
    var fallback =
        get(Setting.ROUTING_FALLBACK).isBlank()
            ? java.util.Optional.<org.bookcreator.core.llm.LlmRouter.Rule>empty()
            : java.util.Optional.of(
                org.bookcreator.core.llm.LlmRouter.parseTarget(get(Setting.ROUTING_FALLBACK)));
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    rules.forEach(r -> names.add(r.provider()));
    fallback.ifPresent(f -> names.add(f.provider()));
    names.remove(get(Setting.PROVIDER));
    List<org.bookcreator.core.llm.LlmClient> others = names.stream().map(this::llmClient).toList();
    return new org.bookcreator.core.llm.LlmRouter(
        llmClient(), others, rules, fallback, integer(Setting.ROUTING_FALLBACK_AFTER));
  }

  private org.bookcreator.core.llm.LlmClient llmClient(String provider) {
    if (provider.equals("anthropic")) {
      return new org.bookcreator.providers.anthropic.AnthropicLlmClient(
          anthropicBaseUrl,
          anthropicKey,
          "claude-haiku-4-5",
          integer(Setting.ANTHROPIC_CONCURRENCY));
    }
    if (provider.equals("openai")) {
      return new org.bookcreator.providers.openai.OpenAiLlmClient(
          openAiBaseUrl, openAiKey, "gpt-4o-mini", integer(Setting.OPENAI_CONCURRENCY));
    }
    return new org.bookcreator.providers.simulated.SimulatedLlmClient(simulation());
  }

  /** Per-role model settings ({@code model.writer} and friends) that are set. */
  Map<org.bookcreator.core.run.AgentRole, String> roleModels() {
    Map<org.bookcreator.core.run.AgentRole, String> out =
        new java.util.EnumMap<>(org.bookcreator.core.run.AgentRole.class);
    for (Setting s : Setting.values()) {
      if (s.key.startsWith("model.") && !get(s).isEmpty()) {
        out.put(
            org.bookcreator.core.run.AgentRole.fromId(s.key.substring("model.".length())), get(s));
      }
    }
    return out;
  }

  SimulationConfig simulation() {
    return new SimulationConfig(
        Long.parseLong(get(Setting.SIM_SEED)),
        duration(get(Setting.SIM_LATENCY)),
        decimal(Setting.SIM_SIGMA),
        decimal(Setting.SIM_TIMEOUT_RATE),
        decimal(Setting.SIM_RATE_LIMIT_RATE),
        decimal(Setting.SIM_SERVER_ERROR_RATE),
        decimal(Setting.SIM_MALFORMED_RATE),
        decimal(Setting.SIM_SCHEMA_RATE),
        duration(get(Setting.SIM_RETRY_AFTER)),
        integer(Setting.SIM_WORDS));
  }

  static final class ConfigException extends RuntimeException {
    final List<String> problems;

    ConfigException(List<String> problems) {
      super("invalid configuration:\n  - " + String.join("\n  - ", problems));
      this.problems = List.copyOf(problems);
    }
  }
}
