package org.bookcreator.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bookcreator.core.llm.LlmClient;
import org.bookcreator.core.llm.LlmRequest;
import org.bookcreator.core.llm.LlmResult;
import org.bookcreator.core.llm.LlmRouter;
import org.bookcreator.core.llm.Message;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.support.Json;
import org.bookcreator.providers.anthropic.AnthropicLlmClient;
import org.bookcreator.providers.openai.OpenAiLlmClient;
import org.bookcreator.providers.simulated.SimulatedLlmClient;
import org.bookcreator.providers.simulated.SimulationConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The factory against a loopback server that records the model each adapter asks for: every
 * provider name builds its adapter with the configured default model, and an unknown name is a
 * clear error.
 */
class ProvidersTest {
  private HttpServer server;
  private URI base;
  private final Map<String, String> modelByPath = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          modelByPath.put(ex.getRequestURI().getPath(), Json.parse(body).path("model").asString());
          ex.sendResponseHeaders(503, -1);
          ex.close();
        });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private ProviderSettings settings(String provider, ProviderSettings.Routing routing) {
    return new ProviderSettings(
        provider,
        routing,
        SimulationConfig.instant(3),
        new HttpProviderSettings("openai", base.resolve("/v1"), Optional.empty(), "local-llama", 2),
        new HttpProviderSettings(
            "anthropic", base, Optional.of("sk-ant-secret-123456"), "claude-custom", 2));
  }

  private static LlmRequest askForDefault() {
    return new LlmRequest(
        "default",
        TaskKind.PLAN,
        "call-1",
        List.of(Message.system("s"), Message.user("u")),
        Optional.empty(),
        Map.of(),
        Duration.ofSeconds(5));
  }

  @Test
  void client_eachProviderName_buildsItsAdapter_withTheConfiguredDefaultModel() {
    ProviderSettings s = settings("simulated", ProviderSettings.Routing.NONE);

    LlmClient openai = Providers.client("openai", s);
    LlmClient anthropic = Providers.client("anthropic", s);
    LlmClient simulated = Providers.client("simulated", s);
    openai.complete(askForDefault());
    anthropic.complete(askForDefault());
    LlmResult simulatedResult = simulated.complete(askForDefault());

    assertThat(openai).isInstanceOf(OpenAiLlmClient.class);
    assertThat(anthropic).isInstanceOf(AnthropicLlmClient.class);
    assertThat(simulated).isInstanceOf(SimulatedLlmClient.class);
    assertThat(modelByPath)
        .containsEntry("/v1/chat/completions", "local-llama")
        .containsEntry("/v1/messages", "claude-custom");
    assertThat(simulatedResult)
        .isInstanceOfSatisfying(
            LlmResult.Completed.class,
            c -> assertThat(c.model()).isEqualTo(SimulatedLlmClient.DEFAULT_MODEL));
  }

  @Test
  void defaults_liveWithTheAdapters() {
    assertThat(Providers.defaultModel("openai")).isEqualTo(OpenAiLlmClient.DEFAULT_MODEL);
    assertThat(Providers.defaultModel("anthropic")).isEqualTo(AnthropicLlmClient.DEFAULT_MODEL);
    assertThat(Providers.defaultModel("simulated")).isEqualTo(SimulatedLlmClient.DEFAULT_MODEL);
    assertThat(Providers.defaultBaseUrl("openai")).isEqualTo("https://api.openai.com/v1");
    assertThatThrownBy(() -> Providers.defaultBaseUrl("simulated"))
        .hasMessageContaining("not reached over HTTP");
  }

  @Test
  void client_unknownName_isAnErrorNamingItAndTheAvailableOnes() {
    ProviderSettings s = settings("simulated", ProviderSettings.Routing.NONE);

    assertThatThrownBy(() -> Providers.client("gemini", s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("provider 'gemini' is not available (available: simulated, openai, anthropic)");
    assertThatThrownBy(() -> settings("gemini", ProviderSettings.Routing.NONE))
        .hasMessageContaining("provider 'gemini' is not available");
  }

  @Test
  void router_sendsRoutedRolesToTheClientsTheFactoryMade() {
    ProviderSettings.Routing routing =
        new ProviderSettings.Routing(
            LlmRouter.parseRules("*/critic=anthropic"),
            Optional.of(LlmRouter.parseTarget("openai")),
            2);
    ProviderSettings s = settings("simulated", routing);

    LlmRouter router = Providers.router(s);

    assertThat(s.inUse()).containsExactly("simulated", "anthropic", "openai");
    assertThat(router.target(Stage.OUTLINE, AgentRole.CRITIC, 1, "x").client())
        .isInstanceOf(AnthropicLlmClient.class);
    assertThat(router.target(Stage.OUTLINE, AgentRole.PLANNER, 1, "x").client())
        .isInstanceOf(SimulatedLlmClient.class);
    assertThat(router.target(Stage.OUTLINE, AgentRole.PLANNER, 3, "x").client())
        .isInstanceOf(OpenAiLlmClient.class);
  }

  @Test
  void settings_neverShowTheKey_andRejectABaseUrlThatIsNoHttpUrl() {
    ProviderSettings s = settings("anthropic", ProviderSettings.Routing.NONE);

    assertThat(s.toString()).contains("anthropic at").doesNotContain("sk-ant-secret-123456");
    assertThat(s.http("anthropic")).contains(s.anthropic());
    assertThat(s.http("simulated")).isEmpty();
    assertThatThrownBy(
            () ->
                new HttpProviderSettings(
                    "openai", URI.create("ftp://x"), Optional.of("sk-zzz"), "m", 1))
        .hasMessageContaining("base URL must be an http(s) URL, got 'ftp://x'")
        .hasMessageNotContaining("sk-zzz");
    assertThatThrownBy(() -> new HttpProviderSettings("anthropic", base, Optional.empty(), " ", 0))
        .hasMessageContaining("default model must not be empty")
        .hasMessageContaining("max concurrency must be at least 1, was 0");
    assertThatThrownBy(() -> new OpenAiLlmClient(s.anthropic()))
        .hasMessageContaining("expected openai settings")
        .hasMessageNotContaining("sk-ant-secret-123456");
  }
}
