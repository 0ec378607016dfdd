package org.bookcreator.server;

import java.util.List;
import java.util.Map;

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
}
