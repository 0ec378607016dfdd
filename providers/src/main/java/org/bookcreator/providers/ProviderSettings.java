package org.bookcreator.providers;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bookcreator.core.llm.LlmRouter.Rule;
import org.bookcreator.providers.anthropic.AnthropicLlmClient;
import org.bookcreator.providers.openai.OpenAiLlmClient;
import org.bookcreator.providers.simulated.SimulationConfig;

/**
 * Everything {@link Providers} needs to build the model clients of a process: the default provider,
 * the routing to others, and each adapter's own settings. Immutable.
 *
 * @param provider the provider of every call no routing rule matches (one of {@link
 *     Providers#NAMES})
 * @param routing rules by stage and role, and the fallback
 * @param simulated the simulated provider's latency and fault rates
 * @param openai the OpenAI-compatible adapter's server, key, default model and concurrency
 * @param anthropic the Anthropic adapter's server, key, default model and concurrency
 */
public record ProviderSettings(
    String provider,
    Routing routing,
    SimulationConfig simulated,
    HttpProviderSettings openai,
    HttpProviderSettings anthropic) {

  /**
   * Which provider serves which calls besides the default one.
   *
   * @param rules {@code STAGE/ROLE=PROVIDER[:MODEL]} rules, see {@link
   *     org.bookcreator.core.llm.LlmRouter}
   * @param fallback where a task goes when its primary provider keeps failing
   * @param fallbackAfter failed attempts on the primary provider before the fallback (at least 1)
   */
  public record Routing(List<Rule> rules, Optional<Rule> fallback, int fallbackAfter) {
    /** Every call to the default provider, no fallback. */
    public static final Routing NONE = new Routing(List.of(), Optional.empty(), 2);

    public Routing {
      rules = List.copyOf(rules);
      Objects.requireNonNull(fallback, "fallback");
      if (fallbackAfter < 1)
        throw new IllegalArgumentException(
            "fallback after must be at least 1, was " + fallbackAfter);
    }
  }

  public ProviderSettings {
    Providers.requireKnown(provider);
    Objects.requireNonNull(routing, "routing");
    Objects.requireNonNull(simulated, "simulated");
    openai.requireProvider(OpenAiLlmClient.PROVIDER);
    anthropic.requireProvider(AnthropicLlmClient.PROVIDER);
    routing.rules().forEach(r -> Providers.requireKnown(r.provider()));
    routing.fallback().ifPresent(f -> Providers.requireKnown(f.provider()));
  }

  /** Every provider this configuration calls: the default one, then those routing names. */
  public List<String> inUse() {
    return inUse(provider, routing);
  }

  /** Every provider called with this default provider and routing: the default one first. */
  public static List<String> inUse(String provider, Routing routing) {
    Set<String> names = new LinkedHashSet<>();
    names.add(provider);
    routing.rules().forEach(r -> names.add(r.provider()));
    routing.fallback().ifPresent(f -> names.add(f.provider()));
    return List.copyOf(names);
  }

  /**
   * The settings of a provider reached over HTTP; empty for the simulated one.
   *
   * @throws IllegalArgumentException for a name not in {@link Providers#NAMES}
   */
  public Optional<HttpProviderSettings> http(String name) {
    return switch (Providers.requireKnown(name)) {
      case OpenAiLlmClient.PROVIDER -> Optional.of(openai);
      case AnthropicLlmClient.PROVIDER -> Optional.of(anthropic);
      default -> Optional.empty();
    };
  }
}
