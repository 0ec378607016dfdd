package org.bookcreator.server;

import io.javalin.http.Handler;
import io.javalin.router.JavalinDefaultRoutingApi;

/**
 * Where {@link BookApi} declares its endpoints on Javalin's router. Each handler takes an {@link
 * ApiRequest} (its body read and bounded: JSON bodies by {@link ApiConfig#maxJsonBytes()}, uploads
 * by {@link ApiConfig#maxUploadBytes()}) and answers an {@link ApiResponse}; failures it throws
 * reach {@link ErrorMapping}. Templates such as {@code /api/runs/{id}} name the routes in metrics
 * and logs.
 */
record ApiRoutes(JavalinDefaultRoutingApi routes, ApiConfig config, EventStreams streams) {
  /** An endpoint of the JSON API. */
  @FunctionalInterface
  interface JsonHandler {
    ApiResponse handle(ApiRequest request);
  }

  /** A GET, and a HEAD that runs the same handler (Jetty sends no body): 404 stays 404. */
  ApiRoutes get(String template, JsonHandler handler) {
    Handler adapted = adapt(handler, config.maxJsonBytes());
    routes.get(template, adapted);
    routes.head(template, adapted);
    return this;
  }

  ApiRoutes post(String template, JsonHandler handler) {
    routes.post(template, adapt(handler, config.maxJsonBytes()));
    return this;
  }

  ApiRoutes delete(String template, JsonHandler handler) {
    routes.delete(template, adapt(handler, config.maxJsonBytes()));
    return this;
  }

  /** A POST whose body is a document, bounded by the upload limit rather than the JSON one. */
  ApiRoutes upload(String template, JsonHandler handler) {
    routes.post(template, adapt(handler, config.maxUploadBytes()));
    return this;
  }

  /**
   * A GET streaming Server-Sent Events, from a new feed for each client, given the {@code
   * Last-Event-ID} a reconnecting client sends.
   */
  ApiRoutes events(String template, EventStreams.Feeds feeds) {
    routes.get(template, streams.handler(feeds));
    return this;
  }

  private static Handler adapt(JsonHandler handler, long bodyLimit) {
    return ctx -> handler.handle(ApiRequest.read(ctx, bodyLimit)).writeTo(ctx);
  }
}
