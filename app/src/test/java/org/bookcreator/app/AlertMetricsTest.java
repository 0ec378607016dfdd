package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.bookcreator.core.alert.BuiltInRules;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerting metrics on serve's /metrics: firing alerts per rule, notification attempts per
 * notifier and outcome, the outbox's depth. They exist at zero before anything happens and move
 * when a failed run fires RunFailed and its notifications go to a receiver that takes them, one
 * that is busy (503: tried again) and one that refuses them (400: given up).
 */
class AlertMetricsTest {
  @TempDir Path dir;
  private final TestHttp http = new TestHttp();
  private TestReceiver receiver;
  private HttpServer refusing;
  private ServeCommand.Serving serving;

  @BeforeEach
  void start() throws Exception {
    receiver = new TestReceiver();
    refusing = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    refusing.createContext(
        "/busy",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(503, -1);
          exchange.close();
        });
    refusing.createContext(
        "/bad",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(400, -1);
          exchange.close();
        });
    refusing.start();
    String other = "http://127.0.0.1:" + refusing.getAddress().getPort();
    serving =
        FailingProvider.serve(
            dir,
            """
            alerts:
              interval: 1s
              group_wait: 0s
            notify:
              webhooks: %s, %s, %s
              retry_base: 50ms
              retry_max: 100ms
            """
                .formatted(receiver.url("/hook"), other + "/busy", other + "/bad"));
  }

  @AfterEach
  void stop() {
    if (serving != null) serving.close();
    receiver.close();
    refusing.stop(0);
  }

  @Test
  void alertingMetrics_startAtZero_andMove_whenARunFailsAndItsNotificationsGoOut()
      throws Exception {
    String api = "http://127.0.0.1:" + serving.api.port();

    String before = http.getOk(api + "/metrics");
    TestHttp.Started started =
        http.start(
            api,
            "{\"title\":\"Metered\",\"category\":\"fiction\",\"brief\":\"A short one.\","
                + "\"chapters\":1}");
    http.awaitSettled(api, started.run());
    String after =
        awaitMetrics(
            api,
            t ->
                t.contains(firing("RunFailed", "warning", 1))
                    && value(t, notifications("webhook-1", "delivered")) >= 1
                    && value(t, notifications("webhook-2", "failed")) >= 1
                    && value(t, notifications("webhook-3", "given_up")) >= 1);

    for (var rule : BuiltInRules.defaults())
      assertThat(before).contains(firing(rule.name(), rule.severity().id(), 0));
    for (String notifier : new String[] {"webhook-1", "webhook-2", "webhook-3"})
      for (String outcome : new String[] {"delivered", "failed", "given_up"})
        assertThat(before).contains(notifications(notifier, outcome) + " 0.0");
    assertThat(before).contains("book_creator_notification_outbox_depth 0.0");
    assertThat(value(after, notifications("webhook-1", "failed"))).isZero();
    assertThat(value(after, notifications("webhook-3", "delivered"))).isZero();
    assertThat(value(after, "book_creator_notification_outbox_depth"))
        .as("the busy receiver's notifications wait in the outbox for their next attempt")
        .isGreaterThanOrEqualTo(1);
    assertThat(receiver.at("/hook")).isNotEmpty();
  }

  private static String firing(String alertname, String severity, int alerts) {
    return "book_creator_alerts_firing{alertname=\""
        + alertname
        + "\",severity=\""
        + severity
        + "\"} "
        + alerts
        + ".0";
  }

  private static String notifications(String notifier, String outcome) {
    return "book_creator_notifications_total{notifier=\""
        + notifier
        + "\",outcome=\""
        + outcome
        + "\"}";
  }

  /** The value of the series that starts with {@code series}; -1 when there is none. */
  private static double value(String exposition, String series) {
    return exposition
        .lines()
        .filter(l -> l.startsWith(series + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(-1);
  }

  private String awaitMetrics(String api, Predicate<String> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      String text = http.getOk(api + "/metrics");
      if (done.test(text)) return text;
      if (System.nanoTime() > deadline)
        throw new AssertionError("the alerting metrics did not move within 30 s:\n" + text);
      Thread.sleep(100);
    }
  }
}
