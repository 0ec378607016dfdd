package org.bookcreator.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.bookcreator.core.llm.LlmRequest;
import org.bookcreator.core.llm.LlmResult;
import org.bookcreator.core.llm.Message;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.support.Json;
import org.bookcreator.providers.ProviderHttp;
import org.bookcreator.providers.simulated.SimulatedLlmClient;
import org.bookcreator.providers.simulated.SimulationConfig;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A local server speaking OpenAI's chat completions wire format, so that the real HTTP adapter runs
 * against a socket as it would against OpenAI (which a test cannot reach). The answers are the
 * simulated provider's text for the task kind the request's schema names, with usage as OpenAI
 * reports it, under the model name a real server answers with. It counts every request it answers,
 * with the ledger id each one carried.
 */
final class OpenAiWireServer implements AutoCloseable {
  /** One request answered in full: the response was written and closed without error. */
  record Served(
      String requestId,
      String model,
      int status,
      long promptTokens,
      long cachedTokens,
      long completionTokens) {}

  /** Answers request {@code n} itself (a failure on the wire) and returns true, or lets it pass. */
  @FunctionalInterface
  interface Fault {
    boolean answer(int n, HttpExchange exchange) throws IOException;
  }

  private final HttpServer http;
  private final String answeredModel;
  private final Duration latency;
  private final Fault fault;
  private final SimulatedLlmClient simulated = new SimulatedLlmClient(SimulationConfig.instant(5));
  private final AtomicInteger received = new AtomicInteger();
  private final ConcurrentLinkedQueue<Served> served = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> authorizations = new ConcurrentLinkedQueue<>();

  private OpenAiWireServer(String answeredModel, Duration latency, Fault fault) throws IOException {
    this.answeredModel = answeredModel;
    this.latency = latency;
    this.fault = fault;
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.setExecutor(Executors.newCachedThreadPool());
    http.createContext("/v1/chat/completions", this::handle);
    http.start();
  }

  /**
   * @param answeredModel the model name every answer carries (a dated snapshot, as OpenAI answers
   *     for an alias), or empty to echo the requested one
   */
  static OpenAiWireServer start(Optional<String> answeredModel, Duration latency, Fault fault)
      throws IOException {
    return new OpenAiWireServer(answeredModel.orElse(null), latency, fault);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/v1";
  }

  /** Requests received, answered or not. */
  int received() {
    return received.get();
  }

  List<Served> served() {
    return List.copyOf(served);
  }

  List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      int n = received.incrementAndGet();
      authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
      String requestId =
          String.valueOf(exchange.getRequestHeaders().getFirst(ProviderHttp.REQUEST_ID_HEADER));
      JsonNode body =
          Json.parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      if (fault.answer(n, exchange)) return;
      sleep();
      String model = answeredModel != null ? answeredModel : body.path("model").asString();
      long prompt = 1000 + n % 7 * 100;
      long cached = n % 2 == 0 ? 512 : 0;
      long completion = 200 + n % 5 * 50;
      ObjectNode response = Json.object();
      response.put("id", "chatcmpl-" + n);
      response.put("object", "chat.completion");
      response.put("created", 1_790_000_000L);
      response.put("model", model);
      ObjectNode choice = response.putArray("choices").addObject();
      choice.put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", text(n, body));
      choice.put("finish_reason", "stop");
      ObjectNode usage = response.putObject("usage");
      usage.put("prompt_tokens", prompt);
      usage.put("completion_tokens", completion);
      usage.put("total_tokens", prompt + completion);
      usage.putObject("prompt_tokens_details").put("cached_tokens", cached);
      usage.putObject("completion_tokens_details").put("reasoning_tokens", 0);
      byte[] bytes = Json.write(response).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.getResponseBody().close();
      served.add(new Served(requestId, model, 200, prompt, cached, completion));
    }
  }

  private String text(int n, JsonNode body) {
    String schema = body.path("response_format").path("json_schema").path("name").asString("");
    TaskKind kind =
        switch (schema) {
          case "plan" -> TaskKind.PLAN;
          case "outline" -> TaskKind.OUTLINE;
          case "critique" -> TaskKind.CRITIQUE_CHAPTER;
          case "facts" -> TaskKind.RESEARCH;
          case "fact_map" -> TaskKind.MAP_FACTS;
          case "fact_check" -> TaskKind.FACT_CHECK;
          default -> TaskKind.DRAFT_CHAPTER;
        };
    LlmResult result =
        simulated.complete(
            new LlmRequest(
                "default",
                kind,
                "call-" + n,
                List.of(new Message("user", body.path("messages").toString())),
                Optional.empty(),
                Map.of(
                    "book_title", "Lights Over HTTP", "chapters", "1", "category", "non-fiction"),
                Duration.ofSeconds(30)));
    return ((LlmResult.Completed) result).text();
  }

  private void sleep() {
    if (latency.isZero()) return;
    try {
      Thread.sleep(latency);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
