package org.bookcreator.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.bookcreator.core.support.Ids;
import org.bookcreator.core.support.Json;
import org.bookcreator.telemetry.BookMetrics;
import org.bookcreator.telemetry.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP server of the serve process: the JSON API under {@code /api}, {@code /healthz}, {@code
 * /readyz} and {@code /metrics}, on the JDK's HTTP server with one virtual thread per request.
 *
 * <p>Every response carries {@code X-Request-Id} (the caller's, when it is a safe token, else a new
 * one), which also tags every log line the request causes. Every failure answers with one body
 * shape, {@code {"error", "message", "details"}}. Request durations are recorded per route
 * template. Thread-safe; close it to stop listening.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Set<String> METHODS =
      Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
  public static final String REQUEST_ID = "request_id";

  private final HttpServer server;
  private final ExecutorService executor;

  private ApiServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts listening. {@code metricsHandler} serves {@code /metrics} (null: none).
   *
   * @throws UncheckedIOException when the address cannot be bound, with the next step in the
   *     message
   */
  public static ApiServer start(
      ApiConfig config, BookApi api, BookMetrics metrics, Ids ids, HttpHandler metricsHandler) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + e.getMessage()
              + " (is the port taken? choose another with --port, or 0 for any free port)",
          e);
    }
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    Dispatcher dispatcher = new Dispatcher(config, api.router(), metrics, ids);
    server.createContext("/", dispatcher);
    if (metricsHandler != null) server.createContext("/metrics", metricsHandler);
    server.start();
    return new ApiServer(server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Turns exchanges into {@link ApiRequest}s, and answers, errors included, in one place. */
  private static final class Dispatcher implements HttpHandler {
    private final ApiConfig config;
    private final Router router;
    private final BookMetrics metrics;
    private final Ids ids;
    private final byte[] tokenBytes;

    Dispatcher(ApiConfig config, Router router, BookMetrics metrics, Ids ids) {
      this.config = config;
      this.router = router;
      this.metrics = metrics;
      this.ids = ids;
      this.tokenBytes = config.token().map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    @Override
    public void handle(HttpExchange exchange) {
      long start = System.nanoTime();
      String incoming = exchange.getRequestHeaders().getFirst("X-Request-Id");
      String requestId =
          incoming != null && SAFE_REQUEST_ID.matcher(incoming).matches()
              ? incoming
              : ids.next("req");
      String method = exchange.getRequestMethod();
      String metricMethod = METHODS.contains(method) ? method : "_OTHER";
      String route = "unmatched";
      int status;
      try (LogContext.Scope ignored = LogContext.with(REQUEST_ID, requestId)) {
        ApiResponse response;
        try {
          Set<String> allowed = new LinkedHashSet<>();
          Optional<Router.Match> match =
              router.match(method, exchange.getRequestURI().getRawPath(), allowed);
          if (match.isEmpty()) {
            if (!allowed.isEmpty()) {
              throw new ApiError(
                  405,
                  "method_not_allowed",
                  method.length() > 16
                      ? "method not allowed"
                      : method + " is not allowed here; allowed: " + String.join(", ", allowed));
            }
            throw ApiError.notFound("no such endpoint; see docs/api.md");
          }
          route = match.get().route().template();
          if (route.startsWith("/api/")) authorize(exchange);
          ApiRequest request =
              new ApiRequest(
                  method,
                  route,
                  decodeParams(match.get().params()),
                  query(exchange.getRequestURI().getRawQuery()),
                  Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")),
                  body(exchange, route),
                  requestId);
          response = match.get().route().handler().handle(request);
        } catch (ApiError e) {
          response = error(e);
        } catch (RuntimeException e) {
          log.error("request {} {} failed", method, route, e);
          response =
              error(
                  new ApiError(
                      500,
                      "internal_error",
                      "the server failed to handle the request; its log has the details (request id"
                          + " "
                          + requestId
                          + ")"));
        }
        status = response.status();
        send(exchange, response, requestId);
        double seconds = (System.nanoTime() - start) / 1e9;
        metrics.httpRequest(metricMethod, route, status, seconds);
        if (status >= 500)
          log.warn("{} {} -> {} in {} ms", metricMethod, route, status, Math.round(seconds * 1000));
        else if (route.startsWith("/api/"))
          log.info("{} {} -> {} in {} ms", metricMethod, route, status, Math.round(seconds * 1000));
        else
          log.debug(
              "{} {} -> {} in {} ms", metricMethod, route, status, Math.round(seconds * 1000));
      } finally {
        exchange.close();
      }
    }

    private void authorize(HttpExchange exchange) {
      if (tokenBytes == null) return;
      String header = exchange.getRequestHeaders().getFirst("Authorization");
      byte[] given =
          header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
              ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8)
              : new byte[0];
      if (!MessageDigest.isEqual(given, tokenBytes)) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        throw new ApiError(
            401,
            "unauthorized",
            "this server requires 'Authorization: Bearer <token>' (the value of http.token)");
      }
    }

    private byte[] body(HttpExchange exchange, String route) {
      long limit = route.endsWith("/documents") ? config.maxUploadBytes() : config.maxJsonBytes();
      String declared = exchange.getRequestHeaders().getFirst("Content-Length");
      if (declared != null) {
        long length;
        try {
          length = Long.parseLong(declared.strip());
        } catch (NumberFormatException e) {
          throw ApiError.badRequest("Content-Length is not a number");
        }
        if (length > limit) throw tooLarge(limit);
      }
      try (InputStream in = exchange.getRequestBody()) {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        if (bytes.length > limit) throw tooLarge(limit);
        return bytes;
      } catch (IOException e) {
        throw ApiError.badRequest("could not read the request body: " + e.getMessage());
      }
    }

    private static ApiError tooLarge(long limit) {
      return new ApiError(
          413, "payload_too_large", "the request body is over the limit of " + limit + " bytes");
    }

    private static Map<String, String> decodeParams(Map<String, String> raw) {
      Map<String, String> out = new LinkedHashMap<>();
      raw.forEach(
          (k, v) -> {
            try {
              out.put(k, URLDecoder.decode(v.replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
              throw ApiError.invalidField(k, "malformed percent-encoding in the path");
            }
          });
      return out;
    }

    private static Map<String, List<String>> query(String raw) {
      Map<String, List<String>> out = new LinkedHashMap<>();
      if (raw == null || raw.isEmpty()) return out;
      String[] pairs = raw.split("&");
      if (pairs.length > 50) throw ApiError.badRequest("too many query parameters (at most 50)");
      for (String pair : pairs) {
        if (pair.isEmpty()) continue;
        int eq = pair.indexOf('=');
        try {
          String k =
              URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
          String v =
              eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
          out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        } catch (IllegalArgumentException e) {
          throw ApiError.badRequest("malformed percent-encoding in the query string");
        }
      }
      return out;
    }

    private static ApiResponse error(ApiError e) {
      ObjectNode body = Json.object();
      body.put("error", e.code);
      body.put("message", e.getMessage());
      ArrayNode details = body.putArray("details");
      for (Map<String, String> d : e.details) {
        ObjectNode o = details.addObject();
        d.forEach(o::put);
      }
      return new ApiResponse(e.status, body, Map.of());
    }

    private static void send(HttpExchange exchange, ApiResponse response, String requestId) {
      try {
        exchange.getResponseHeaders().set("X-Request-Id", requestId);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        if (response.body() == null || exchange.getRequestMethod().equalsIgnoreCase("HEAD")) {
          exchange.sendResponseHeaders(response.status(), -1);
          return;
        }
        byte[] bytes = Json.MAPPER.writeValueAsBytes(response.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(response.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      } catch (IOException e) {
        log.debug("client went away before the response was sent", e);
      }
    }
  }
}
