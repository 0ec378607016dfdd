package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A real Prometheus (Debian's package) with deploy/prometheus's configuration and rules, on
 * 127.0.0.1 and a free port, scraping every metrics endpoint of a serve started in this JVM, whose
 * simulated provider fails every call. The process offers one target, Prometheus finds no series
 * twice, every rule and every dashboard query runs on the real series without error, and a run
 * against the failing provider fires ProviderDown. Everything started here is stopped at the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusServeTest {
  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private ServeCommand.Serving serving;
  private Process prometheus;
  private String prometheusUrl;
  private final List<String> targets = new ArrayList<>();
  private String runId;

  /**
   * Metrics that dashboards query but this test cannot produce, each with the reason: their queries
   * may return nothing here. Any other metric a query names must exist, and the query return data.
   */
  private static final Map<String, String> NO_DATA_HERE =
      Map.of(
          "book_creator_cost_usd_total", "every model call fails, so nothing is spent",
          "book_creator_unpriced_calls_total", "the simulated models are priced",
          "gen_ai_client_token_usage_sum", "a failed model call uses no tokens",
          "book_creator_stage_iterations_bucket", "no run reaches a critique loop",
          "book_creator_stage_iterations_sum", "no run reaches a critique loop",
          "book_creator_stage_iterations_count", "no run reaches a critique loop",
          "book_creator_stage_duration_seconds_sum", "no stage completes (only selected so)",
          "ALERTS", "no alert may be firing yet");

  @BeforeAll
  void start() throws Exception {
    ExternalTool binary = ExternalTool.require("prometheus", "prometheus");
    Map<Setting<?>, String> flags = TestHttp.serveFlags(dir.resolve("data"));
    // Asked for explicitly, as an operator following the old docs would: it must not add a second
    // endpoint over the same registry.
    flags.put(Setting.WORKER_PORT, "0");
    flags.put(Setting.SIM_SERVER_ERROR_RATE, "1");
    flags.put(Setting.MAX_ATTEMPTS, "6");
    flags.put(Setting.BACKOFF_BASE, "10ms");
    flags.put(Setting.BACKOFF_MAX, "50ms");
    serving = startServe(flags);
    targets.add("127.0.0.1:" + serving.api.port());
    if (serving.workerMetrics != null) targets.add("127.0.0.1:" + serving.workerMetrics.port());

    int port = freePort();
    prometheusUrl = "http://127.0.0.1:" + port;
    prometheus = startPrometheus(binary, dir, targets, port);
  }

  /**
   * Starts serve in this JVM with {@code flags} and a notifier, so that the notification counters
   * have series (its deliveries fail: nothing listens).
   */
  static ServeCommand.Serving startServe(Map<Setting<?>, String> flags) throws Exception {
    flags.put(Setting.NOTIFY_WEBHOOKS, "http://127.0.0.1:1/hook");
    Settings settings = Settings.load(null, Map.of(), flags);
    ServeCommand.Serving started =
        ServeCommand.Serving.start(
            settings, Observability.start(settings, Observability.Mode.FOREGROUND));
    // jvm.gc.duration has no series before a collection the metrics saw; serve runs in this JVM,
    // so have one now that its listener is registered (Prometheus scrapes after it).
    System.gc();
    return started;
  }

  /**
   * Starts Prometheus on 127.0.0.1:{@code port} with {@link #prometheusConfig}, its storage and log
   * in {@code dir}, and waits until it is ready.
   */
  static Process startPrometheus(ExternalTool binary, Path dir, List<String> targets, int port)
      throws Exception {
    Path log = dir.resolve("prometheus.log");
    Process started =
        new ProcessBuilder(
                binary.path().toString(),
                "--config.file=" + prometheusConfig(dir, targets),
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                // as the compose stack and stack.sh start it
                "--enable-feature=exemplar-storage",
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    await(
        "Prometheus ready (" + log + ")",
        () -> status("http://127.0.0.1:" + port + "/-/ready") == 200,
        ok -> ok);
    return started;
  }

  @AfterAll
  void stop() throws Exception {
    stop(prometheus, serving);
  }

  /** Stops {@code prometheus}, then {@code serving}, either of which may not have started. */
  static void stop(Process prometheus, ServeCommand.Serving serving) throws Exception {
    try {
      if (prometheus != null) {
        prometheus.destroy();
        if (!prometheus.waitFor(20, TimeUnit.SECONDS)) prometheus.destroyForcibly().waitFor();
      }
    } finally {
      if (serving != null) serving.close();
    }
  }

  /**
   * deploy/prometheus/prometheus.yml with this test's targets and the repository's rule files,
   * scraping and evaluating every second, without an Alertmanager.
   */
  @SuppressWarnings("unchecked")
  static Path prometheusConfig(Path dir, List<String> targets) throws IOException {
    Path shipped = DeployConfigTest.DEPLOY.resolve("prometheus/prometheus.yml");
    Map<String, Object> config = YAML.readValue(shipped.toFile(), LinkedHashMap.class);
    Map<String, Object> global = (Map<String, Object>) config.get("global");
    global.put("scrape_interval", "1s");
    global.put("evaluation_interval", "1s");
    config.put(
        "rule_files",
        List.of(
            DeployConfigTest.DEPLOY.resolve("prometheus/rules").toAbsolutePath().normalize()
                + "/*.yml"));
    config.remove("alerting");
    List<Map<String, Object>> jobs = (List<Map<String, Object>>) config.get("scrape_configs");
    Map<String, Object> job =
        jobs.stream()
            .filter(j -> "book-creator".equals(j.get("job_name")))
            .findFirst()
            .orElseThrow();
    // The compose stack finds its processes by DNS; this test names its one serve.
    job.remove("dns_sd_configs");
    job.remove("relabel_configs");
    job.put("static_configs", List.of(Map.of("targets", targets, "labels", Map.of("role", "all"))));
    config.put("scrape_configs", List.of(job));
    Path file = dir.resolve("prometheus.yml");
    Files.writeString(file, YAML.writeValueAsString(config));
    return file;
  }

  @Test
  void theServeProcess_offersOneTarget_andPrometheusFindsNoSeriesTwice() throws Exception {
    JsonNode active =
        await(
            "every target scraped and up",
            () -> get("/api/v1/targets").path("data").path("activeTargets"),
            t -> !t.isEmpty() && allUp(t));
    JsonNode ours =
        query("count({job=\"book-creator\", __name__=~\"book_creator_.+|gen_ai_.+|jvm_.+\"})");
    // Prometheus' own series per target (up, scrape_*) differ by instance anyway.
    JsonNode twice =
        query(
            "count without (instance) (label_replace({job=\"book-creator\","
                + " __name__!~\"up|scrape_.+\"}, \"name\", \"$1\", \"__name__\", \"(.+)\")) > 1");

    assertThat(twice).as("series scraped from more than one target").isEmpty();
    assertThat(targets).as("metrics endpoints of one all-in-one serve").hasSize(1);
    assertThat(active).hasSize(1);
    assertThat(ours.get(0).path("value").get(1).asString()).isNotEqualTo("0");
  }

  @Test
  void everyRule_evaluatesWithoutError_onTheRealSeries() throws Exception {
    long rulesInFile =
        DeployConfigTest.alertRules().size()
            + YAML.readTree(DeployConfigTest.RULES.toFile()).findValues("record").size();

    JsonNode rules =
        await("every rule evaluated", () -> rules(), r -> r.size() == rulesInFile && evaluated(r));

    List<String> unhealthy = new ArrayList<>();
    for (JsonNode rule : rules) {
      if (!rule.path("health").asString().equals("ok"))
        unhealthy.add(rule.path("name").asString() + ": " + rule.path("lastError").asString());
    }
    assertThat(unhealthy).isEmpty();
  }

  @Test
  void aProviderFailingEveryCall_firesProviderDown() throws Exception {
    startARunAgainstTheFailingProvider();

    JsonNode alerts =
        await(
            "ProviderDown firing",
            () -> get("/api/v1/alerts").path("data").path("alerts"),
            a -> firing(a, "ProviderDown"));

    JsonNode down = null;
    for (JsonNode a : alerts)
      if (a.path("labels").path("alertname").asString().equals("ProviderDown")) down = a;
    assertThat(down.path("labels").path("provider").asString()).isEqualTo("simulated");
    assertThat(down.path("labels").path("severity").asString()).isEqualTo("critical");
    assertThat(down.path("annotations").path("runbook_url").asString())
        .isEqualTo("docs/runbooks/provider-errors.md");
  }

  @Test
  void everyDashboardQuery_runsOnTheRealSeries_andReturnsASeriesWhereverItsMetricsExistHere()
      throws Exception {
    startARunAgainstTheFailingProvider();
    List<String> queries = DeployConfigTest.dashboardQueries();

    // Each query asserts that Prometheus accepted and ran it.
    Map<String, String> empty =
        await("a series from every dashboard query", () -> emptyQueries(queries), Map::isEmpty);

    assertThat(queries).hasSizeGreaterThanOrEqualTo(70);
    assertThat(empty).isEmpty();
  }

  /**
   * Public dashboards written for OpenTelemetry's conventions, by their own queries
   * (public-dashboard-queries.yml): those docs/observability.md says work return data (a JVM
   * dashboard's CPU, GC, class and thread panels among them), those it says do not return nothing.
   */
  @Test
  void publicDashboardQueries_returnDataExactlyWhereDocsObservabilitySaysTheyWork()
      throws Exception {
    startARunAgainstTheFailingProvider();
    JsonNode dashboards;
    try (var in = getClass().getResourceAsStream("public-dashboard-queries.yml")) {
      dashboards = YAML.readTree(in).path("dashboards");
    }
    List<String> working = new ArrayList<>();
    List<String> broken = new ArrayList<>();
    List<String> panels = new ArrayList<>();
    for (JsonNode dashboard : dashboards) {
      for (JsonNode q : dashboard.path("queries")) {
        String expr = q.path("expr").asString();
        if (q.path("expect").asString().equals("data")) {
          working.add(expr);
          panels.add(q.path("panel").asString());
        } else broken.add(expr);
      }
    }

    Map<String, String> empty =
        await(
            "a series from every public query said to work",
            () -> emptyQueries(working),
            Map::isEmpty);
    List<String> answered = new ArrayList<>();
    for (String expr : broken) if (!query(expr).isEmpty()) answered.add(expr);
    String docs = Files.readString(DeployConfigTest.ROOT.resolve("docs/observability.md"));

    assertThat(empty).isEmpty();
    assertThat(answered).as("queries docs/observability.md says return nothing").isEmpty();
    assertThat(panels)
        .as("a JVM dashboard's CPU, GC, class and thread panels")
        .contains("CPU time", "GC pause p95", "Classes loaded", "Threads by state");
    for (JsonNode dashboard : dashboards)
      assertThat(docs)
          .as("docs/observability.md names it")
          .contains(dashboard.path("name").asString());
  }

  /**
   * Prometheus keeps the exemplars of serve's OpenMetrics: a model call's duration and an agent
   * task's outcome point at the trace of the run they belong to, which Grafana's Prometheus
   * datasource links to Jaeger by the trace_id label (deploy/grafana/provisioning/datasources).
   */
  @Test
  void exemplars_ofModelCallsAndTasks_carryTheTraceIdOfTheirRun() throws Exception {
    startARunAgainstTheFailingProvider();
    String traceId = org.bookcreator.telemetry.Telemetry.traceIdFor(runId);

    for (String metric :
        List.of(
            "gen_ai_client_operation_duration_seconds_bucket", "book_creator_agent_tasks_total")) {
      JsonNode series =
          await(
              "exemplars of " + metric,
              () ->
                  get("/api/v1/query_exemplars?query="
                          + URLEncoder.encode(metric, StandardCharsets.UTF_8)
                          + "&start="
                          + (System.currentTimeMillis() / 1000 - 600)
                          + "&end="
                          + (System.currentTimeMillis() / 1000 + 60))
                      .path("data"),
              d -> !d.isEmpty());
      List<String> traces = new ArrayList<>();
      for (JsonNode s : series)
        for (JsonNode e : s.path("exemplars"))
          traces.add(e.path("labels").path("trace_id").asString());

      assertThat(traces).as(metric).isNotEmpty().allMatch(t -> t.matches("[0-9a-f]{32}"));
      assertThat(traces).as(metric + ": the run's trace").contains(traceId);
    }
  }

  @Test
  void everyDashboardVariable_listsValues_andInstanceListsTheServeTarget() throws Exception {
    List<String> variables = DeployConfigTest.variableQueries();

    Map<String, String> empty =
        await(
            "values for every dashboard variable",
            () -> {
              Map<String, String> none = new LinkedHashMap<>();
              for (String q : variables) if (query(q).isEmpty()) none.put(q, "no values");
              return none;
            },
            Map::isEmpty);
    JsonNode instances =
        query(
            "count by (instance) (target_info{job=\"book-creator\","
                + " service_name=\"book-creator\"})");

    assertThat(variables).anyMatch(q -> q.startsWith("count by (instance) (target_info{"));
    assertThat(empty).isEmpty();
    assertThat(instances).hasSize(1);
    assertThat(instances.get(0).path("metric").path("instance").asString())
        .isEqualTo(targets.get(0));
  }

  @Test
  void targetInfo_namesTheService_itsVersionAndThisProcess() throws Exception {
    JsonNode info =
        await(
            "target_info scraped",
            () -> query("target_info{job=\"book-creator\"}"),
            r -> !r.isEmpty());

    JsonNode labels = info.get(0).path("metric");
    assertThat(info).hasSize(1);
    assertThat(labels.path("service_name").asString()).isEqualTo("book-creator");
    assertThat(labels.path("service_version").asString()).isNotBlank();
    assertThat(labels.path("service_instance_id").asString())
        .as("the instance of every log line of this process")
        .isEqualTo(org.bookcreator.telemetry.Instance.id())
        .endsWith("-" + ProcessHandle.current().pid());
  }

  /**
   * The queries that returned no series, each with why, less those whose empty selectors all select
   * a metric this test cannot produce ({@link #NO_DATA_HERE}).
   */
  private Map<String, String> emptyQueries(List<String> queries) throws Exception {
    Map<String, String> empty = new LinkedHashMap<>();
    for (String q : queries) {
      if (!query(q).isEmpty()) continue;
      List<String> emptySelectors = new ArrayList<>();
      for (String selector : DeployConfigTest.selectors(q))
        if (query("count(" + selector + ")").isEmpty()) emptySelectors.add(selector);
      boolean explained =
          !emptySelectors.isEmpty()
              && emptySelectors.stream()
                  .allMatch(sel -> NO_DATA_HERE.containsKey(sel.replaceAll("\\{.*", "")));
      if (!explained)
        empty.put(
            q, emptySelectors.isEmpty() ? "no series" : "nothing selected by " + emptySelectors);
    }
    return empty;
  }

  /**
   * Creates a project and starts its run once, after the provider errors counter was scraped at
   * zero, so that the calls that fail between two scrapes are an increase.
   */
  private synchronized void startARunAgainstTheFailingProvider() throws Exception {
    if (runId != null) return;
    await(
        "the provider errors counter scraped at zero",
        () -> query("book_creator_provider_errors_total{provider=\"simulated\"}"),
        r -> !r.isEmpty());
    String api = "http://127.0.0.1:" + serving.api.port();
    String project =
        Json.parse(
                new TestHttp()
                    .post(
                        api + "/api/projects",
                        "{\"title\":\"Into the Outage\",\"category\":\"technical\",\"brief\":\"A"
                            + " provider that is down.\",\"chapters\":1}"))
            .get("id")
            .asString();
    runId =
        Json.parse(new TestHttp().post(api + "/api/projects/" + project + "/runs", "{}"))
            .get("id")
            .asString();
  }

  static boolean allUp(JsonNode targets) {
    for (JsonNode t : targets) if (!t.path("health").asString().equals("up")) return false;
    return true;
  }

  private static boolean evaluated(JsonNode rules) {
    for (JsonNode r : rules)
      if (r.path("lastEvaluation").asString("").startsWith("0001-")) return false;
    return true;
  }

  private static boolean firing(JsonNode alerts, String name) {
    for (JsonNode a : alerts) {
      if (a.path("labels").path("alertname").asString().equals(name)
          && a.path("state").asString().equals("firing")) return true;
    }
    return false;
  }

  private JsonNode rules() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode group : get("/api/v1/rules").path("data").path("groups"))
      for (JsonNode rule : group.path("rules")) out.add(rule);
    return Json.parse(Json.write(out));
  }

  private JsonNode query(String promql) throws Exception {
    JsonNode r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    assertThat(r.path("status").asString()).as(promql + ": " + r).isEqualTo("success");
    return r.path("data").path("result");
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(prometheusUrl + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return Json.parse(r.body());
  }

  private static int status(String url) {
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client
          .send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  interface Probe<T> {
    T get() throws Exception;
  }

  /** Polls {@code probe} until {@code done} accepts its value; fails after {@link #PATIENCE}. */
  static <T> T await(String what, Probe<T> probe, Predicate<T> done) throws Exception {
    return await(what, PATIENCE, probe, done);
  }

  /** Polls {@code probe} until {@code done} accepts its value; fails after {@code patience}. */
  static <T> T await(String what, Duration patience, Probe<T> probe, Predicate<T> done)
      throws Exception {
    long deadline = System.nanoTime() + patience.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = probe.get();
      if (done.test(last)) return last;
      Thread.sleep(200);
    }
    throw new AssertionError("waited " + patience + " for " + what + "; last: " + last);
  }

  /** A free port on 127.0.0.1, for a server this test starts there. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
