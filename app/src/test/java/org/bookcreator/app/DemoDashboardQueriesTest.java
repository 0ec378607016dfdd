package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Issue 15's done-when: a real Prometheus scraping a serve that writes a few books to completion
 * against a simulated provider with faults, as {@code demo} runs it (rate limits, schema
 * violations, malformed answers, server errors) and its critic on an unpriced model, and every
 * panel query of every dashboard returns at least one series over the range the books were written
 * in, with no exemption. The rate limits are frequent enough to fire ProviderRateLimited (no {@code
 * for}), so the alert panels have a firing alert to show.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoDashboardQueriesTest {
  private static final int BOOKS = 3;

  @TempDir static Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private ServeCommand.Serving serving;
  private Process prometheus;
  private String prometheusUrl;
  private long startedAt;

  @BeforeAll
  void start() throws Exception {
    ExternalTool binary = ExternalTool.require("prometheus", "prometheus");
    Map<Setting<?>, String> flags = TestHttp.serveFlags(dir.resolve("data"));
    // demo's faults, rate limits and schema violations more often than demo's 2% so that a few
    // short books meet ProviderRateLimited's 10 rate limits and every error kind has a series.
    flags.put(Setting.SIM_TIMEOUT_RATE, "0.01");
    flags.put(Setting.SIM_RATE_LIMIT_RATE, "0.15");
    flags.put(Setting.SIM_SERVER_ERROR_RATE, "0.03");
    flags.put(Setting.SIM_MALFORMED_RATE, "0.03");
    flags.put(Setting.SIM_SCHEMA_RATE, "0.05");
    flags.put(Setting.SIM_RETRY_AFTER, "10ms");
    flags.put(Setting.SIM_LATENCY, "5ms");
    flags.put(Setting.SIM_WORDS, "100");
    flags.put(Setting.MAX_ATTEMPTS, "8");
    flags.put(Setting.BACKOFF_BASE, "10ms");
    flags.put(Setting.BACKOFF_MAX, "50ms");
    // The critic on a model the price list does not know, so the unpriced calls panel has data
    // (the other roles keep the simulated provider's priced default, so costs exist too).
    flags.put(Setting.MODEL_CRITIC, "sim-unlisted");
    serving = PrometheusServeTest.startServe(flags);
    List<String> targets = List.of("127.0.0.1:" + serving.api.port());
    int port = PrometheusServeTest.freePort();
    prometheusUrl = "http://127.0.0.1:" + port;
    startedAt = System.currentTimeMillis() / 1000;
    prometheus = PrometheusServeTest.startPrometheus(binary, dir, targets, port);
  }

  @AfterAll
  void stop() throws Exception {
    PrometheusServeTest.stop(prometheus, serving);
  }

  @Test
  void everyPanelQuery_returnsASeries_overTheRangeOfAFewDemoBooks() throws Exception {
    // Counters scraped at zero first, so the faults of the books are an increase.
    PrometheusServeTest.await(
        "the provider errors counter scraped",
        () -> query("book_creator_provider_errors_total"),
        r -> !r.isEmpty());
    List<String> runs = writeBooks();
    List<String> queries = DeployConfigTest.dashboardQueries();

    Map<String, String> empty =
        PrometheusServeTest.await(
            "a series from every dashboard query",
            Duration.ofSeconds(40),
            () -> emptyQueries(queries),
            Map::isEmpty);

    assertThat(runs).hasSize(BOOKS).allMatch("completed"::equals);
    assertThat(queries).hasSizeGreaterThanOrEqualTo(70);
    assertThat(empty).isEmpty();
    assertThat(query("ALERTS{alertname=\"ProviderRateLimited\", alertstate=\"firing\"}"))
        .as("the alert the alert panels show")
        .isNotEmpty();
  }

  /** Creates {@link #BOOKS} projects, runs them at once, and returns their final states. */
  private List<String> writeBooks() throws Exception {
    String api = "http://127.0.0.1:" + serving.api.port();
    TestHttp client = new TestHttp();
    List<String> ids = new ArrayList<>();
    String[] categories = {"technical", "fiction", "technical"};
    for (int i = 0; i < BOOKS; i++) {
      String project =
          Json.parse(
                  client.post(
                      api + "/api/projects",
                      "{\"title\":\"Demo "
                          + i
                          + "\",\"category\":\""
                          + categories[i]
                          + "\",\"brief\":\"A short book under moderate faults.\","
                          + "\"chapters\":2}"))
              .get("id")
              .asString();
      ids.add(
          Json.parse(client.post(api + "/api/projects/" + project + "/runs", "{}"))
              .get("id")
              .asString());
    }
    List<String> states = new ArrayList<>();
    for (String id : ids) {
      JsonNode run =
          PrometheusServeTest.await(
              "run " + id + " ended",
              () -> Json.parse(client.get(api + "/api/runs/" + id)),
              r -> !List.of("queued", "running").contains(r.get("state").asString()));
      states.add(run.get("state").asString());
    }
    return states;
  }

  /**
   * The queries that returned no series over the range since Prometheus started, each with the
   * selectors of it that selected nothing.
   */
  private Map<String, String> emptyQueries(List<String> queries) throws Exception {
    Map<String, String> empty = new LinkedHashMap<>();
    for (String q : queries) {
      if (!queryRange(q).isEmpty()) continue;
      List<String> emptySelectors = new ArrayList<>();
      for (String selector : DeployConfigTest.selectors(q))
        if (queryRange("count(" + selector + ")").isEmpty()) emptySelectors.add(selector);
      empty.put(
          q, emptySelectors.isEmpty() ? "no series" : "nothing selected by " + emptySelectors);
    }
    return empty;
  }

  private JsonNode queryRange(String promql) throws Exception {
    long now = System.currentTimeMillis() / 1000;
    return result(
        promql,
        "/api/v1/query_range?query="
            + URLEncoder.encode(promql, StandardCharsets.UTF_8)
            + "&start="
            + startedAt
            + "&end="
            + (now + 1)
            + "&step=1");
  }

  private JsonNode query(String promql) throws Exception {
    return result(
        promql, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  private JsonNode result(String promql, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(prometheusUrl + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = Json.parse(r.body());
    assertThat(body.path("status").asString()).as(promql + ": " + body).isEqualTo("success");
    return body.path("data").path("result");
  }
}
