package org.bookcreator.providers;

import java.util.List;
import org.bookcreator.core.llm.LlmClient;
import org.bookcreator.core.llm.LlmRouter;
import org.bookcreator.providers.anthropic.AnthropicLlmClient;
import org.bookcreator.providers.openai.OpenAiLlmClient;
import org.bookcreator.providers.simulated.SimulatedLlmClient;

/**
 * Builds model clients from {@link ProviderSettings}: the one place the adapters are constructed,
 * so the rest of the product names providers only by their names. Each adapter keeps its own
 * default base URL and model ({@link #defaultBaseUrl}, {@link #defaultModel}).
 */
public final class Providers {
  /** The providers there are, by the name the settings and routing rules use. */
  public static final List<String> NAMES =
      List.of(SimulatedLlmClient.PROVIDER, OpenAiLlmClient.PROVIDER, AnthropicLlmClient.PROVIDER);

  private Providers() {}

  /**
   * A new client of the named provider, configured by its part of {@code settings}.
   *
   * @throws IllegalArgumentException for a name not in {@link #NAMES}
   */
  public static LlmClient client(String provider, ProviderSettings settings) {
    return switch (requireKnown(provider)) {
      case OpenAiLlmClient.PROVIDER -> new OpenAiLlmClient(settings.openai());
      case AnthropicLlmClient.PROVIDER -> new AnthropicLlmClient(settings.anthropic());
      default -> new SimulatedLlmClient(settings.simulated());
    };
  }

  /**
   * Where a provider's API is unless configured otherwise.
   *
   * @throws IllegalArgumentException for a provider not reached over HTTP, or an unknown one
   */
  public static String defaultBaseUrl(String provider) {
    return switch (requireKnown(provider)) {
      case OpenAiLlmClient.PROVIDER -> OpenAiLlmClient.DEFAULT_BASE_URL;
      case AnthropicLlmClient.PROVIDER -> AnthropicLlmClient.DEFAULT_BASE_URL;
      default -> throw new IllegalArgumentException(provider + " is not reached over HTTP");
    };
  }

  /**
   * The model of a provider's calls that name none, unless configured otherwise.
   *
   * @throws IllegalArgumentException for an unknown provider
   */
  public static String defaultModel(String provider) {
    return switch (requireKnown(provider)) {
      case OpenAiLlmClient.PROVIDER -> OpenAiLlmClient.DEFAULT_MODEL;
      case AnthropicLlmClient.PROVIDER -> AnthropicLlmClient.DEFAULT_MODEL;
      default -> SimulatedLlmClient.DEFAULT_MODEL;
    };
  }

  /** The default provider's client and one client for every other provider routing names. */
  public static LlmRouter router(ProviderSettings settings) {
    List<LlmClient> others =
        settings.inUse().stream()
            .filter(name -> !name.equals(settings.provider()))
            .map(name -> client(name, settings))
            .toList();
    ProviderSettings.Routing routing = settings.routing();
    return new LlmRouter(
        client(settings.provider(), settings),
        others,
        routing.rules(),
        routing.fallback(),
        routing.fallbackAfter());
  }

  /**
   * Returns {@code provider} if there is such a provider.
   *
   * @throws IllegalArgumentException naming it and the available ones otherwise
   */
  public static String requireKnown(String provider) {
    if (!NAMES.contains(provider))
      throw new IllegalArgumentException(
          "provider '"
              + provider
              + "' is not available (available: "
              + String.join(", ", NAMES)
              + ")");
    return provider;
  }
}
