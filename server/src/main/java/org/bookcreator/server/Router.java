package org.bookcreator.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Routes by method and path template ({@code /api/runs/{id}/cancel}). Matching is by segments; a
 * parameter matches one non-empty segment. The template, never the raw path, names the route in
 * metrics and logs.
 */
final class Router {
  @FunctionalInterface
  interface Handler {
    ApiResponse handle(ApiRequest request);
  }

  record Route(String method, String template, String[] segments, Handler handler) {}

  record Match(Route route, Map<String, String> params) {}

  private final List<Route> routes = new ArrayList<>();

  Router add(String method, String template, Handler handler) {
    routes.add(new Route(method, template, split(template), handler));
    return this;
  }

  /**
   * The route for this method and path; empty with {@code allowed} filled when only the method is
   * wrong.
   */
  Optional<Match> match(String method, String path, Set<String> allowed) {
    String[] parts = split(path);
    for (Route r : routes) {
      Map<String, String> params = matchSegments(r.segments(), parts);
      if (params == null) continue;
      if (r.method().equals(method)) return Optional.of(new Match(r, params));
      allowed.add(r.method());
    }
    return Optional.empty();
  }

  Set<String> templates() {
    Set<String> out = new LinkedHashSet<>();
    for (Route r : routes) out.add(r.template());
    return out;
  }

  private static Map<String, String> matchSegments(String[] template, String[] parts) {
    if (template.length != parts.length) return null;
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < template.length; i++) {
      String t = template[i];
      if (t.startsWith("{") && t.endsWith("}")) {
        if (parts[i].isEmpty()) return null;
        params.put(t.substring(1, t.length() - 1), parts[i]);
      } else if (!t.equals(parts[i])) {
        return null;
      }
    }
    return params;
  }

  private static String[] split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }
}
