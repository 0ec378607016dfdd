package org.bookcreator.providers.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
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
 * The Messages adapter against a loopback HTTP server answering like the API (no real provider
 * here).
 */
class AnthropicLlmClientTest {
  private HttpServer server;
  private final AtomicReference<String> body = new AtomicReference<>();
  private final AtomicReference<String> key = new AtomicReference<>();
  private final AtomicReference<String> version = new AtomicReference<>();

  private String serve(int status, Map<String, String> headers, String response) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/messages",
        ex -> {
          body.set(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          key.set(ex.getRequestHeaders().getFirst("x-api-key"));
          version.set(ex.getRequestHeaders().getFirst("anthropic-version"));
          headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
          byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(status, bytes.length);
          ex.getResponseBody().write(bytes);
          ex.close();
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Like {@link #serve} but answers only after {@code delayMillis}: a provider slower than the
   * call's timeout.
   */
  private String serveSlowly(long delayMillis) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/v1/messages",
        ex -> {
          ex.getRequestBody().readAllBytes();
          try {
            Thread.sleep(delayMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) server.stop(0);
  }

  private LlmResult call(String base, TaskKind kind) {
    Optional<String> schema = kind.schema().map(new OutputSchemas()::text);
    LlmRequest r =
        new LlmRequest(
            "default",
            kind,
            "k",
            List.of(Message.system("be brief"), Message.user("go")),
            schema,
            Map.of(),
            Duration.ofSeconds(5));
    return client(base).complete(r);
  }

  private static AnthropicLlmClient client(String base) {
    return new AnthropicLlmClient(
        new HttpProviderSettings(
            "anthropic",
            URI.create(base),
            Optional.of("sk-ant-test-000111222333"),
            "claude-haiku-4-5",
            2));
  }

  @Test
  void structuredRoles_forceATool_andTheToolInputIsTheAnswer_withCacheUsage() throws Exception {
    String base =
        serve(
            200,
            Map.of(),
            """
            {"model":"claude-haiku-4-5-20251001","content":[{"type":"tool_use","name":"critique",
              "input":{"score":8.5,"verdict":"accept","issues":[]}}],
             "usage":{"input_tokens":120,"output_tokens":40,"cache_read_input_tokens":2000,"cache_creation_input_tokens":300}}\
            """);

    LlmResult r = call(base, TaskKind.CRITIQUE_OUTLINE);

    assertThat(r)
        .isInstanceOfSatisfying(
            LlmResult.Completed.class,
            c -> {
              assertThat(new OutputSchemas().violation("critique", c.text())).isEmpty();
              assertThat(c.usage().inputTokens()).isEqualTo(120);
              assertThat(c.usage().cacheReadTokens()).isEqualTo(2000);
              assertThat(c.usage().cacheWriteTokens()).isEqualTo(300);
              assertThat(c.model()).isEqualTo("claude-haiku-4-5-20251001");
            });
    JsonNode sent = Json.parse(body.get());
    assertThat(sent.path("system").asString()).isEqualTo("be brief");
    assertThat(sent.path("messages")).hasSize(1);
    assertThat(sent.path("tools").get(0).path("input_schema").path("required").toString())
        .contains("score");
    assertThat(sent.path("tool_choice").path("name").asString()).isEqualTo("critique");
    assertThat(sent.path("max_tokens").asInt()).isPositive();
    assertThat(key.get()).isEqualTo("sk-ant-test-000111222333");
    assertThat(version.get()).isEqualTo("2023-06-01");
  }

  @Test
  void prose_isTheTextBlocks() throws Exception {
    String base =
        serve(
            200,
            Map.of(),
            "{\"content\":[{\"type\":\"text\",\"text\":\"Once"
                + " \"},{\"type\":\"text\",\"text\":\"upon a"
                + " time.\"}],\"usage\":{\"input_tokens\":5,\"output_tokens\":4}}");

    assertThat(call(base, TaskKind.DRAFT_CHAPTER))
        .isInstanceOfSatisfying(
            LlmResult.Completed.class, c -> assertThat(c.text()).isEqualTo("Once upon a time."));
    assertThat(Json.parse(body.get()).has("tools")).isFalse();
  }

  @Test
  void failures_areClassified() throws Exception {
    String base =
        serve(
            401,
            Map.of(),
            "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid"
                + " x-api-key\"}}");
    assertThat(call(base, TaskKind.PLAN))
        .isInstanceOfSatisfying(
            LlmResult.Fatal.class,
            f -> {
              assertThat(f.type()).isEqualTo(ErrorType.AUTHENTICATION);
              assertThat(f.message()).doesNotContain("sk-ant-test");
            });
    stop();
    base =
        serve(
            529,
            Map.of(),
            "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
    assertThat(call(base, TaskKind.PLAN))
        .isInstanceOfSatisfying(
            LlmResult.Retryable.class, r -> assertThat(r.type()).isEqualTo(ErrorType.SERVER_ERROR));
    stop();
    base =
        serve(
            429,
            Map.of("retry-after", "3"),
            "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow"
                + " down\"}}");
    assertThat(call(base, TaskKind.PLAN))
        .isInstanceOfSatisfying(
            LlmResult.Retryable.class,
            r -> assertThat(r.retryAfter()).contains(Duration.ofSeconds(3)));
    stop();
    base =
        serve(
            404,
            Map.of(),
            "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model:"
                + " claude-9\"}}");
    assertThat(call(base, TaskKind.PLAN))
        .isInstanceOfSatisfying(
            LlmResult.Fatal.class, f -> assertThat(f.type()).isEqualTo(ErrorType.UNKNOWN_MODEL));
    stop();
    base = serve(200, Map.of(), "{\"content\":[{\"type\":\"text\",\"te");
    assertThat(call(base, TaskKind.PLAN))
        .isInstanceOfSatisfying(
            LlmResult.Retryable.class,
            r -> assertThat(r.type()).isEqualTo(ErrorType.MALFORMED_OUTPUT));
  }

  @Test
  void invalidRequests_areFatal_serverErrorsMalformedBodiesAndTimeouts_areRetryable()
      throws Exception {
    String base =
        serve(
            400,
            Map.of(),
            "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"max_tokens:"
                + " too large\"}}");
    assertThat(call(base, TaskKind.PLAN))
        .isInstanceOfSatisfying(
            LlmResult.Fatal.class, f -> assertThat(f.type()).isEqualTo(ErrorType.INVALID_REQUEST));
    stop();
    for (int status : new int[] {500, 503}) {
      base =
          serve(
              status,
              Map.of(),
              "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server"
                  + " error\"}}");
      assertThat(call(base, TaskKind.PLAN))
          .as("status " + status)
          .isInstanceOfSatisfying(
              LlmResult.Retryable.class,
              r -> assertThat(r.type()).isEqualTo(ErrorType.SERVER_ERROR));
      stop();
    }
    base = serve(200, Map.of(), "<html>not json at all</html>");
    assertThat(call(base, TaskKind.PLAN))
        .isInstanceOfSatisfying(
            LlmResult.Retryable.class,
            r -> assertThat(r.type()).isEqualTo(ErrorType.MALFORMED_OUTPUT));
    stop();
    base = serveSlowly(3000);
    LlmRequest quick =
        new LlmRequest(
            "default",
            TaskKind.DRAFT_CHAPTER,
            "k",
            List.of(Message.user("go")),
            Optional.empty(),
            Map.of(),
            Duration.ofMillis(300));
    assertThat(client(base).complete(quick))
        .isInstanceOfSatisfying(
            LlmResult.Retryable.class, r -> assertThat(r.type()).isEqualTo(ErrorType.TIMEOUT));
  }
}
