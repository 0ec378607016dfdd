package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.store.FileDamage;
import org.bookcreator.core.store.StoreContractTest;
import org.bookcreator.core.support.Ids;
import org.bookcreator.core.support.Json;
import org.bookcreator.store.sqlite.SqliteStore;
import org.bookcreator.telemetry.Telemetry;
import org.bookcreator.telemetry.sdk.TelemetrySdk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The API over a real socket, a real SQLite store and the whole pipeline with the simulated
 * provider; requests go through java.net.http like any client's.
 */
class ApiServerTest {
  @TempDir Path dir;
  private TestServer t;
  private SqliteStore store;
  private TelemetrySdk telemetry;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String base;

  @BeforeEach
  void start() {
    startServer(Optional.empty());
  }

  private void startServer(Optional<String> token) {
    t = new TestServer(dir, token, 64 * 1024);
    store = t.store;
    telemetry = t.telemetry;
    base = t.base;
  }

  @AfterEach
  void stop() {
    t.close();
  }

  private HttpResponse<String> send(String method, String path, String contentType, byte[] body)
      throws Exception {
    return t.send(method, path, contentType, body);
  }

  private HttpResponse<String> postJson(String path, String json) throws Exception {
    return send("POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null, null);
  }

  private static JsonNode json(HttpResponse<String> r) {
    return Json.parse(r.body());
  }

  private String aProject() throws Exception {
    return t.aProject();
  }

  private HttpResponse<String> getWith(String path, String header, String value) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).header(header, value).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void createProject_answers201_withLocation_andARequestId() throws Exception {
    var r =
        postJson(
            "/api/projects",
            "{\"title\":\"Lights\",\"category\":\"fiction\",\"brief\":\"About"
                + " lighthouses.\",\"chapters\":3}");

    assertThat(r.statusCode()).isEqualTo(201);
    String id = json(r).get("id").asString();
    assertThat(r.headers().firstValue("Location")).contains("/api/projects/" + id);
    assertThat(r.headers().firstValue("X-Request-Id"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
    assertThat(store.project(id)).hasValueSatisfying(p -> assertThat(p.chapters()).isEqualTo(3));
  }

  @Test
  void createProject_withYaml_isAccepted() throws Exception {
    var r =
        send(
            "POST",
            "/api/projects",
            "application/yaml",
            "title: Yaml Book\ncategory: technical\nbrief: How to measure.\nchapters: 1\n"
                .getBytes(StandardCharsets.UTF_8));

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(json(r).get("category").asString()).isEqualTo("technical");
  }

  @Test
  void invalidBrief_is400_namingEachField() throws Exception {
    var r =
        postJson(
            "/api/projects",
            "{\"title\":\"\",\"category\":\"poetry-slam\",\"brief\":\"x\",\"chapters\":0,\"colour\":1}");

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = json(r);
    assertThat(body.get("error").asString()).isEqualTo("invalid_request");
    assertThat(body.get("details").findValuesAsString("field"))
        .contains("title", "category", "chapters");
    assertThat(body.get("message").asString()).contains("colour");
    assertThat(store.projects()).isEmpty();
  }

  @Test
  void aBidiOverrideInTheTitle_is400_namingFieldAndCharacter() throws Exception {
    var r =
        postJson(
            "/api/projects",
            "{\"title\":\"Annual"
                + " \\u202Etroper\",\"category\":\"business\",\"brief\":\"b\",\"chapters\":1}");

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode detail = json(r).get("details").get(0);
    assertThat(detail.get("field").asString()).isEqualTo("title");
    assertThat(detail.get("problem").asString())
        .contains("one line of visible text")
        .contains("U+202E RIGHT-TO-LEFT OVERRIDE");
    assertThat(r.body()).doesNotContain("\u202E");
    assertThat(store.projects()).isEmpty();
  }

  @Test
  void aYamlBriefOfTwoDocuments_is400_sayingSo() throws Exception {
    var r =
        send(
            "POST",
            "/api/projects",
            "application/yaml",
            "title: T\ncategory: fiction\nbrief: B\nchapters: 1\n---\ntitle: U\n"
                .getBytes(StandardCharsets.UTF_8));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("message").asString())
        .contains("the brief holds 2 YAML documents; a brief is one document");
  }

  @Test
  void briefWithReferencePaths_isRefused_withTheUploadEndpointNamed() throws Exception {
    var r =
        postJson(
            "/api/projects",
            "{\"title\":\"T\",\"category\":\"fiction\",\"brief\":\"b\",\"chapters\":1,\"references\":[\"/etc/passwd\"]}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("details").get(0).get("field").asString()).isEqualTo("references");
  }

  @Test
  void wrongContentType_is415_andOversizeBody_is413() throws Exception {
    var text =
        send("POST", "/api/projects", "text/plain", "title: x".getBytes(StandardCharsets.UTF_8));
    var huge = postJson("/api/projects", "{\"brief\":\"" + "x".repeat(70 * 1024) + "\"}");

    assertThat(text.statusCode()).isEqualTo(415);
    assertThat(json(text).get("error").asString()).isEqualTo("unsupported_media_type");
    assertThat(huge.statusCode()).isEqualTo(413);
    assertThat(json(huge).get("error").asString()).isEqualTo("payload_too_large");
  }

  @Test
  void unknownPaths_are404_andWrongMethods_are405_inTheOneErrorShape() throws Exception {
    var missing = get("/api/nothing/here");
    var project = get("/api/projects/prj_missing");
    var method = send("DELETE", "/api/projects", null, null);

    for (var r : List.of(missing, project, method)) {
      assertThat(json(r).has("error")).isTrue();
      assertThat(json(r).has("message")).isTrue();
      assertThat(json(r).get("details").isArray()).isTrue();
    }
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(project.statusCode()).isEqualTo(404);
    assertThat(method.statusCode()).isEqualTo(405);
    assertThat(method.headers().firstValue("Allow")).contains("GET, POST, HEAD");
  }

  @Test
  void head_answersAsGetWould_withoutABody() throws Exception {
    String list = t.raw("HEAD /api/projects HTTP/1.1\r\nHost: x\r\n\r\n");
    String missing = t.raw("HEAD /api/projects/prj_missing HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(list).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n");
    assertThat(missing).startsWith("HTTP/1.1 404 ").endsWith("\r\n\r\n");
  }

  @Test
  void requestsJettyRefusesItself_getTheOneErrorShape_andARequestId_neverA5xx() throws Exception {
    String badEncoding = t.raw("GET /api/projects/%zz HTTP/1.1\r\nHost: x\r\n\r\n");
    String nul = t.raw("GET /api/projects/%00 HTTP/1.1\r\nHost: x\r\n\r\n");
    String hugeHeader =
        t.raw("GET /api/projects HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(20_000) + "\r\n\r\n");
    String badLength =
        t.raw("POST /api/projects HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}");

    assertThat(badEncoding).startsWith("HTTP/1.1 400 ");
    assertThat(nul).startsWith("HTTP/1.1 400 ");
    assertThat(hugeHeader).startsWith("HTTP/1.1 431 ");
    assertThat(badLength).startsWith("HTTP/1.1 400 ");
    for (String r : List.of(badEncoding, nul, hugeHeader, badLength)) {
      assertThat(r).containsIgnoringCase("X-Request-Id: req_");
      assertThat(r).containsIgnoringCase("Connection: close");
      JsonNode body = Json.parse(r.substring(r.indexOf("\r\n\r\n") + 4));
      assertThat(body.get("error").asString()).isIn("invalid_request", "headers_too_large");
      assertThat(body.get("details").isArray()).isTrue();
    }
  }

  @Test
  void aMethodOverrideHeader_doesNotTurnAGetIntoAPost() throws Exception {
    var r = getWith("/api/projects", "X-HTTP-Method-Override", "POST");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).get("total").asInt()).isZero();
    assertThat(store.projects()).isEmpty();
  }

  @Test
  void everyLogLineARequestCauses_carriesItsRequestId_andComesFromAVirtualThread()
      throws Exception {
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    Logger ours = (Logger) LoggerFactory.getLogger("org.bookcreator");
    lines.start();
    ours.addAppender(lines);
    HttpResponse<String> r;
    try {
      r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/projects"))
                  .header("X-Request-Id", "trace-me-42")
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"title\":\"Logged\",\"category\":\"fiction\",\"brief\":\"b\",\"chapters\":1}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (messages(lines, "trace-me-42").stream().noneMatch(m -> m.contains("-> 201"))
          && System.nanoTime() < deadline) Thread.sleep(20);
    } finally {
      ours.detachAppender(lines);
    }

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(messages(lines, "trace-me-42"))
        .anySatisfy(m -> assertThat(m).contains("created over the API"))
        .anySatisfy(m -> assertThat(m).contains("POST /api/projects -> 201"));
    synchronized (lines) {
      // Only the server's virtual-thread factory names threads so.
      assertThat(lines.list)
          .filteredOn(e -> e.getFormattedMessage().contains("created over the API"))
          .singleElement()
          .satisfies(e -> assertThat(e.getThreadName()).startsWith(ApiServer.REQUEST_THREADS));
    }
  }

