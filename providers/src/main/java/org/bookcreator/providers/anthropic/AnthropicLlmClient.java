package org.bookcreator.providers.anthropic;

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
 * The Anthropic Messages API over {@code java.net.http}. Structured roles get a tool whose input
 * schema is the role's JSON Schema, and the request forces that tool, so the model answers with
 * JSON by construction (the tool input becomes the text). Usage keeps Anthropic's convention (cache
 * reads and writes beside the input tokens). Failures are classified like the OpenAI adapter's; 529
 * (overloaded) is retryable.
 */
public final class AnthropicLlmClient implements LlmClient {
  public static final String PROVIDER = "anthropic";
  public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";

  /** Anthropic's small, fast model. Used when {@code anthropic.default_model} is not set. */
  public static final String DEFAULT_MODEL = "claude-haiku-4-5";

  static final String VERSION = "2023-06-01";
  static final int MAX_TOKENS = 8192;

  private final HttpProviderSettings settings;
  private final URI endpoint;
  private final HttpClient http;
  private final Semaphore concurrency;

  /** Built by {@link org.bookcreator.providers.Providers}, or directly in tests. */
  public AnthropicLlmClient(HttpProviderSettings settings) {
    this.settings = settings.requireProvider(PROVIDER);
    this.endpoint = settings.endpoint("/v1/messages");
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
            .header("anthropic-version", VERSION)
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body(request, model))));
    request.requestId().ifPresent(id -> builder.header(ProviderHttp.REQUEST_ID_HEADER, id));
    settings.apiKey().ifPresent(k -> builder.header("x-api-key", k));
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
    body.put("max_tokens", MAX_TOKENS);
    StringBuilder system = new StringBuilder();
    ArrayNode messages = body.putArray("messages");
    for (Message m : request.messages()) {
      if (m.role().equals("system")) {
        system.append(system.length() == 0 ? "" : "\n\n").append(m.content());
        continue;
      }
      ObjectNode o = messages.addObject();
      o.put("role", m.role());
      o.put("content", m.content());
    }
    if (system.length() > 0) body.put("system", system.toString());
    request
        .responseSchema()
        .ifPresent(
            schema -> {
              String name = request.kind().schema().orElse("output");
              ObjectNode tool = body.putArray("tools").addObject();
              tool.put("name", name);
              tool.put("description", "Return the " + name + " as structured data.");
              tool.set("input_schema", Json.parse(schema));
              ObjectNode choice = body.putObject("tool_choice");
              choice.put("type", "tool");
              choice.put("name", name);
            });
    return body;
  }

  static LlmResult classify(HttpResponse<String> response, String model, Duration latency) {
    int status = response.statusCode();
    String type = "";
    String message = response.body() == null ? "" : response.body();
    try {
      JsonNode e = Json.parse(message).path("error");
      if (e.isObject()) {
        type = e.path("type").asString("");
        message = e.path("message").asString("");
      }
    } catch (JacksonException ignored) {
      // not JSON: keep the text
    }
    if (message.length() > 300) message = message.substring(0, 300) + "...";
    if (status == 401
        || status == 403
        || type.equals("authentication_error")
        || type.equals("permission_error")) {
      return new LlmResult.Fatal(
          ErrorType.AUTHENTICATION, status + " " + type + ": " + message, model, latency);
    }
    if (status == 404 || type.equals("not_found_error")) {
      return new LlmResult.Fatal(
          ErrorType.UNKNOWN_MODEL,
          status + " unknown model '" + model + "': " + message,
          model,
          latency);
    }
    if (status == 429) {
      return new LlmResult.Retryable(
          ErrorType.RATE_LIMITED,
          "429 " + type + ": " + message,
          model,
          ProviderHttp.retryAfter(response),
          latency);
    }
    if (status >= 500) {
      return new LlmResult.Retryable(
          ErrorType.SERVER_ERROR,
          status + " " + type + ": " + message,
          model,
          ProviderHttp.retryAfter(response),
          latency);
    }
    if (status >= 400) {
      return new LlmResult.Fatal(
          ErrorType.INVALID_REQUEST, status + " " + type + ": " + message, model, latency);
    }
    JsonNode root;
    try {
      root = Json.parse(response.body());
    } catch (JacksonException e) {
      return new LlmResult.Retryable(
          ErrorType.MALFORMED_OUTPUT,
          "unparseable response body: " + e.getOriginalMessage(),
          model,
          Optional.empty(),
          latency);
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode block : root.path("content")) {
      switch (block.path("type").asString("")) {
        case "tool_use" -> {
          return completed(root, Json.write(block.path("input")), model, latency);
        }
        case "text" -> text.append(block.path("text").asString(""));
        default -> {}
      }
    }
    if (!root.path("content").isArray()) {
      return new LlmResult.Retryable(
          ErrorType.MALFORMED_OUTPUT,
          "response has no content blocks",
          model,
          Optional.empty(),
          latency);
    }
    return completed(root, text.toString(), model, latency);
  }

  private static LlmResult completed(JsonNode root, String text, String model, Duration latency) {
    JsonNode u = root.path("usage");
    Usage usage =
        Usage.fromAnthropic(
            u.path("input_tokens").asLong(0),
            u.path("output_tokens").asLong(0),
            u.path("cache_read_input_tokens").asLong(0),
            u.path("cache_creation_input_tokens").asLong(0));
    String responseModel = root.path("model").isString() ? root.path("model").asString() : model;
    return new LlmResult.Completed(text, responseModel, usage, latency);
  }
}
