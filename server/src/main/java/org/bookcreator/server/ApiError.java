package org.bookcreator.server;

import java.util.List;
import java.util.Map;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A failed request, as the one error body every endpoint answers with: {@code {"error": code,
 * "message": text, "details": [...]}}. Thrown by handlers; the server renders it.
 */
final class ApiError extends RuntimeException {
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
    ObjectNode body = Json.object();
    body.put("error", code);
    body.put("message", getMessage());
    ArrayNode list = body.putArray("details");
    for (Map<String, String> d : details) {
      ObjectNode o = list.addObject();
      d.forEach(o::put);
    }
    return body;
  }

  private static String codeFor(int status) {
    return switch (status) {
      case 400 -> "invalid_request";
      case 401 -> "unauthorized";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 406 -> "not_acceptable";
      case 409 -> "conflict";
      case 413 -> "payload_too_large";
      case 414 -> "uri_too_long";
      case 415 -> "unsupported_media_type";
      case 431 -> "headers_too_large";
      default -> status >= 500 ? "internal_error" : "invalid_request";
    };
  }
}
