package org.bookcreator.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import org.bookcreator.core.alert.Notifier.Delivery;

/**
 * One POST of a notifier, and how it went: a 2xx answer is delivered; 408, 429 and 5xx, timeouts
 * and refused connections are tried again; any other answer is final. Failure reasons name the
 * receiver by {@link #safe} only: URLs often hold a token.
 */
final class HttpDelivery {
  private HttpDelivery() {}

  /**
   * Sends {@code request}; {@code what} names the receiver in failure reasons ({@code webhook
   * http://host/…}).
   */
  static Delivery send(HttpClient http, HttpRequest request, String what, Duration timeout) {
    try {
      HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
      int code = r.statusCode();
      if (code / 100 == 2) return new Delivery.Delivered();
      boolean retry = code == 408 || code == 429 || code >= 500;
      return new Delivery.Failed(what + " answered HTTP " + code, retry);
    } catch (HttpTimeoutException e) {
      return new Delivery.Failed(what + " did not answer within " + timeout, true);
    } catch (IOException e) {
      return new Delivery.Failed(what + " unreachable: " + e.getClass().getSimpleName(), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Delivery.Failed("interrupted", true);
    }
  }

  /**
   * Checks a receiver's URL: http or https with a host.
   *
   * @throws IllegalArgumentException naming {@code what} and the URL without what may be secret
   */
  static URI requireHttp(URI url, String what) {
    String scheme = String.valueOf(url.getScheme()).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null)
      throw new IllegalArgumentException(
          "a " + what + " URL must be http(s)://host/..., got " + safe(url));
    return url;
  }

  /** The URL without what may be a secret: user info, path tokens, query. */
  static String safe(URI url) {
    return url.getScheme()
        + "://"
        + url.getHost()
        + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + "/…";
  }
}
