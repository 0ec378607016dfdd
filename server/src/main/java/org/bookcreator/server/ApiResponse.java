package org.bookcreator.server;

import io.javalin.http.Context;
import java.util.Map;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.JsonNode;

/** What a handler answers: a status, a JSON body (null for none) and extra headers. */
record ApiResponse(int status, JsonNode body, Map<String, String> headers) {
  static final String JSON = "application/json; charset=utf-8";

  static ApiResponse ok(JsonNode body) {
    return new ApiResponse(200, body, Map.of());
  }

  static ApiResponse created(JsonNode body, String location) {
    return new ApiResponse(201, body, Map.of("Location", location));
  }

  static ApiResponse accepted(JsonNode body, String location) {
    return new ApiResponse(202, body, Map.of("Location", location));
  }

  static ApiResponse of(ApiError error) {
    return new ApiResponse(error.status, error.body(), Map.of());
  }

  /** Sets this response on the exchange; Javalin writes it once the handlers are done. */
  void writeTo(Context ctx) {
    ctx.status(status);
    headers.forEach(ctx::header);
    if (body != null) ctx.contentType(JSON).result(Json.MAPPER.writeValueAsBytes(body));
  }
}
