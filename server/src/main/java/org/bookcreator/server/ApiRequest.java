package org.bookcreator.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A matched request: its route template, path parameters, query and (already bounded) body. */
record ApiRequest(
    String method,
    String route,
    Map<String, String> path,
    Map<String, List<String>> query,
    Optional<String> contentType,
    byte[] body,
    String requestId) {

  String pathParam(String name) {
    return path.get(name);
  }

  /** The single value of a query parameter, if given; a parameter given twice is a 400. */
  Optional<String> queryParam(String name) {
    List<String> values = query.getOrDefault(name, List.of());
    if (values.size() > 1) throw ApiError.invalidField(name, "given more than once");
    return values.stream().findFirst();
  }

  /** A bounded integer query parameter with a default. */
  int intParam(String name, int fallback, int min, int max) {
    Optional<String> raw = queryParam(name);
    if (raw.isEmpty()) return fallback;
    try {
      int v = Integer.parseInt(raw.get());
      if (v < min || v > max)
        throw ApiError.invalidField(name, "must be between " + min + " and " + max + ", got " + v);
      return v;
    } catch (NumberFormatException e) {
      throw ApiError.invalidField(name, "must be a whole number");
    }
  }
}
