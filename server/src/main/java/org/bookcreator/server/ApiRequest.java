package org.bookcreator.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.bookcreator.core.support.Numbers;

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

  /** The address the request came from (the peer's, or a proxy's). */
  String remoteAddress() {
    return ctx.req().getRemoteAddr();
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

  /** A whole-number query parameter {@code min..max} with a default; anything else is a 400. */
  int intParam(String name, int fallback, int min, int max) {
    return queryParam(name)
        .map(v -> number(name, () -> Numbers.wholeInt(v, min, max)))
        .orElse(fallback);
  }

  /** A whole-number query parameter {@code min..max}, if given; anything else is a 400. */
  Optional<Long> longParam(String name, long min, long max) {
    return queryParam(name).map(v -> number(name, () -> Numbers.whole(v, min, max)));
  }

  /**
   * A number read by {@link Numbers} from a query parameter or a body field: the rule it breaks is
   * a 400 naming the field.
   */
  static <T> T number(String field, Supplier<T> read) {
    try {
      return read.get();
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidField(field, e.getMessage());
    }
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
