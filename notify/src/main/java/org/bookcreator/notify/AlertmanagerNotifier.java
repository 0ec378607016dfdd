package org.bookcreator.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.Notifier;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends the built-in alerts to an Alertmanager as Prometheus does, so that a team's own routing,
 * inhibition and silences apply: {@code POST /api/v2/alerts} with each alert's labels ({@code
 * alertname}, {@code severity} and its own), annotations ({@code summary}, {@code description},
 * {@code runbook_url}), {@code startsAt} (when it fired), {@code endsAt} and {@code generatorURL}.
 * A firing alert's {@code endsAt} is four resend intervals ahead, as Prometheus sets it: {@link
 * AlertmanagerResender} posts it again every interval while it fires, and Alertmanager resolves it
 * by itself if the posts stop (the process ended). A resolved alert's {@code endsAt} is when it
 * resolved.
 *
 * <p>The URL is the Alertmanager's base ({@code http://alertmanager:9093}, or with a path prefix);
 * user info in it ({@code http://user:password@host:9093}) is sent as basic authentication. The URL
 * is never logged nor put in a failure reason. Thread-safe.
 */
public final class AlertmanagerNotifier implements Notifier {
  static final String ALERTS_PATH = "/api/v2/alerts";

  /**
   * @param name the notifier's name in the outbox: {@code alertmanager}, {@code alertmanager-2}
   * @param url the Alertmanager's base URL; http or https
   * @param resend how often firing alerts are posted again; {@code endsAt} is four of these ahead
   * @param generatorUrl the {@code generatorURL} of every alert: where people see it in Book
   *     Creator
   */
  public record Settings(
      String name, URI url, Duration resend, URI generatorUrl, Duration timeout) {
    public Settings {
      Objects.requireNonNull(name, "name");
      HttpDelivery.requireHttp(Objects.requireNonNull(url, "url"), "notify.alertmanager.urls");
      if (resend.isNegative() || resend.isZero())
        throw new IllegalArgumentException("resend must be positive, got " + resend);
      Objects.requireNonNull(generatorUrl, "generatorUrl");
      Objects.requireNonNull(timeout, "timeout");
    }
  }

  private final Settings settings;
  private final InstantSource clock;
  private final HttpClient http;
  private final URI endpoint;
  private final Optional<String> authorization;

  public AlertmanagerNotifier(Settings settings, InstantSource clock) {
    this.settings = settings;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    this.endpoint = endpoint(settings.url());
    this.authorization =
        Optional.ofNullable(settings.url().getRawUserInfo())
            .map(u -> URLDecoder.decode(u, StandardCharsets.UTF_8))
            .map(
                u ->
                    "Basic "
                        + Base64.getEncoder().encodeToString(u.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public String name() {
    return settings.name();
  }

  @Override
  public Delivery deliver(Notification n) {
    return post(n.alerts(), n.status().equals(Notification.RESOLVED));
  }

  /** Posts alerts that still fire again, so that Alertmanager keeps them firing. Never throws. */
  public Delivery resend(List<Alert> firing) {
    return firing.isEmpty() ? new Delivery.Delivered() : post(firing, false);
  }

  private Delivery post(List<Alert> alerts, boolean resolved) {
    String body = Json.write(body(alerts, resolved, clock.instant()));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint)
            .timeout(settings.timeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    authorization.ifPresent(a -> request.header("Authorization", a));
    return HttpDelivery.send(
        http,
        request.build(),
        "Alertmanager " + HttpDelivery.safe(settings.url()),
        settings.timeout());
  }

  /** The body of {@code POST /api/v2/alerts}: one postable alert per alert. */
  ArrayNode body(List<Alert> alerts, boolean resolved, Instant now) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (Alert a : alerts) {
      ObjectNode o = out.addObject();
      ObjectNode labels = o.putObject("labels");
      a.labels().forEach(labels::put);
      labels.put("severity", a.severity().id());
      labels.put("alertname", a.name());
      ObjectNode annotations = o.putObject("annotations");
      annotations.put("summary", a.summary());
      annotations.put("description", a.description());
      if (!a.runbookLink().isEmpty()) annotations.put("runbook_url", a.runbookLink());
      o.put("startsAt", a.firedAt().orElse(a.activeSince()).toString());
      Instant ends =
          resolved
              ? a.resolvedAt().orElse(now)
              : now.plus(settings.resend().multipliedBy(4)); // as Prometheus: 4 resends ahead
      o.put("endsAt", ends.toString());
      o.put("generatorURL", settings.generatorUrl().toString());
    }
    return out;
  }

  /** The alerts endpoint under the base URL, without the user info (sent as a header instead). */
  static URI endpoint(URI base) {
    String path = Objects.requireNonNullElse(base.getPath(), "");
    if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
    if (!path.endsWith(ALERTS_PATH)) path = path + ALERTS_PATH;
    try {
      return new URI(base.getScheme(), null, base.getHost(), base.getPort(), path, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "not an Alertmanager URL: " + HttpDelivery.safe(base) + " (" + e.getReason() + ")");
    }
  }
}
