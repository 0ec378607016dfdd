package org.bookcreator.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * A matched request as the handlers of {@link BookApi} see it: a thin view of Javalin's {@link
 * Context} with its request id and (already bounded) body. Path and query values come decoded; the
 * server refused malformed percent-encoding before the handler ran.
 */
final class ApiRequest {
  private final Context ctx;
  private final byte[] body;

  private ApiRequest(Context ctx, byte[] body) {
    this.ctx = ctx;
    this.body = body;
  }

  /**
   * Reads the body, at most {@code limit} bytes: 413 when the declared or the actual length is over
   * it, before more than that is read.
   */
  static ApiRequest read(Context ctx, long limit) {
    return new ApiRequest(ctx, body(ctx, limit));
  }

  String requestId() {
    return ctx.attribute(ApiServer.REQUEST_ID);
  }

  Optional<String> contentType() {
    return Optional.ofNullable(ctx.header("Content-Type"));
  }

  byte[] body() {
    return body;
  }

  String pathParam(String name) {
    return ctx.pathParamMap().get(name);
  }

  /** The single value of a query parameter, if given; a parameter given twice is a 400. */
  Optional<String> queryParam(String name) {
    List<String> values = ctx.queryParams(name);
    if (values.size() > 1) throw ApiError.invalidField(name, "given more than once");
    return values.stream().findFirst();
  }

  /** A bounded integer query parameter with a default, checked by Javalin's validator. */
  int intParam(String name, int fallback, int min, int max) {
    queryParam(name);
    return ctx.queryParamAsClass(name, Integer.class)
        .check(v -> v == null || (v >= min && v <= max), "must be between " + min + " and " + max)
        .getOrDefault(fallback);
  }

  private static byte[] body(Context ctx, long limit) {
    String declared = ctx.header("Content-Length");
    if (declared != null) {
      long length;
      try {
        length = Long.parseLong(declared.strip());
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("Content-Length is not a number");
      }
      if (length > limit) throw tooLarge(limit);
    }
    try (InputStream in = ctx.req().getInputStream()) {
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
}
