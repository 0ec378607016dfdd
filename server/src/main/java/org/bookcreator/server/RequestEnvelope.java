package org.bookcreator.server;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Pattern;
import org.bookcreator.core.support.Ids;
import org.bookcreator.telemetry.LogContext;

/**
 * Wraps every request that reaches Javalin: gives it a request id (the caller's {@code
 * X-Request-Id} when it is a safe token, else a new one), answers it in {@code X-Request-Id}, and
 * puts it in the logging context for every line the request causes on this thread. Also sets the
 * headers every answer carries, and hides {@code X-HTTP-Method-Override}: Javalin would route a GET
 * carrying it as the method it names, which this API never offered.
 */
final class RequestEnvelope implements Filter {
  private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
          + " frame-ancestors 'none'";
  private static final String METHOD_OVERRIDE = "X-HTTP-Method-Override";

  private final Ids ids;

  RequestEnvelope(Ids ids) {
    this.ids = ids;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    String requestId = requestId(request.getHeader("X-Request-Id"));
    request.setAttribute(ApiServer.REQUEST_ID, requestId);
    response.setHeader("X-Request-Id", requestId);
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
    // The dashboard's pages run only the scripts and styles this server sends as files: no inline
    // code, no other origin, never inside a frame. Harmless on JSON, so every answer carries it.
    response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("Referrer-Policy", "no-referrer");
    try (LogContext.Scope ignored = LogContext.with(ApiServer.REQUEST_ID, requestId)) {
      chain.doFilter(new WithoutMethodOverride(request), response);
    }
  }

  /** The caller's id when it is a safe token, else a new one. */
  String requestId(String incoming) {
    return incoming != null && SAFE_REQUEST_ID.matcher(incoming).matches()
        ? incoming
        : ids.next("req");
  }

  private static final class WithoutMethodOverride extends HttpServletRequestWrapper {
    WithoutMethodOverride(HttpServletRequest request) {
      super(request);
    }

    @Override
    public String getHeader(String name) {
      return METHOD_OVERRIDE.equalsIgnoreCase(name) ? null : super.getHeader(name);
    }
  }
}
