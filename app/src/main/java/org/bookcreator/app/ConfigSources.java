package org.bookcreator.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Where the text of each setting comes from: its default, then a YAML config file, then {@code
 * BOOK_CREATOR_*} environment variables, then flags, each overriding the one before. Every text
 * keeps its origin (the file and line, the variable, or the flag) so that a bad value can be
 * traced. Unknown names and unreadable files are collected as problems, never thrown.
 */
final class ConfigSources {
  static final String CONFIG_ENV = "BOOK_CREATOR_CONFIG";

  /**
   * Variables of ours that are not settings: the config file's path, and the JVM flags that
   * bin/book-creator passes to java (docs/cli.md).
   */
  static final java.util.Set<String> NOT_SETTINGS =
      java.util.Set.of(CONFIG_ENV, "BOOK_CREATOR_JAVA_OPTS");

  private static final long MAX_FILE_BYTES = 1024 * 1024;

  /** The text of one setting and where it was read. */
  record Text(String text, String origin) {}

  /** Every setting's text (each one present) and the problems met while reading them. */
  record Read(Map<Setting<?>, Text> texts, List<String> problems) {
    Read {
      texts = Map.copyOf(texts);
      problems = List.copyOf(problems);
    }
  }

  /** The flag that sets each setting, so that a bad {@code --workers} is reported as such. */
  private static final Map<Setting<?>, String> FLAGS =
      Map.of(
          Setting.DATA_DIR, "--data-dir",
          Setting.PROVIDER, "--provider",
          Setting.MODEL, "--model",
          Setting.WORKERS, "--workers",
          Setting.SIM_SEED, "--seed",
          Setting.HTTP_PORT, "--port",
          Setting.WORKER_PORT, "--worker-port",
          Setting.SIM_LATENCY, "--latency");

  private final Map<Setting<?>, Text> texts = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();

  private ConfigSources() {
    for (Setting<?> s : Setting.values()) texts.put(s, new Text(s.defaultValue, "default"));
  }

  /**
   * Reads the sources in order.
   *
   * @param configFile the file of {@code --config}; null: {@code BOOK_CREATOR_CONFIG}, if set
   * @param flags texts given on the command line
   */
  static Read read(Path configFile, Map<String, String> env, Map<Setting<?>, String> flags) {
    ConfigSources sources = new ConfigSources();
    Path file = configFile;
    if (file == null && env.containsKey(CONFIG_ENV)) file = Path.of(env.get(CONFIG_ENV));
    if (file != null) sources.readFile(file);
    sources.readEnvironment(env);
    flags.forEach((s, text) -> sources.texts.put(s, new Text(text, FLAGS.getOrDefault(s, "flag"))));
    return new Read(sources.texts, sources.problems);
  }

  private void readFile(Path file) {
    String yaml;
    try {
      if (!Files.isRegularFile(file)) {
        problems.add("config file " + file + " not found");
        return;
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        problems.add("config file " + file + " is larger than 1 MiB");
        return;
      }
      yaml = Files.readString(file);
    } catch (IOException e) {
      problems.add("config file " + file + " cannot be read: " + e.getMessage());
      return;
    }
    try (JsonParser p = YAMLMapper.builder().build().createParser(yaml)) {
      JsonToken first = p.nextToken();
      if (first == null || first == JsonToken.VALUE_NULL) return;
      if (first != JsonToken.START_OBJECT) {
        problems.add("config file " + file + " must be a mapping of keys");
        return;
      }
      readMapping(p, "", file);
    } catch (JacksonException e) {
      problems.add("config file " + file + " cannot be read: " + e.getOriginalMessage());
    }
  }

  /** Reads the keys of one mapping (nested mappings make dotted keys), up to its end. */
  private void readMapping(JsonParser p, String prefix, Path file) {
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String key = prefix.isEmpty() ? p.currentName() : prefix + "." + p.currentName();
      JsonToken value = p.nextToken();
      String origin = file + ":" + p.currentTokenLocation().getLineNr();
      if (value == JsonToken.START_OBJECT) {
        readMapping(p, key, file);
        continue;
      }
      String text;
      if (value == JsonToken.START_ARRAY) {
        List<String> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (p.currentToken().isScalarValue()) items.add(scalar(p));
          else p.skipChildren();
        }
        text = String.join(",", items);
      } else {
        text = scalar(p);
      }
      Optional<Setting<?>> s = Setting.byKey(key);
      if (s.isPresent()) {
        texts.put(s.get(), new Text(text, origin));
      } else {
        problems.add(
            "unknown key '"
                + key
                + "' in "
                + origin
                + didYouMean(key)
                + " (see docs/configuration.md for the keys)");
      }
    }
  }

  private static String scalar(JsonParser p) {
    return p.currentToken() == JsonToken.VALUE_NULL ? "" : p.getString();
  }

  private void readEnvironment(Map<String, String> env) {
    env.keySet().stream()
        .filter(name -> name.startsWith("BOOK_CREATOR_") && !NOT_SETTINGS.contains(name))
        .sorted()
        .forEach(
            name -> {
              Optional<Setting<?>> s = Setting.byEnv(name);
              if (s.isPresent()) {
                texts.put(s.get(), new Text(env.get(name), "environment " + name));
              } else {
                problems.add(
                    "unknown environment variable "
                        + name
                        + didYouMean(name)
                        + " (every variable: docs/configuration.md)");
              }
            });
  }

  /**
   * "; did you mean X or Y?" for a mistyped key or variable, or nothing when none is close. Keys
   * are compared in their variable form, so both kinds of name are matched the same way.
   */
  private static String didYouMean(String typo) {
    boolean variable = typo.startsWith("BOOK_CREATOR_");
    Map<String, String> names = new LinkedHashMap<>();
    for (Setting<?> s : Setting.values()) names.put(s.envName(), variable ? s.envName() : s.key);
    if (variable) names.put(CONFIG_ENV, CONFIG_ENV);
    List<String> near =
        nearest(variable ? typo : Setting.envName(typo), List.copyOf(names.keySet())).stream()
            .map(names::get)
            .toList();
    return near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near) + "?";
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
    Map<String, Integer> score = new HashMap<>();
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
}
