package org.bookcreator.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;

/**
 * How the API listens: address and port (0 picks a free one), the bearer token (required when the
 * address is not a loopback one), and body limits in bytes.
 */
public record ApiConfig(
    String host, int port, Optional<String> token, long maxJsonBytes, long maxUploadBytes) {
  /** JSON bodies: briefs are at most 1 MiB. */
  public static final long DEFAULT_MAX_JSON_BYTES = 1024 * 1024;

  public ApiConfig {
    Objects.requireNonNull(host, "host");
    token = Objects.requireNonNullElse(token, Optional.<String>empty()).filter(t -> !t.isBlank());
    if (port < 0 || port > 65535)
      throw new IllegalArgumentException("http.port must be 0..65535, got " + port);
    if (maxJsonBytes <= 0 || maxUploadBytes <= 0)
      throw new IllegalArgumentException("body limits must be positive");
    if (token.isEmpty() && !isLoopback(host)) {
      throw new IllegalArgumentException(
          "http.host is "
              + host
              + ", which is not a loopback address: set http.token (BOOK_CREATOR_HTTP_TOKEN) so"
              + " that API requests need 'Authorization: Bearer <token>', or bind to 127.0.0.1");
    }
    if (token.isPresent() && token.get().length() < 16) {
      throw new IllegalArgumentException("http.token must be at least 16 characters long");
    }
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
