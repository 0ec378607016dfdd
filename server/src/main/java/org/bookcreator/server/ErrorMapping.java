package org.bookcreator.server;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.router.EndpointNotFound;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.Map;
import org.bookcreator.core.store.StoreUnusableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failure becomes an answer: every exception a handler or Javalin's router
 * throws is rendered in the error shape of {@link ApiError}. Unknown routes are 404, a known route
 * with the wrong method 405 with {@code Allow}, a full disk or a damaged store file 503 with what
 * to do, anything unexpected 500 with the request id (and the throwable in the log).
 */
final class ErrorMapping {
  private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

  private ErrorMapping() {}

  static void register(JavalinDefaultRoutingApi routes) {
    routes
        .exception(ApiError.class, (e, ctx) -> ApiResponse.of(e).writeTo(ctx))
        .exception(HttpResponseException.class, ErrorMapping::framework)
        .exception(StoreUnusableException.class, ErrorMapping::storeUnusable)
        .exception(Exception.class, ErrorMapping::unexpected);
  }

  private static void framework(HttpResponseException e, Context ctx) {
    if (e instanceof EndpointNotFound) {
      ApiResponse.of(ApiError.notFound("no such endpoint; see docs/api.md")).writeTo(ctx);
    } else if (e instanceof MethodNotAllowedResponse) {
      String method = ctx.req().getMethod();
      String allowed = e.getDetails().values().stream().findFirst().orElse("");
      ApiError error =
          ApiError.ofStatus(
              405,
              method.length() > 16
                  ? "method not allowed"
                  : method + " is not allowed here; allowed: " + allowed);
      new ApiResponse(405, error.body(), Map.of("Allow", allowed)).writeTo(ctx);
    } else {
      ApiResponse.of(ApiError.ofStatus(e.getStatus(), e.getMessage())).writeTo(ctx);
    }
  }

  /**
   * A full disk or a damaged store file: 503 with the store's message, which names the file or the
   * directory and the runbook (the operator's next step, not a bug to hunt in the log).
   */
  private static void storeUnusable(StoreUnusableException e, Context ctx) {
    log.error(
        "request {} {} failed: {}", ctx.req().getMethod(), ApiServer.route(ctx), e.getMessage(), e);
    ApiResponse.of(new ApiError(503, "store_unusable", e.getMessage())).writeTo(ctx);
  }

  private static void unexpected(Exception e, Context ctx) {
    log.error("request {} {} failed", ctx.req().getMethod(), ApiServer.route(ctx), e);
    ApiResponse.of(
            ApiError.ofStatus(
                500,
                "the server failed to handle the request; its log has the details (request id "
                    + ctx.attribute(ApiServer.REQUEST_ID)
                    + ")"))
        .writeTo(ctx);
  }
}
