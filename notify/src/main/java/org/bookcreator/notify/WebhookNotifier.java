package org.bookcreator.notify;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.Notifier;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Posts notifications to an HTTP endpoint: Book Creator's JSON document (docs/alerts.md), or a
 * Slack/Mattermost-compatible {@code {"text": ...}} body. Every attempt carries the notification's
 * id as {@code Idempotency-Key}; with a secret, {@code X-Book-Creator-Signature: t=UNIX,v1=HEX} is
 * the HMAC-SHA256 of {@code UNIX + "." + body}, so a receiver can check who sent it and when. A 2xx
 * answer is delivered; 408, 429 and 5xx, timeouts and refused connections are tried again; any
 * other answer is final. The URL may hold a token: it is never logged or put in a failure reason.
 */
public final class WebhookNotifier implements Notifier {
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  public static final String SIGNATURE_HEADER = "X-Book-Creator-Signature";

  /** The body's shape. */
  public enum Format {
    JSON,
    SLACK
  }

  /**
   * @param name the notifier's name in routes and the outbox
   * @param url where to post; http or https
   * @param secret the HMAC key; empty: no signature
   */
  public record Settings(
      String name, URI url, Format format, Optional<String> secret, Duration timeout) {
    public Settings {
      Objects.requireNonNull(name, "name");
      HttpDelivery.requireHttp(Objects.requireNonNull(url, "url"), "webhook");
      Objects.requireNonNull(format, "format");
      secret = Objects.requireNonNullElse(secret, Optional.empty());
      Objects.requireNonNull(timeout, "timeout");
    }
  }

  private final Settings settings;
  private final HttpClient http;
  private final InstantSource clock;

  public WebhookNotifier(Settings settings, InstantSource clock) {
    this.settings = settings;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
  }

  @Override
  public String name() {
    return settings.name();
  }

  @Override
  public Delivery deliver(Notification n) {
    String body = settings.format() == Format.SLACK ? slack(n) : Json.write(document(n));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(settings.url())
            .timeout(settings.timeout())
            .header("Content-Type", "application/json")
            .header(IDEMPOTENCY_HEADER, n.id())
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    settings
        .secret()
        .ifPresent(s -> request.header(SIGNATURE_HEADER, signature(s, clock.instant(), body)));
    return HttpDelivery.send(
        http, request.build(), "webhook " + HttpDelivery.safe(settings.url()), settings.timeout());
  }

  /**
   * Opens a TCP connection to the URL's host and port and closes it, sending nothing: what {@code
   * doctor} asks. Empty when that worked, else what went wrong (never the URL's path or query).
   */
  public Optional<String> connectionProblem() {
    URI url = settings.url();
    int port =
        url.getPort() > 0 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(url.getHost(), port), (int) settings.timeout().toMillis());
      return Optional.empty();
    } catch (UnknownHostException e) {
      return Optional.of("webhook " + HttpDelivery.safe(url) + ": unknown host " + url.getHost());
    } catch (java.io.IOException e) {
      return Optional.of(
          "webhook " + HttpDelivery.safe(url) + " unreachable: " + e.getClass().getSimpleName());
    }
  }

  /** Where notifications go, without what may be a secret: {@code https://hooks.example.com/…}. */
  public String target() {
    return HttpDelivery.safe(settings.url());
  }

  /** {@code t=UNIX,v1=HEX}: HMAC-SHA256 over {@code UNIX + "." + body}. */
  public static String signature(String secret, Instant at, String body) {
    long t = at.getEpochSecond();
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] sig = mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8));
      return "t=" + t + ",v1=" + HexFormat.of().formatHex(sig);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** The JSON document receivers get (docs/alerts.md, "Webhook body"). */
  static ObjectNode document(Notification n) {
    ObjectNode doc = Json.object();
    doc.put("version", "1");
    doc.put("id", n.id());
    doc.put("status", n.status());
    doc.put("group_key", n.groupKey());
    doc.put("source", "book-creator");
    ArrayNode alerts = doc.putArray("alerts");
    for (Alert a : n.alerts()) {
      ObjectNode o = alerts.addObject();
      o.put("name", a.name());
      o.put("status", n.status());
      o.put("severity", a.severity().id());
      ObjectNode labels = o.putObject("labels");
      a.labels().forEach(labels::put);
      o.put("summary", a.summary());
      o.put("description", a.description());
      o.put("runbook", a.runbookLink());
      o.put("active_since", a.activeSince().toString());
      a.firedAt().ifPresent(t -> o.put("fired_at", t.toString()));
      a.resolvedAt().ifPresent(t -> o.put("resolved_at", t.toString()));
      o.put("fingerprint", a.fingerprint());
    }
    return doc;
  }

  /** One line per alert, Slack's {@code text} field: what fired or resolved, and where to look. */
  static String slack(Notification n) {
    StringBuilder text = new StringBuilder();
    for (Alert a : n.alerts()) {
      if (!text.isEmpty()) text.append('\n');
      text.append(NotificationText.tag(n))
          .append(' ')
          .append(a.name())
          .append(" (")
          .append(a.severity().id())
          .append("): ")
          .append(a.summary())
          .append(" | runbook: ")
          .append(a.runbookLink());
    }
    return Json.write(Json.object().put("text", text.toString()));
  }
}
