package org.bookcreator.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertState;
import org.bookcreator.core.alert.Notification;
import org.bookcreator.core.alert.Notifier.Delivery;
import org.bookcreator.core.alert.Severity;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What an Alertmanager receives, at a receiver that records it: the alerts as Prometheus posts
 * them, under the base URL's path, with basic authentication from its user info; the answers it may
 * give, told apart as Prometheus tells them; the re-posts of what still fires.
 */
class AlertmanagerNotifierTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  private static final Instant NOW = T0.plusSeconds(90);

  private HttpServer receiver;
  private final AtomicInteger status = new AtomicInteger(200);
  private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();

  record Request(String path, String authorization, JsonNode body) {}

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          requests.add(
              new Request(
                  exchange.getRequestURI().getPath(),
                  exchange.getRequestHeaders().getFirst("Authorization"),
                  Json.parse(
                      new String(
                          exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))));
          exchange.sendResponseHeaders(status.get(), -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  private AlertmanagerNotifier notifier(String base) {
    return new AlertmanagerNotifier(
        new AlertmanagerNotifier.Settings(
            "alertmanager",
            URI.create(base),
            Duration.ofMinutes(1),
            URI.create("http://127.0.0.1:8080/api/alerts"),
            Duration.ofSeconds(5)),
        () -> NOW);
  }

  private String base() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort();
  }

  private static Alert providerDown(AlertState state, Optional<Instant> notified) {
    return new Alert(
        "3f1c9a0d2b7e4c11",
        "ProviderDown",
        Map.of("provider", "openai"),
        Severity.CRITICAL,
        state,
        "Provider openai is down",
        "12 of 12 calls failed",
        "provider-errors",
        T0.minusSeconds(30),
        Optional.of(T0),
        state == AlertState.RESOLVED ? Optional.of(T0.plusSeconds(60)) : Optional.empty(),
        notified);
  }

  private static Notification notification(String status, Alert alert) {
    return new Notification(
        "ntf_1", "alertmanager", "ProviderDown{}", status, List.of(alert), 0, T0);
  }

  @Test
  void aFiringAlert_isPostedAsPrometheusPostsIt_underThePathPrefix_withBasicAuthentication() {
    Delivery d =
        notifier("http://ops:s3cret@127.0.0.1:" + receiver.getAddress().getPort() + "/am/")
            .deliver(
                notification(
                    Notification.FIRING, providerDown(AlertState.FIRING, Optional.empty())));

    assertThat(d).isEqualTo(new Delivery.Delivered());
    Request r = requests.remove();
    assertThat(r.path()).isEqualTo("/am/api/v2/alerts");
    assertThat(r.authorization())
        .isEqualTo("Basic " + Base64.getEncoder().encodeToString("ops:s3cret".getBytes()));
    JsonNode a = r.body().get(0);
    assertThat(Json.MAPPER.convertValue(a.get("labels"), Map.class))
        .isEqualTo(
            Map.of("alertname", "ProviderDown", "severity", "critical", "provider", "openai"));
    assertThat(a.get("annotations").get("summary").asString()).isEqualTo("Provider openai is down");
    assertThat(a.get("annotations").get("description").asString())
        .isEqualTo("12 of 12 calls failed");
    assertThat(a.get("annotations").get("runbook_url").asString())
        .isEqualTo("docs/runbooks/provider-errors.md");
    assertThat(a.get("startsAt").asString()).as("when it fired").isEqualTo(T0.toString());
    assertThat(a.get("endsAt").asString())
        .as("four resend intervals ahead, as Prometheus sets it")
        .isEqualTo(NOW.plus(Duration.ofMinutes(4)).toString());
    assertThat(a.get("generatorURL").asString()).isEqualTo("http://127.0.0.1:8080/api/alerts");
  }

  @Test
  void aResolvedAlert_endsWhenItResolved() {
    notifier(base())
        .deliver(
            notification(
                Notification.RESOLVED, providerDown(AlertState.RESOLVED, Optional.of(T0))));

    assertThat(requests.remove().body().get(0).get("endsAt").asString())
        .isEqualTo(T0.plusSeconds(60).toString());
  }

  @Test
  void aRefusal_isFinal_aServerErrorIsTriedAgain_andNeitherNamesTheUrl() {
    AlertmanagerNotifier am =
        notifier("http://ops:s3cret@127.0.0.1:" + receiver.getAddress().getPort() + "/T0KEN/");
    Notification n =
        notification(Notification.FIRING, providerDown(AlertState.FIRING, Optional.empty()));

    status.set(400);
    Delivery refused = am.deliver(n);
    status.set(503);
    Delivery unavailable = am.deliver(n);

    assertThat(refused)
        .isInstanceOfSatisfying(
            Delivery.Failed.class,
            f -> {
              assertThat(f.retryable()).isFalse();
              assertThat(f.reason())
                  .contains("HTTP 400")
                  .doesNotContain("s3cret")
                  .doesNotContain("T0KEN");
            });
    assertThat(unavailable)
        .isInstanceOfSatisfying(Delivery.Failed.class, f -> assertThat(f.retryable()).isTrue());
  }

  @Test
  void theResender_postsWhatFiresAndWasAnnounced_only() {
    AlertmanagerNotifier am = notifier(base());
    Alert announced = providerDown(AlertState.FIRING, Optional.of(T0));
    Alert silencedSinceItFired = providerDown(AlertState.FIRING, Optional.empty());
    try (AlertmanagerResender resender =
        AlertmanagerResender.start(
            List.of(am), () -> List.of(announced, silencedSinceItFired), Duration.ofHours(1))) {

      resender.resendQuietly();
    }

    assertThat(requests).singleElement().satisfies(r -> assertThat(r.body()).hasSize(1));
  }
}