  private static List<String> messages(ListAppender<ILoggingEvent> lines, String requestId) {
    synchronized (lines) {
      return lines.list.stream()
          .filter(e -> requestId.equals(e.getMDCPropertyMap().get("request_id")))
          .map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  @Test
  void aSafeRequestId_isEchoed_andAnUnsafeOne_isReplaced() throws Exception {
    var safe = getWith("/healthz", "X-Request-Id", "abc-123");
    var unsafe = getWith("/healthz", "X-Request-Id", "a b<script>");

    assertThat(safe.headers().firstValue("X-Request-Id")).contains("abc-123");
    assertThat(unsafe.headers().firstValue("X-Request-Id"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
  }

  @Test
  void uploads_checkNameTypeContentAndSize() throws Exception {
    String id = aProject();

    var ok =
        send(
            "POST",
            "/api/projects/" + id + "/documents?name=notes.md",
            "text/markdown",
            "# Notes\n\nFacts.".getBytes(StandardCharsets.UTF_8));
    var again =
        send(
            "POST",
            "/api/projects/" + id + "/documents?name=notes.md",
            "text/markdown",
            "# Other".getBytes(StandardCharsets.UTF_8));
    var exe =
        send(
            "POST",
            "/api/projects/" + id + "/documents?name=tool.exe",
            "application/octet-stream",
            new byte[] {1, 2});
    var fakePdf =
        send(
            "POST",
            "/api/projects/" + id + "/documents?name=paper.pdf",
            "application/pdf",
            "not a pdf".getBytes(StandardCharsets.UTF_8));
    var binaryText =
        send(
            "POST",
            "/api/projects/" + id + "/documents?name=a.txt",
            "text/plain",
            new byte[] {'a', 0, 'b'});
    var traversal =
        send(
            "POST",
            "/api/projects/" + id + "/documents?name=..%2F..%2Fescape.md",
            "text/markdown",
            "x".getBytes(StandardCharsets.UTF_8));
    var big =
        send(
            "POST",
            "/api/projects/" + id + "/documents?name=big.txt",
            "text/plain",
            new byte[70 * 1024]);

    assertThat(ok.statusCode()).isEqualTo(201);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(exe.statusCode()).isEqualTo(415);
    assertThat(fakePdf.statusCode()).isEqualTo(415);
    assertThat(binaryText.statusCode()).isEqualTo(415);
    assertThat(traversal.statusCode()).isEqualTo(400);
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(store.project(id).orElseThrow().references())
        .singleElement()
        .satisfies(p -> assertThat(p).endsWith("notes.md"));
    assertThat(Files.readString(Path.of(store.project(id).orElseThrow().references().get(0))))
        .isEqualTo("# Notes\n\nFacts.");
    try (var files = Files.walk(dir)) {
      assertThat(files.filter(f -> f.getFileName().toString().equals("escape.md"))).isEmpty();
    }
  }

  @Test
  void aTraceInADamagedSpansDb_is503_namingTheFileAndTheRunbook() throws Exception {
    String id = aProject();
    store.createRun("run_damaged", id, 1, "test", java.time.Instant.now());
    store.recordSpans(
        List.of(StoreContractTest.aSpan(Telemetry.traceIdFor("run_damaged"), "run_damaged")), 1000);
    t.close();
    Path spans = dir.resolve("data").resolve(SqliteStore.SPANS_FILE);
    FileDamage.garbageAfterFirstPage(spans);
    startServer(Optional.empty());

    var trace = get("/api/runs/run_damaged/trace");

    assertThat(trace.statusCode()).isEqualTo(503);
    assertThat(json(trace).get("error").asString()).isEqualTo("store_unusable");
    assertThat(json(trace).get("message").asString())
        .contains(spans.toString())
        .contains("looks damaged")
        .contains("docs/runbooks/damaged-store.md");
  }

  @Test
  void aProjectWithUploadedPdfAndMarkdown_runsToCompletion_withLedgerAndTrace() throws Exception {
    String id = aProject();
    assertThat(
            send(
                    "POST",
                    "/api/projects/" + id + "/documents?name=history.pdf",
                    "application/pdf",
                    pdf("The first lighthouse was lit in 1716."))
                .statusCode())
        .isEqualTo(201);
    assertThat(
            send(
                    "POST",
                    "/api/projects/" + id + "/documents?name=notes.md",
                    "text/markdown",
                    "# Keepers\n\nKeepers trimmed wicks every night."
                        .getBytes(StandardCharsets.UTF_8))
                .statusCode())
        .isEqualTo(201);

    var started = send("POST", "/api/projects/" + id + "/runs", null, null);
    assertThat(started.statusCode()).isEqualTo(202);
    String runId = json(started).get("id").asString();
    var twice = send("POST", "/api/projects/" + id + "/runs", null, null);
    JsonNode run = awaitRun(runId);

    assertThat(run.get("state").asString()).isEqualTo("completed");
    assertThat(run.get("totals").get("calls").asLong()).isPositive();
    assertThat(store.calls(runId)).isNotEmpty();
    assertThat(
            Files.readString(
                dir.resolve("data")
                    .resolve("projects")
                    .resolve(id)
                    .resolve("runs")
                    .resolve(runId)
                    .resolve("manuscript.md")))
        .isNotBlank();
    assertThat(store.events(runId))
        .noneMatch(e -> e.kind().equals(org.bookcreator.core.run.RunEvent.DOCUMENT_ERROR));
    if (twice.statusCode() == 202) {
      // The simulated provider answers at once: under load the first run may have ended before
      // the second start arrived, and then the start is right to succeed.
      Run first = store.run(runId).orElseThrow();
      Run second = store.run(json(twice).get("id").asString()).orElseThrow();
      assertThat(first.updatedAt())
          .as("the first run had ended")
          .isBeforeOrEqualTo(second.createdAt());
      awaitRun(second.id());
    } else {
      assertThat(twice.statusCode()).as("a second run while the first is active").isEqualTo(409);
    }
    // The run is stored as completed a moment before its run span is recorded: look until it is.
    JsonNode trace;
    long until = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    do {
      telemetry.flush();
      trace = json(get("/api/runs/" + runId + "/trace"));
      if (trace.get("spans").size() == 1) break;
      Thread.sleep(50);
    } while (System.nanoTime() < until);
    assertThat(trace.get("span_count").asInt()).isPositive();
    assertThat(trace.get("spans"))
        .singleElement()
        .satisfies(
            root -> {
              assertThat(root.get("name").asString()).isEqualTo("run");
              assertThat(root.get("children").size()).isPositive();
            });
    JsonNode diagnosis = json(get("/api/runs/" + runId + "/diagnosis"));
    assertThat(diagnosis.get("cause").asString()).contains("completed");
    assertThat(diagnosis.get("stages").size()).isPositive();
    assertThat(json(get("/api/stalls")).get("items")).isEmpty();
    var cancel = postJson("/api/runs/" + runId + "/cancel", "{\"reason\":\"too late\"}");
    assertThat(cancel.statusCode()).isEqualTo(409);
  }

  @Test
  void keyShapedText_inABriefAndAnUploadedDocument_isStoredMasked() throws Exception {
    String openAi = "sk-proj-Lm4nB5vC6xZ7aS8dF9";
    String aws = "AKIAQ3W5E7R9T1Y3U5I7";
    HttpResponse<String> created =
        postJson(
            "/api/projects",
            "{\"title\":\"Keys like %s\",\"category\":\"technical\",\"brief\":\"Rotate %s.\",\"chapters\":1}"
                .formatted(openAi, aws));
    String id = json(created).get("id").asString();
    HttpResponse<String> uploaded =
        send(
            "POST",
            "/api/projects/" + id + "/documents?name=keys.md",
            "text/markdown",
            ("# Keys\n\nstaging: " + openAi + "\n").getBytes(StandardCharsets.UTF_8));
    String runId =
        json(send("POST", "/api/projects/" + id + "/runs", null, null)).get("id").asString();

    JsonNode run = awaitRun(runId);

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(json(created).get("title").asString()).isEqualTo("Keys like [REDACTED]");
    assertThat(uploaded.statusCode()).isEqualTo(201);
    assertThat(run.get("state").asString()).isEqualTo("completed");
    telemetry.flush();
    try (var files = Files.walk(dir.resolve("data"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(bytes).as(f.toString()).doesNotContain(openAi).doesNotContain(aws);
      }
    }
  }

  @Test
  void cancel_needsAReason_andIsRecordedInTheHistory() throws Exception {
    String id = aProject();
    // Created as a queued run directly, so that it cannot finish before the cancel arrives.
    store.createRun("run_manual", id, 1, "queued by the test", java.time.Instant.now());

    var noReason = postJson("/api/runs/run_manual/cancel", "{}");
    var cancelled =
        postJson("/api/runs/run_manual/cancel", "{\"reason\":\"wrong brief\\nINJECTED\"}");
    var again = postJson("/api/runs/run_manual/cancel", "{\"reason\":\"again\"}");

    assertThat(noReason.statusCode()).isEqualTo(400);
    assertThat(json(noReason).get("details").get(0).get("field").asString()).isEqualTo("reason");
    assertThat(cancelled.statusCode()).isEqualTo(200);
    assertThat(json(cancelled).get("state").asString()).isEqualTo("cancelled");
    assertThat(store.history("run_manual"))
        .anySatisfy(
            t ->
                assertThat(t.reason())
                    .isEqualTo("cancelled by the operator: wrong brief INJECTED"));
    assertThat(again.statusCode()).isEqualTo(409);
  }

  @Test
  void restart_dryRunChangesNothing_badStageIs400_andARealRestartCompletesTheRun()
      throws Exception {
    String id = aProject();
    java.time.Instant now = java.time.Instant.now();
    store.createRun("run_failed", id, 1, "queued by the test", now);
    store.transitionRun(
        "run_failed",
        org.bookcreator.core.run.RunState.QUEUED,
        org.bookcreator.core.run.RunState.RUNNING,
        "started",
        now);
    store.transitionRun(
        "run_failed",
        org.bookcreator.core.run.RunState.RUNNING,
        org.bookcreator.core.run.RunState.FAILED,
        "provider down",
        now);
    int historyBefore = store.history("run_failed").size();

    var dry =
        postJson(
            "/api/runs/run_failed/restart",
            "{\"reason\":\"provider back\",\"dry_run\":true,\"from_stage\":\"outline\"}");
    var badStage =
        postJson("/api/runs/run_failed/restart", "{\"reason\":\"x\",\"from_stage\":\"lunch\"}");
    var badDry = postJson("/api/runs/run_failed/restart", "{\"reason\":\"x\",\"dry_run\":\"yes\"}");

    assertThat(dry.statusCode()).isEqualTo(200);
    assertThat(json(dry).get("dry_run").asBoolean()).isTrue();
    assertThat(json(dry).get("changes").get(0).asString())
        .contains("failed -> running")
        .contains("re-running from stage outline");
    assertThat(store.history("run_failed")).hasSize(historyBefore);
    assertThat(badStage.statusCode()).isEqualTo(400);
    assertThat(json(badStage).get("details").get(0).get("field").asString())
        .isEqualTo("from_stage");
    assertThat(badDry.statusCode()).isEqualTo(400);

    var restarted = postJson("/api/runs/run_failed/restart", "{\"reason\":\"provider back\"}");
    JsonNode done = awaitRun("run_failed");

    assertThat(restarted.statusCode()).isEqualTo(202);
    assertThat(done.get("state").asString()).isEqualTo("completed");
    assertThat(done.get("history").findValuesAsString("reason"))
        .contains("restarted by the operator: provider back");
    assertThat(postJson("/api/runs/run_failed/restart", "{\"reason\":\"again\"}").statusCode())
        .isEqualTo(409);
  }

  @Test
  void listProjects_filtersAndPages() throws Exception {
    for (int i = 0; i < 3; i++) {
      postJson(
          "/api/projects",
          "{\"title\":\"F" + i + "\",\"category\":\"fiction\",\"brief\":\"b\",\"chapters\":1}");
    }
    postJson(
        "/api/projects",
        "{\"title\":\"T\",\"category\":\"technical\",\"brief\":\"b\",\"chapters\":1}");

    JsonNode fiction = json(get("/api/projects?category=fiction&limit=2"));
    JsonNode page2 = json(get("/api/projects?category=fiction&limit=2&offset=2"));
    JsonNode none = json(get("/api/projects?status=none"));
    var badCategory = get("/api/projects?category=poetry-slam");
    var badLimit = get("/api/projects?limit=0");
    var badStage = get("/api/projects?stage=lunch");

    assertThat(fiction.get("total").asInt()).isEqualTo(3);
    assertThat(fiction.get("items").size()).isEqualTo(2);
    assertThat(page2.get("items").size()).isEqualTo(1);
    assertThat(none.get("total").asInt()).isEqualTo(4);
    assertThat(List.of(badCategory, badLimit, badStage))
        .allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(400));
    assertThat(json(badLimit).get("details").get(0).get("field").asString()).isEqualTo("limit");
  }

  @Test
  void requestMetrics_areLabelledByRouteTemplate_neverByRawPath() throws Exception {
    String id = aProject();
    get("/api/projects/" + id);
    get("/api/projects/" + id);

    String metrics = get("/metrics").body();

    assertThat(metrics)
        .contains(
            "http_server_request_duration_seconds_count{http_request_method=\"GET\",http_response_status_code=\"200\",http_route=\"/api/projects/{id}\"}"
                + " 2");
    assertThat(metrics).doesNotContain(id);
  }

  @Test
  void readiness_reportsTheStore() throws Exception {
    var r = get("/readyz");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).get("schema_version").asInt()).isPositive();
  }

  @Test
  void withAToken_apiRequestsNeedIt_butHealthDoesNot() throws Exception {
    stop();
    startServer(Optional.of("a-long-enough-token-123"));

    var without = get("/api/projects");
    var wrong =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/projects"))
                .header("Authorization", "Bearer nope")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    var right =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/projects"))
                .header("Authorization", "Bearer a-long-enough-token-123")
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(without.statusCode()).isEqualTo(401);
    assertThat(without.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void aPortInUse_isRefused_namingTheAddress_withTheBindFailureAsCause() {
    int taken = t.server.port();

    assertThatThrownBy(
            () ->
                ApiServer.start(
                    new ApiConfig("127.0.0.1", taken, Optional.empty(), 1024, 1024),
                    t.api,
                    telemetry.metrics(),
                    Ids.system(),
                    null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot listen on 127.0.0.1:" + taken)
        .hasRootCauseInstanceOf(java.net.BindException.class);
  }

  @Test
  void bindingBeyondLoopback_withoutAToken_isRefused() {
    assertThatThrownBy(() -> new ApiConfig("0.0.0.0", 0, Optional.empty(), 1024, 1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http.token");
  }

  private JsonNode awaitRun(String runId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode run = json(get("/api/runs/" + runId));
      String state = run.get("state").asString();
      if (!state.equals("queued") && !state.equals("running")) return run;
      if (System.nanoTime() > deadline)
        throw new AssertionError("run " + runId + " still " + state);
      Thread.sleep(50);
    }
  }

  private static byte[] pdf(String text) throws Exception {
    try (PDDocument doc = new PDDocument();
        ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      PDPage page = new PDPage();
      doc.addPage(page);
      try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
        cs.beginText();
        cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
        cs.newLineAtOffset(72, 700);
        cs.showText(text);
        cs.endText();
      }
      doc.save(out);
      return out.toByteArray();
    }
  }
}
