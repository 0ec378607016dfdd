package org.bookcreator.server;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may call the API and the dashboard. With no token configured (loopback), everyone on this
 * machine may. With {@code http.token}, a request needs {@code Authorization: Bearer <token>} or
 * the dashboard's session cookie, which the login page sets once the token was typed in.
 *
 * <p>The cookie holds an HMAC of the token rather than the token, so a copied cookie does not give
 * the bearer token away; it is HttpOnly (scripts cannot read it) and SameSite=Strict. Because a
 * browser sends cookies by itself, a state-changing request authenticated by the cookie must also
 * carry an {@code Origin} naming this server; a state-changing request from another origin is
 * refused however it is authenticated.
 */
final class Access {
  /** The dashboard's session cookie. */
  static final String COOKIE = "book_creator_session";

  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  private final byte[] token;
  private final String session;

  Access(ApiConfig config) {
    this.token = config.token().map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    this.session = token == null ? null : sessionOf(token);
  }

  /** Whether a token is configured, so that the dashboard needs a sign-in. */
  boolean required() {
    return token != null;
  }

  /** Whether {@code given} is the token; compared in constant time. */
  boolean isToken(String given) {
    return token != null
        && given != null
        && MessageDigest.isEqual(given.strip().getBytes(StandardCharsets.UTF_8), token);
  }

  /** The {@code Set-Cookie} value of a signed-in browser. */
  String sessionCookie(boolean secure) {
    return COOKIE
        + "="
        + session
        + "; Path=/; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : "");
  }

  /** Whether the request may read: no token configured, the bearer token, or the cookie. */
  boolean signedIn(Context ctx) {
    return token == null || bearer(ctx) || cookie(ctx);
  }

  /** The check before every {@code /api/...} route: 401 without credentials, 403 cross-origin. */
  Handler api() {
    return ctx -> {
      boolean changes = !SAFE_METHODS.contains(ctx.req().getMethod());
      Optional<String> origin = Optional.ofNullable(ctx.header("Origin"));
      if (changes && origin.isPresent() && !sameOrigin(origin.get(), ctx.header("Host")))
        throw forbidden("a request from another origin may not change anything here");
      if (token == null || bearer(ctx)) return;
      if (cookie(ctx)) {
        if (changes && origin.isEmpty())
          throw forbidden("a change authenticated by the dashboard's cookie must carry Origin");
        return;
      }
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiError(
          401,
          "unauthorized",
          "this server requires 'Authorization: Bearer <token>' (the value of http.token), or"
              + " signing in to the dashboard at /login");
    };
  }

  private boolean bearer(Context ctx) {
    String header = ctx.header("Authorization");
    return header != null
        && header.regionMatches(true, 0, "Bearer ", 0, 7)
        && isToken(header.substring(7));
  }

  private boolean cookie(Context ctx) {
    String value = ctx.cookie(COOKIE);
    return value != null
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), session.getBytes(StandardCharsets.UTF_8));
  }

  /** The Origin's host and port are the ones the request was sent to (its Host header). */
  static boolean sameOrigin(String origin, String host) {
    if (host == null || origin.equals("null")) return false;
    try {
      URI uri = new URI(origin);
      return uri.getRawAuthority() != null && uri.getRawAuthority().equalsIgnoreCase(host);
    } catch (Exception e) {
      return false;
    }
  }

  private static ApiError forbidden(String message) {
    return new ApiError(403, "forbidden", message);
  }

  private static String sessionOf(byte[] token) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token, "HmacSHA256"));
      byte[] tag = mac.doFinal("book-creator dashboard session".getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
