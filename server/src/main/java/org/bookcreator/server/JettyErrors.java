package org.bookcreator.server;

import java.nio.ByteBuffer;
import org.bookcreator.core.support.Json;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers before a request reaches Javalin (a malformed URI, headers over the
 * limit, an ambiguous path): the API's one error shape instead of Jetty's HTML page, with a request
 * id, whatever the method and {@code Accept} header.
 */
final class JettyErrors extends ErrorHandler {
  private final RequestEnvelope envelope;

  JettyErrors(RequestEnvelope envelope) {
    this.envelope = envelope;
    setCacheControl("no-store");
  }

  @Override
  public boolean errorPageForMethod(String method) {
    return !"HEAD".equals(method);
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    String requestId = envelope.requestId(request.getHeaders().get("X-Request-Id"));
    String text = message == null || message.isBlank() ? "the request is malformed" : message;
    byte[] body =
        Json.MAPPER.writeValueAsBytes(
            ApiError.ofStatus(code, clip(text) + " (refused by the HTTP server)").body());
    response.getHeaders().put("X-Request-Id", requestId);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, ApiResponse.JSON);
    // Jetty closes the connection after a malformed request; say so, or a client may reuse it.
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private static String clip(String s) {
    String one = s.replaceAll("\\p{Cntrl}", " ");
    return one.length() <= 200 ? one : one.substring(0, 200) + "...";
  }
}
