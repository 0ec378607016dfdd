package org.bookcreator.core.llm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;

/**
 * Picks the provider and model of each model call: routing rules by stage and agent role (the most
 * specific matching rule wins: stage and role, then stage, then role), else the default provider
 * with the role's model; and, when a fallback is configured, the fallback provider for a task's
 * attempts after the first {@code fallbackAfter} failed ones. Decided from the stored attempt
 * number, so a resumed task routes exactly as before. Immutable and thread-safe.
 *
 * <p>Rules are written {@code STAGE/ROLE=PROVIDER:MODEL}, separated by commas or semicolons; a star
 * in place of the stage or the role matches any, and {@code :MODEL} may be left out (the provider's
 * default model). Example: {@code outline/planner=anthropic, chapter_writing/writer=openai:gpt-4o}.
 */
public final class LlmRouter {
  /** One routing rule; an empty stage or role matches any. */
  public record Rule(
      Optional<Stage> stage, Optional<AgentRole> role, String provider, Optional<String> model) {
    public Rule {
      Objects.requireNonNull(provider, "provider");
      stage = Objects.requireNonNullElse(stage, Optional.empty());
      role = Objects.requireNonNullElse(role, Optional.empty());
      model = Objects.requireNonNullElse(model, Optional.<String>empty()).filter(m -> !m.isBlank());
    }

    int specificity() {
      return (stage.isPresent() ? 2 : 0) + (role.isPresent() ? 1 : 0);
    }

    boolean matches(Stage s, AgentRole r) {
      return stage.map(s::equals).orElse(true) && role.map(r::equals).orElse(true);
    }
  }

  /** Where one call goes. {@code fallback} is true when the fallback provider was chosen. */
  public record Target(LlmClient client, String model, boolean fallback) {}

  private final LlmClient defaultClient;
  private final Map<String, LlmClient> clients;
  private final List<Rule> rules;
  private final Optional<Rule> fallback;
  private final int fallbackAfter;

  /**
   * @param defaultClient the provider of calls no rule matches
   * @param clients every provider a rule or the fallback names, by {@link LlmClient#provider()}
   * @param fallbackAfter failed attempts of a task on its primary provider before the fallback
   *     takes over (at least 1)
   * @throws IllegalArgumentException when a rule names a provider not in {@code clients}
   */
  public LlmRouter(
      LlmClient defaultClient,
      List<LlmClient> clients,
      List<Rule> rules,
      Optional<Rule> fallback,
      int fallbackAfter) {
    this.defaultClient = Objects.requireNonNull(defaultClient, "defaultClient");
    Map<String, LlmClient> byName = new LinkedHashMap<>();
    byName.put(defaultClient.provider(), defaultClient);
    for (LlmClient c : clients) byName.put(c.provider(), c);
    this.clients = Map.copyOf(byName);
    List<Rule> sorted = new ArrayList<>(rules);
    // Stable: among equally specific rules, the first written wins.
    sorted.sort((a, b) -> Integer.compare(b.specificity(), a.specificity()));
    this.rules = List.copyOf(sorted);
    this.fallback = Objects.requireNonNullElse(fallback, Optional.empty());
    if (fallbackAfter < 1)
      throw new IllegalArgumentException("fallback_after must be at least 1, was " + fallbackAfter);
    this.fallbackAfter = fallbackAfter;
    for (Rule r : this.rules) requireClient(r.provider());
    this.fallback.ifPresent(f -> requireClient(f.provider()));
  }

  /** Every call to one provider. */
  public static LlmRouter single(LlmClient client) {
    return new LlmRouter(client, List.of(), List.of(), Optional.empty(), 1);
  }

  /** The names of every configured provider, the default one first. */
  public List<String> providers() {
    List<String> names = new ArrayList<>();
    names.add(defaultClient.provider());
    for (String name : new TreeSet<>(clients.keySet())) if (!names.contains(name)) names.add(name);
    return List.copyOf(names);
  }

  private void requireClient(String provider) {
    if (!clients.containsKey(provider)) {
      throw new IllegalArgumentException(
          "routing names provider '"
              + provider
              + "', which is not configured (configured: "
              + String.join(", ", clients.keySet())
              + ")");
    }
  }

  /**
   * The target of a call of a task in {@code stage} by {@code role} on its {@code attempt} (1 for
   * the first); {@code roleModel} is the model when the chosen rule names none.
   */
  public Target target(Stage stage, AgentRole role, int attempt, String roleModel) {
    if (fallback.isPresent() && attempt > fallbackAfter) {
      Rule f = fallback.get();
      return new Target(clients.get(f.provider()), f.model().orElse("default"), true);
    }
    for (Rule r : rules) {
      if (r.matches(stage, role)) {
        LlmClient c = clients.get(r.provider());
        String model = r.model().orElse(c == defaultClient ? roleModel : "default");
        return new Target(c, model, false);
      }
    }
    return new Target(defaultClient, roleModel, false);
  }

  /**
   * Parses rules written {@code STAGE/ROLE=PROVIDER[:MODEL]} (see the class comment). Every
   * malformed rule is reported at once.
   */
  public static List<Rule> parseRules(String text) {
    List<Rule> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    if (text == null || text.isBlank()) return out;
    for (String raw : text.split("[,;]")) {
      String rule = raw.strip();
      if (rule.isEmpty()) continue;
      int eq = rule.indexOf('=');
      int slash = rule.indexOf('/');
      if (eq < 0 || slash < 0 || slash > eq) {
        problems.add(
            "'"
                + rule
                + "': expected STAGE/ROLE=PROVIDER[:MODEL], e.g."
                + " chapter_writing/writer=openai:gpt-4o");
        continue;
      }
      String stage = rule.substring(0, slash).strip().toLowerCase(Locale.ROOT);
      String role = rule.substring(slash + 1, eq).strip().toLowerCase(Locale.ROOT);
      try {
        Rule parsed =
            target(
                rule.substring(eq + 1),
                stage.equals("*") ? Optional.empty() : Optional.of(Stage.fromId(stage)),
                role.equals("*") ? Optional.empty() : Optional.of(AgentRole.fromId(role)));
        if (parsed.role().isPresent() && !parsed.role().get().usesLlm()) {
          problems.add("'" + rule + "': role " + role + " does not call a model");
        } else {
          out.add(parsed);
        }
      } catch (IllegalArgumentException e) {
        problems.add("'" + rule + "': " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
    return out;
  }

  /** Parses {@code PROVIDER[:MODEL]} (the fallback's form). */
  public static Rule parseTarget(String text) {
    return target(text, Optional.empty(), Optional.empty());
  }

  private static Rule target(String text, Optional<Stage> stage, Optional<AgentRole> role) {
    String t = text.strip();
    int colon = t.indexOf(':');
    String provider = (colon < 0 ? t : t.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
    String model = colon < 0 ? "" : t.substring(colon + 1).strip();
    if (provider.isEmpty()) throw new IllegalArgumentException("no provider before ':'");
    if (colon >= 0 && model.isEmpty()) throw new IllegalArgumentException("no model after ':'");
    return new Rule(stage, role, provider, Optional.of(model));
  }
}
