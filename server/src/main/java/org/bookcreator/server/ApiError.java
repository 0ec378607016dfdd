package org.bookcreator.server;

import java.util.List;
import java.util.Map;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * A failed request, as the one error body every endpoint answers with: {@code {"error": code,
 * "message": text, "details": [...]}}. Thrown by handlers; the server renders it.
 */
final class ApiError extends RuntimeException {
  /** The {@code error} of each status docs/api.md names; other 4xx are invalid requests. */
  private static final Map<Integer, String> CODES =
      Map.of(
          401, "unauthorized",
          404, "not_found",
          405, "method_not_allowed",
          406, "not_acceptable",
          409, "conflict",
          413, "payload_too_large",
          414, "uri_too_long",
          415, "unsupported_media_type",
          431, "headers_too_large");

  final int status;
  final String code;
  final List<Map<String, String>> details;

  ApiError(int status, String code, String message, List<Map<String, String>> details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = List.copyOf(details);
  }

  ApiError(int status, String code, String message) {
    this(status, code, message, List.of());
  }

  static ApiError badRequest(String message) {
    return new ApiError(400, "invalid_request", message);
  }

  /** A 400 naming the offending field. */
  static ApiError invalidField(String field, String problem) {
    return new ApiError(
        400,
        "invalid_request",
        field + ": " + problem,
        List.of(Map.of("field", field, "problem", problem)));
  }

  static ApiError notFound(String message) {
    return new ApiError(404, "not_found", message);
  }

  static ApiError conflict(String message) {
    return new ApiError(409, "conflict", message);
  }

  /** An error the server or Jetty raised itself, with the code its status has in docs/api.md. */
  static ApiError ofStatus(int status, String message) {
    return new ApiError(status, codeFor(status), message);
  }

  /** The error body. */
  ObjectNode body() {
    ObjectNode body = Json.object().put("error", code).put("message", getMessage());
    body.set("details", Json.MAPPER.valueToTree(details));
    return body;
  }

  private static String codeFor(int status) {
    return CODES.getOrDefault(status, status >= 500 ? "internal_error" : "invalid_request");
  }
}
