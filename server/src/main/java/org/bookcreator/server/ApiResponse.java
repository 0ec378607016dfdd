package org.bookcreator.server;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/** What a handler answers: a status, a JSON body (null for none) and extra headers. */
record ApiResponse(int status, JsonNode body, Map<String, String> headers) {
  static ApiResponse ok(JsonNode body) {
    return new ApiResponse(200, body, Map.of());
  }

  static ApiResponse created(JsonNode body, String location) {
    return new ApiResponse(201, body, Map.of("Location", location));
  }

  static ApiResponse accepted(JsonNode body, String location) {
    return new ApiResponse(202, body, Map.of("Location", location));
  }
}
