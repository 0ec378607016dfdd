package org.bookcreator.providers.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.bookcreator.core.agent.OutputSchemas;
import org.bookcreator.core.llm.ErrorType;
import org.bookcreator.core.llm.LlmRequest;
import org.bookcreator.core.llm.LlmResult;
import org.bookcreator.core.llm.Message;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.support.Json;
import org.bookcreator.providers.HttpProviderSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The adapter against a real HTTP server on loopback that answers like the chat completions API (no
 * real provider can be reached here): what it sends, how it reads usage, how it classifies every
 * failure.
 */
class OpenAiLlmClientTest {
  private HttpServer server;
  private final AtomicReference<String> lastBody = new AtomicReference<>();
  private final AtomicReference<String> lastAuth = new AtomicReference<>();

  private String serve(int status, Map<String, String> headers, String body, long delayMillis)
      throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/chat/completions",
        ex -> {
          lastBody.set(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          lastAuth.set(ex.getRequestHeaders().getFirst("Authorization"));
          try {
            Thread.sleep(delayMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(status, bytes.length);
          ex.getResponseBody().write(bytes);
          ex.close();
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  @AfterEach
  void stop() {
    if (server != null) server.stop(0);
  }

  private static LlmRequest request(TaskKind kind, Duration timeout) {
    Optional<String> schema = kind.schema().map(new OutputSchemas()::text);
    return new LlmRequest(
        "default",
        kind,
        "k",
        List.of(Message.system("s"), Message.user("u")),
        schema,
        Map.of(),
        timeout);
  }

  private LlmResult call(String base, TaskKind kind) {
    return new OpenAiLlmClient(
            new HttpProviderSettings(
                "openai", URI.create(base), Optional.of("sk-test-key-123456789"), "gpt-4o-mini", 4))
        .complete(request(kind, Duration.ofSeconds(5)));
  }

  @Test
  void success_readsTextModelAndUsage_cachedTokensNormalised() throws Exception {
    String base =
        serve(
            200,
            Map.of(),
            """
            {"model":"gpt-4o-mini-2024-07-18","choices":[{"message":{"role":"assistant","content":"{\\"score\\":8}"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1000,"completion_tokens":200,"prompt_tokens_details":{"cached_tokens":400},
                      "completion_tokens_details":{"reasoning_tokens":50}}}\
            """,
            0);

    LlmResult r = call(base, TaskKind.CRITIQUE_CHAPTER);

    assertThat(r)
        .isInstanceOfSatisfying(
            LlmResult.Completed.class,
            c -> {
              assertThat(c.text()).isEqualTo("{\"score\":8}");
              assertThat(c.model()).isEqualTo("gpt-4o-mini-2024-07-18");
              assertThat(c.usage().inputTokens()).isEqualTo(600);
              assertThat(c.usage().cacheReadTokens()).isEqualTo(400);
              assertThat(c.usage().outputTokens()).isEqualTo(200);
              assertThat(c.usage().reasoningTokens()).isEqualTo(50);
            });
    JsonNode sent = Json.parse(lastBody.get());
    assertThat(sent.path("model").asString()).isEqualTo("gpt-4o-mini");
    assertThat(sent.path("messages")).hasSize(2);
    assertThat(sent.path("response_format").path("type").asString()).isEqualTo("json_schema");
    assertThat(
            sent.path("response_format")
                .path("json_schema")
                .path("schema")
                .path("required")
                .toString())
        .contains("score");
    assertThat(lastAuth.get()).isEqualTo("Bearer sk-test-key-123456789");
  }

  @Test
  void proseRoles_sendNoResponseFormat() throws Exception {
    String base =
        serve(
            200,
            Map.of(),
            "{\"choices\":[{\"message\":{\"content\":\"Once upon a time.\"}}],\"usage\":{}}",
            0);

    assertThat(call(base, TaskKind.DRAFT_CHAPTER)).isInstanceOf(LlmResult.Completed.class);
    assertThat(Json.parse(lastBody.get()).has("response_format")).isFalse();
  }

  @Test
  void authenticationFailure_isFatal_andNeverEchoesTheKey() throws Exception {
    String base =
        serve(
            401,
            Map.of(),
            "{\"error\":{\"message\":\"Incorrect API key provided\",\"code\":\"invalid_api_key\"}}",
            0);

    LlmResult r = call(base, TaskKind.PLAN);

    assertThat(r)
        .isInstanceOfSatisfying(
            LlmResult.Fatal.class,
            f -> {
              assertThat(f.type()).isEqualTo(ErrorType.AUTHENTICATION);
              assertThat(f.message()).contains("Incorrect API key").doesNotContain("sk-test-key");
            });
  }

  @Test
  void unknownModel_andInvalidRequest_areFatal() throws Exception {
    String base =
        serve(
            404,
            Map.of(),
            "{\"error\":{\"message\":\"The model `gpt-9` does not"
                + " exist\",\"code\":\"model_not_found\"}}",
            0);
    assertThat(call(base, TaskKind.PLAN))
        .isInstanceOfSatisfying(
            LlmResult.Fatal.class, f -> assertThat(f.type()).isEqualTo(ErrorType.UNKNOWN_MODEL));
    stop();
    String base2 =
        serve(400, Map.of(), "{\"error\":{\"message\":\"messages must not be empty\"}}", 0);
    assertThat(call(base2, TaskKind.PLAN))
        .isInstanceOfSatisfying(
            LlmResult.Fatal.class, f -> assertThat(f.type()).isEqualTo(ErrorType.INVALID_REQUEST));
  }

  @Test
  void rateLimit_isRetryable_afterTheProvidersRetryAfter() throws Exception {
    String base =
        serve(
            429, Map.of("Retry-After", "7"), "{\"error\":{\"message\":\"Rate limit reached\"}}", 0);

    assertThat(call(base, TaskKind.PLAN))
        .isInstanceOfSatisfying(
            LlmResult.Retryable.class,
            r -> {
              assertThat(r.type()).isEqualTo(ErrorType.RATE_LIMITED);
              assertThat(r.retryAfter()).contains(Duration.ofSeconds(7));
            });
  }

  @Test
  void serverErrors_andUnparseableBodies_areRetryable() throws Exception {
    for (int status : new int[] {500, 503}) {
      String base =
          serve(
              status,
              Map.of(),
              status == 500
                  ? "{\"error\":{\"message\":\"The server had an"
                      + " error\",\"type\":\"server_error\"}}"
                  : "upstream unavailable",
              0);
      assertThat(call(base, TaskKind.PLAN))
          .as("status " + status)
          .isInstanceOfSatisfying(
              LlmResult.Retryable.class,
              r -> assertThat(r.type()).isEqualTo(ErrorType.SERVER_ERROR));
      stop();
    }
    String malformed = serve(200, Map.of(), "{\"choices\": 42}", 0);
    assertThat(call(malformed, TaskKind.PLAN))
        .isInstanceOfSatisfying(
            LlmResult.Retryable.class,
            r -> assertThat(r.type()).isEqualTo(ErrorType.MALFORMED_OUTPUT));
    stop();
    String base2 = serve(200, Map.of(), "{\"choices\":[{\"message\":{\"content\":\"trunc", 0);
    assertThat(call(base2, TaskKind.PLAN))
        .isInstanceOfSatisfying(
            LlmResult.Retryable.class,
            r -> assertThat(r.type()).isEqualTo(ErrorType.MALFORMED_OUTPUT));
  }

  @Test
  void serverAddress_isTheConfiguredBaseUrlsHost() {
    OpenAiLlmClient client =
        new OpenAiLlmClient(
            new HttpProviderSettings(
                "openai", URI.create("https://llm.example.org:8443/v1"), Optional.empty(), "m", 2));

    String address = client.serverAddress();

    assertThat(address).isEqualTo("llm.example.org");
  }

  @Test
  void timeouts_andRefusedConnections_areRetryable() throws Exception {
    String base = serve(200, Map.of(), "{}", 3000);
    LlmResult slow =
        new OpenAiLlmClient(
                new HttpProviderSettings("openai", URI.create(base), Optional.empty(), "m", 2))
            .complete(request(TaskKind.PLAN, Duration.ofMillis(300)));
    assertThat(slow)
        .isInstanceOfSatisfying(
            LlmResult.Retryable.class, r -> assertThat(r.type()).isEqualTo(ErrorType.TIMEOUT));

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    LlmResult refused =
        new OpenAiLlmClient(
                new HttpProviderSettings(
                    "openai",
                    URI.create("http://127.0.0.1:" + closed + "/v1"),
                    Optional.empty(),
                    "m",
                    2))
            .complete(request(TaskKind.PLAN, Duration.ofSeconds(2)));
    assertThat(refused)
        .isInstanceOfSatisfying(
            LlmResult.Retryable.class, r -> assertThat(r.type()).isEqualTo(ErrorType.CONNECTION));
  }
}
