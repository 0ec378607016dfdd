package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Book Creator and a real Alertmanager (Debian's {@code prometheus-alertmanager}), both ways. A run
 * against a failing provider fires RunFailed; Book Creator posts it to Alertmanager, which lists it
 * and forwards it to a webhook receiver of the test and, through the documented configuration
 * (examples/alertmanager/alertmanager.yml), to Book Creator's {@code /api/alertmanager}, whose
 * webhook notifier hands it on to the receiver. Cancelling the run resolves it all the same ways.
 *
 * <p>Skipped when the binary is absent, unless {@code CI=true}: then it fails (.ci/run installs
 * it).
 */
class RealAlertmanagerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final HttpClient client = HttpClient.newHttpClient();
  private final TestHttp http = new TestHttp();
  private RealAlertmanager alertmanager;
  private ServeCommand.Serving serving;
  private TestReceiver receiver;

  @BeforeEach
  void requireAlertmanager() {
    RealAlertmanager.require();
    receiver = new TestReceiver();
  }

  @AfterEach
  void stop() throws Exception {
    if (serving != null) serving.close();
    if (alertmanager != null) alertmanager.close();
    if (receiver != null) receiver.close();
  }

  @Test
  void aFiringAlert_reachesAlertmanager_comesBackThroughBookCreator_andResolvesBothWays()
      throws Exception {
    int amPort = RealAlertmanager.freePort();
    String am = "http://127.0.0.1:" + amPort;
    serving = serve(am);
    String api = "http://127.0.0.1:" + serving.api.port();
    alertmanager = RealAlertmanager.start(dir, amPort, api, receiver.url("/am"));

    TestHttp.Started started =
        http.start(
            api,
            "{\"title\":\"Broken"
                + " Lights\",\"category\":\"fiction\",\"brief\":\"b\",\"chapters\":1}");
    String project = started.project();
    String run = started.run();
    assertThat(http.awaitSettled(api, run).get("state").asString()).isEqualTo("failed");

    JsonNode listed = awaitAlertmanagerListing(am, run);
    JsonNode later = awaitEndsAtAfter(am, run, listed.get("endsAt").asString());
    JsonNode direct = receiver.await("/am", b -> has(b, "firing", run), WAIT).body();
    JsonNode back = receiver.await("/hook", b -> fromAlertmanager(b, "firing", run), WAIT).body();

    assertThat(listed.get("labels").get("severity").asString()).isEqualTo("warning");
    assertThat(listed.get("labels").get("project_id").asString()).isEqualTo(project);
    assertThat(listed.get("annotations").get("runbook_url").asString())
        .isEqualTo("docs/runbooks/run-failed.md");
    assertThat(listed.get("annotations").get("summary").asString()).contains("Broken Lights");
    assertThat(listed.get("status").get("state").asString()).isEqualTo("active");
    assertThat(Instant.parse(later.get("endsAt").asString()))
        .as("re-posted while it fires, as Prometheus does, each post holding it 4 resends")
        .isAfter(Instant.parse(listed.get("endsAt").asString()));
    assertThat(direct.get("version").asString()).isEqualTo("4");
    assertThat(back.get("alerts").get(0).get("labels").get("run_id").asString()).isEqualTo(run);

    http.post(api + "/api/runs/" + run + "/cancel", "{\"reason\":\"given up\"}", 200);

    receiver.await("/am", b -> has(b, "resolved", run), WAIT);
    receiver.await("/hook", b -> fromAlertmanager(b, "resolved", run), WAIT);
    assertThat(runFailedListed(am, run)).as("resolved in Alertmanager").isEmpty();
    assertThat(
            receiver.at("/hook").stream()
                .filter(r -> fromAlertmanager(r.body(), "firing", run))
                .count())
        .as("each delivery of Alertmanager's is notified once")
        .isEqualTo(1);
  }

  /** serve with the simulated provider failing every call, Alertmanager and a webhook notifier. */
  private ServeCommand.Serving serve(String alertmanagerUrl) throws Exception {
    return FailingProvider.serve(
        dir,
        """
        alerts:
          interval: 1s
          group_wait: 0s
          group_interval: 1s
        notify:
          webhooks: %s
          retry_base: 100ms
          retry_max: 500ms
          alertmanager:
            urls: %s
            resend: 1s
        """
            .formatted(receiver.url("/hook"), alertmanagerUrl));
  }

  private HttpResponse<String> get(String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<JsonNode> runFailedListed(String am, String run) throws Exception {
    HttpResponse<String> r = get(am + "/api/v2/alerts");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<JsonNode> out = new java.util.ArrayList<>();
    for (JsonNode a : Json.parse(r.body())) {
      JsonNode labels = a.get("labels");
      if (labels.get("alertname").asString().equals("RunFailed")
          && labels.has("run_id")
          && labels.get("run_id").asString().equals(run)) out.add(a);
    }
    return out;
  }

  private JsonNode awaitAlertmanagerListing(String am, String run) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      List<JsonNode> listed = runFailedListed(am, run);
      if (!listed.isEmpty()) return listed.get(0);
      if (System.nanoTime() > deadline)
        throw new AssertionError("Alertmanager never listed RunFailed of " + run);
      Thread.sleep(100);
    }
  }

  /** RunFailed of {@code run} as Alertmanager lists it once its {@code endsAt} moved past. */
  private JsonNode awaitEndsAtAfter(String am, String run, String endsAt) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      for (JsonNode a : runFailedListed(am, run)) {
        if (Instant.parse(a.get("endsAt").asString()).isAfter(Instant.parse(endsAt))) return a;
      }
      if (System.nanoTime() > deadline)
        throw new AssertionError("RunFailed of " + run + " was never posted again");
      Thread.sleep(100);
    }
  }

  /** An Alertmanager webhook payload with RunFailed of {@code run} in {@code status}. */
  private static boolean has(JsonNode payload, String status, String run) {
    for (JsonNode a : payload.path("alerts")) {
      if (a.path("status").asString("").equals(status)
          && a.path("labels").path("alertname").asString("").equals("RunFailed")
          && a.path("labels").path("run_id").asString("").equals(run)) return true;
    }
    return false;
  }

  /**
   * A notification of Book Creator's webhook about RunFailed of {@code run} in {@code status} that
   * came through Alertmanager: its group key is Alertmanager's, and its labels carry severity.
   */
  private static boolean fromAlertmanager(JsonNode doc, String status, String run) {
    if (!doc.path("status").asString("").equals(status)) return false;
    if (!doc.path("group_key").asString("").startsWith("{}:")) return false;
    for (JsonNode a : doc.path("alerts")) {
      if (a.path("name").asString("").equals("RunFailed")
          && a.path("labels").path("run_id").asString("").equals(run)
          && a.path("labels").has("severity")) return true;
    }
    return false;
  }
}
