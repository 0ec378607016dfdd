package org.bookcreator.server;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson3;
import io.javalin.router.Endpoint;
import io.javalin.util.JavalinException;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.bookcreator.core.support.Ids;
import org.bookcreator.core.support.Json;
import org.bookcreator.telemetry.BookMetrics;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of the serve process, on Javalin (Jetty 12): the JSON API under {@code /api}, the
 * dashboard ({@link Dashboard}), {@code /healthz}, {@code /readyz} and {@code /metrics}, with one
 * virtual thread per request.
 *
 * <p>Every response carries {@code X-Request-Id} (the caller's, when it is a safe token, else a new
 * one), which also tags every log line the request causes. Every failure answers with one body
 * shape, {@code {"error", "message", "details"}}, Jetty's own refusals included. Request durations
 * are recorded per route template. With a token configured, {@code /api/...} requests need {@code
 * Authorization: Bearer <token>} or the dashboard's session cookie ({@link Access}). Thread-safe;
 * close it to stop listening and end event streams.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private static final Set<String> METHODS =
      Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
  private static final int MAX_QUERY_PARAMETERS = 50;
  private static final long MAX_DRAINED_BYTES = 1024 * 1024;

  /** The name prefix of the virtual threads requests run on. */
  static final String REQUEST_THREADS = "api-request-";

  /** The request attribute and logging-context key of the request id. */
  public static final String REQUEST_ID = "request_id";

  private final Javalin app;
  private final EventStreams streams;
  private final ExecutorService virtualThreads;

  private ApiServer(Javalin app, EventStreams streams, ExecutorService virtualThreads) {
    this.app = app;
    this.streams = streams;
    this.virtualThreads = virtualThreads;
  }

  /**
   * Starts listening. {@code metricsHandler} serves {@code /metrics} (null: none).
   *
   * @throws IllegalStateException when the address cannot be bound (the port is taken, the host is
   *     not this machine's), with the cause
   */
  public static ApiServer start(
      ApiConfig config,
      BookApi api,
      BookMetrics metrics,
      Ids ids,
      PrometheusScrapeHandler metricsHandler) {
    return start(config, api, metrics, ids, metricsHandler, EventStreams.Timing.DEFAULT);
  }

  static ApiServer start(
      ApiConfig config,
      BookApi api,
      BookMetrics metrics,
      Ids ids,
      PrometheusScrapeHandler metricsHandler,
      EventStreams.Timing timing) {
    return start(config, api::addRoutes, metrics, ids, metricsHandler, timing);
  }

  /**
   * Starts listening while the store cannot be opened yet: {@code /healthz} answers (the process is
   * alive), {@code /readyz} says 503 with {@code reason} (read at each request), {@code /metrics}
   * serves the process's metrics; nothing else is there. Close it before the {@link #start real
   * server} listens on the same port.
   *
   * @throws IllegalStateException when the address cannot be bound
   */
  public static ApiServer waitingForStore(
      ApiConfig config,
      BookMetrics metrics,
      Ids ids,
      PrometheusScrapeHandler metricsHandler,
      Supplier<String> reason) {
    return start(
        config,
        routes ->
            routes
                .get("/healthz", r -> ApiResponse.ok(Json.object().put("status", "ok")))
                .get("/readyz", r -> BookApi.notReady(reason.get())),
        metrics,
        ids,
        metricsHandler,
        EventStreams.Timing.DEFAULT);
  }

  private static ApiServer start(
      ApiConfig config,
      Consumer<ApiRoutes> routes,
      BookMetrics metrics,
      Ids ids,
      PrometheusScrapeHandler metricsHandler,
      EventStreams.Timing timing) {
    ExecutorService virtualThreads =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(REQUEST_THREADS, 0).factory());
    EventStreams streams = new EventStreams(timing);
    Access access = new Access(config);
    Dashboard dashboard = new Dashboard(access);
    Javalin app =
        Javalin.create(
            cfg -> {
              server(cfg, config, ids, virtualThreads);
              cfg.routes.before(ApiServer::refuseMalformedEncoding);
              cfg.routes.beforeMatched("/api/*", access.api());
              routes.accept(new ApiRoutes(cfg.routes, config, streams));
              dashboard.addRoutes(cfg.routes);
              if (metricsHandler != null)
                cfg.routes.get("/metrics", new MetricsEndpoint(metricsHandler));
              ErrorMapping.register(cfg.routes);
              cfg.routes.after(ApiServer::finishReadingBody);
              cfg.requestLogger.http((ctx, ms) -> record(metrics, ctx, ms));
            });
    try {
      app.start();
    } catch (JavalinException e) {
      streams.close();
      virtualThreads.shutdownNow();
      throw new IllegalStateException(
          "cannot listen on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + rootCause(e).getMessage(),
          e);
    }
    return new ApiServer(app, streams, virtualThreads);
  }

  /** The innermost cause: the socket's own words ("Address already in use"), not Jetty's. */
  private static Throwable rootCause(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    return c;
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    streams.close();
    app.stop();
    virtualThreads.shutdownNow();
  }

  /** Event streams open now. */
  int openEventStreams() {
    return streams.open();
  }

  /** The route template that matched, or {@code unmatched}: a label, never the raw path. */
  static String route(Context ctx) {
    Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
    return matched == null ? "unmatched" : matched.path;
  }

  /**
   * Jetty: requests run on virtual threads (selectors and acceptors stay on platform threads), the
   * API's error shape for what Jetty refuses itself; Javalin: JSON through the project's Jackson 3
   * mapper, 405 rather than 404 for a known path, no banner.
   */
  private static void server(
      JavalinConfig cfg, ApiConfig config, Ids ids, ExecutorService virtualThreads) {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("api-io");
    threads.setVirtualThreadsExecutor(virtualThreads);
    RequestEnvelope envelope = new RequestEnvelope(ids);
    JettyErrors errors = new JettyErrors(envelope);
    cfg.jetty.host = config.host();
    cfg.jetty.port = config.port();
    cfg.jetty.threadPool = threads;
    cfg.jetty.modifyServer(server -> server.setErrorHandler(errors));
    // Javalin's LEGACY URI compliance, and invalid UTF-8 in a path reaches the routes (a 404 for an
    // id no one has, with the body read) rather than being refused on a connection Jetty closes.
    cfg.jetty.modifyHttpConfiguration(
        http ->
            http.setUriCompliance(
                UriCompliance.LEGACY.with(
                    "LEGACY_WITH_BAD_UTF8", UriCompliance.Violation.BAD_UTF8_ENCODING)));
    cfg.jetty.modifyServletContextHandler(
        context -> {
          context.setErrorHandler(errors);
          context.addFilter(new FilterHolder(envelope), "/*", EnumSet.of(DispatcherType.REQUEST));
        });
    cfg.jsonMapper(new JavalinJackson3(Json.MAPPER, true));
    cfg.http.prefer405over404 = true;
    cfg.http.defaultContentType = ApiResponse.JSON;
    cfg.startup.showJavalinBanner = false;
    cfg.startup.showOldJavalinVersionWarning = false;
    cfg.startup.startupWatcherEnabled = false;
  }

  /**
   * 400 for a path or query whose percent-encoding does not decode, or a query of more than 50
   * parameters, before any route reads them.
   */
  private static void refuseMalformedEncoding(Context ctx) {
    if (!decodes(ctx.path())) throw ApiError.badRequest("malformed percent-encoding in the path");
    String query = ctx.queryString();
    if (query == null || query.isEmpty()) return;
    String[] pairs = query.split("&");
    if (pairs.length > MAX_QUERY_PARAMETERS)
      throw ApiError.badRequest("too many query parameters (at most " + MAX_QUERY_PARAMETERS + ")");
    for (String pair : pairs) {
      if (!decodes(pair))
        throw ApiError.badRequest("malformed percent-encoding in the query string");
    }
  }

  private static boolean decodes(String raw) {
    try {
      URLDecoder.decode(raw, StandardCharsets.UTF_8);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * A request answered before its body was read (a refusal, an unknown route) leaves bytes on the
   * connection. Jetty would close it with those bytes unread, which resets it, and a client still
   * sending may then lose the answer. So the rest of a body up to 1 MiB is read and dropped, as the
   * JDK's server did; past that the answer says {@code Connection: close}.
   */
  private static void finishReadingBody(Context ctx) {
    if (ctx.res().isCommitted()) return;
    try {
      ServletInputStream in = ctx.req().getInputStream();
      if (in.isFinished()) return;
      long declared = ctx.req().getContentLengthLong();
      if (declared <= MAX_DRAINED_BYTES) {
        byte[] buffer = new byte[8192];
        long drained = 0;
        int n;
        while (drained <= MAX_DRAINED_BYTES && (n = in.read(buffer)) >= 0) drained += n;
        if (in.isFinished()) return;
      }
    } catch (IOException | RuntimeException e) {
      log.debug("the rest of a request body could not be read; closing the connection", e);
    }
    ctx.header("Connection", "close");
  }

  /** After the response: the duration by method, route template and status, and one log line. */
  private static void record(BookMetrics metrics, Context ctx, float ms) {
    String method = ctx.req().getMethod();
    String metricMethod = METHODS.contains(method) ? method : "_OTHER";
    String route = route(ctx);
    int status = ctx.statusCode();
    metrics.httpRequest(metricMethod, route, status, ms / 1000.0);
    long millis = Math.round(ms);
    if (status >= 500) log.warn("{} {} -> {} in {} ms", metricMethod, route, status, millis);
    else if (route.startsWith("/api/"))
      log.info("{} {} -> {} in {} ms", metricMethod, route, status, millis);
    else log.debug("{} {} -> {} in {} ms", metricMethod, route, status, millis);
  }
}
