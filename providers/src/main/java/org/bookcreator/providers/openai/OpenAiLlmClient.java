package org.bookcreator.providers.openai;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.bookcreator.core.llm.ErrorType;
import org.bookcreator.core.llm.LlmClient;
import org.bookcreator.core.llm.LlmRequest;
import org.bookcreator.core.llm.LlmResult;
import org.bookcreator.core.llm.Message;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.support.Json;
import org.bookcreator.providers.HttpProviderSettings;
import org.bookcreator.providers.ProviderHttp;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An OpenAI-compatible chat completions client over {@code java.net.http} (OpenAI, Ollama, vLLM,
 * llama.cpp server, LM Studio, OpenRouter: the base URL decides). Structured roles send their JSON
 * Schema as {@code response_format} of type {@code json_schema}. Every failure is classified:
 * authentication, invalid request and unknown model are fatal; 429 (after its Retry-After), 5xx,
 * timeouts, broken connections and unparseable bodies are retryable. The API key is sent only in
 * the Authorization header and appears in no result or message.
 *
 * <p>Why not LangChain4j: it brings Jackson 2 and its own retry and usage mapping beside ours; a
 * thin client keeps one JSON library, our error classification and exact usage fields.
 */
public final class OpenAiLlmClient implements LlmClient {
  public static final String PROVIDER = "openai";
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

  /**
   * A small, cheap model every OpenAI account can call. Used when {@code openai.default_model} is
   * not set.
   */
  public static final String DEFAULT_MODEL = "gpt-4o-mini";

  private final HttpProviderSettings settings;
  private final URI endpoint;
  private final HttpClient http;
  private final Semaphore concurrency;

  /** Built by {@link org.bookcreator.providers.Providers}, or directly in tests. */
  public OpenAiLlmClient(HttpProviderSettings settings) {
    this.settings = settings.requireProvider(PROVIDER);
    this.endpoint = settings.endpoint("/chat/completions");
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.concurrency = new Semaphore(settings.maxConcurrency());
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  /** The configured base URL's host. */
  @Override
  public String serverAddress() {
    return endpoint.getHost();
  }

  @Override
  public LlmResult complete(LlmRequest request) {
    String model = request.model().equals("default") ? settings.defaultModel() : request.model();
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(endpoint)
            .timeout(request.timeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body(request, model))));
    request.requestId().ifPresent(id -> builder.header(ProviderHttp.REQUEST_ID_HEADER, id));
    settings.apiKey().ifPresent(k -> builder.header("Authorization", "Bearer " + k));
    return ProviderHttp.exchange(
        http,
        builder.build(),
        concurrency,
        model,
        request.timeout(),
        (response, latency) -> classify(response, model, latency));
  }

  static ObjectNode body(LlmRequest request, String model) {
    ObjectNode body = Json.object();
    body.put("model", model);
    ArrayNode messages = body.putArray("messages");
    for (Message m : request.messages()) {
      ObjectNode o = messages.addObject();
      o.put("role", m.role());
      o.put("content", m.content());
    }
    request
        .responseSchema()
        .ifPresent(
            schema -> {
              ObjectNode format = body.putObject("response_format");
              format.put("type", "json_schema");
              ObjectNode js = format.putObject("json_schema");
              js.put("name", request.kind().schema().orElse("output"));
              js.set("schema", Json.parse(schema));
            });
    return body;
  }

  static LlmResult classify(HttpResponse<String> response, String model, Duration latency) {
    int status = response.statusCode();
    String detail = errorMessage(response.body());
    if (status == 401 || status == 403) {
      return new LlmResult.Fatal(
          ErrorType.AUTHENTICATION, status + " authentication failed: " + detail, model, latency);
    }
    if (status == 404 || detail.contains("model_not_found") || detail.contains("does not exist")) {
      return new LlmResult.Fatal(
          ErrorType.UNKNOWN_MODEL,
          status + " unknown model '" + model + "': " + detail,
          model,
          latency);
    }
    if (status == 429) {
      return new LlmResult.Retryable(
          ErrorType.RATE_LIMITED,
          "429 rate limited: " + detail,
          model,
          ProviderHttp.retryAfter(response),
          latency);
    }
    if (status >= 500) {
      return new LlmResult.Retryable(
          ErrorType.SERVER_ERROR,
          status + " server error: " + detail,
          model,
          ProviderHttp.retryAfter(response),
          latency);
    }
    if (status >= 400) {
      return new LlmResult.Fatal(
          ErrorType.INVALID_REQUEST, status + " invalid request: " + detail, model, latency);
    }
    JsonNode root;
    try {
      root = Json.parse(response.body());
    } catch (JacksonException e) {
      return new LlmResult.Retryable(
          ErrorType.MALFORMED_OUTPUT,
          "unparseable response body ("
              + response.body().length()
              + " characters): "
              + e.getOriginalMessage(),
          model,
          Optional.empty(),
          latency);
    }
    JsonNode content = root.path("choices").path(0).path("message").path("content");
    if (!content.isString()) {
      return new LlmResult.Retryable(
          ErrorType.MALFORMED_OUTPUT,
          "response has no choices[0].message.content",
          model,
          Optional.empty(),
          latency);
    }
    JsonNode u = root.path("usage");
    long prompt = u.path("prompt_tokens").asLong(0);
    long cached = Math.min(prompt, u.path("prompt_tokens_details").path("cached_tokens").asLong(0));
    Usage usage =
        Usage.fromOpenAi(
            prompt,
            u.path("completion_tokens").asLong(0),
            cached,
            u.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
    String responseModel = root.path("model").isString() ? root.path("model").asString() : model;
    return new LlmResult.Completed(content.asString(), responseModel, usage, latency);
  }

  private static String errorMessage(String body) {
    if (body == null || body.isBlank()) return "(empty body)";
    try {
      JsonNode e = Json.parse(body).path("error");
      if (e.isObject()) {
        String code = e.path("code").isString() ? " [" + e.path("code").asString() + "]" : "";
        return e.path("message").asString("") + code;
      }
    } catch (JacksonException ignored) {
      // not JSON: use the text
    }
    String t = body.replaceAll("\\s+", " ").strip();
    return t.length() > 300 ? t.substring(0, 300) + "..." : t;
  }
}
