package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The whole product as a user of the API meets it: serve (API, orchestrator, workers) with the
 * OpenAI-compatible adapter pointed at a local server that speaks the chat completions wire format
 * (its answers come from the simulated provider, chosen by the requested JSON Schema). A project is
 * created over HTTP, a PDF and a Markdown reference are uploaded, a run is started; then the
 * manuscript, the ledger rows and the trace are there.
 */
class ApiEndToEndTest {
  @TempDir Path dir;
  private OpenAiWireServer openAi;
  private ServeCommand.Serving serving;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    if (serving != null) serving.close();
    if (openAi != null) openAi.close();
  }

  @Test
  void projectOverHttp_withUploadedReferences_runsOnTheOpenAiAdapter_toAManuscriptLedgerAndTrace()
      throws Exception {
    startOpenAiWireServer();
    Map<Setting<?>, String> flags = new HashMap<>();
    flags.put(Setting.DATA_DIR, dir.resolve("data").toString());
    flags.put(Setting.PROVIDER, "openai");
    flags.put(Setting.HTTP_PORT, "0");
    flags.put(Setting.WORKER_PORT, "-1");
    flags.put(Setting.BACKOFF_BASE, "10ms");
    flags.put(Setting.BACKOFF_MAX, "50ms");
    Settings settings =
        Settings.load(
            null,
            Map.of(
                "OPENAI_BASE_URL",
                openAi.baseUrl(),
                "OPENAI_API_KEY",
                "sk-e2e-test-key-0123456789"),
            flags);
    serving =
        ServeCommand.Serving.start(
            settings, Observability.start(settings, Observability.Mode.FOREGROUND));
    String api = "http://127.0.0.1:" + serving.api.port();

    JsonNode project =
        Json.parse(
            post(
                api + "/api/projects",
                "application/json",
                "{\"title\":\"Lights Over HTTP\",\"category\":\"non-fiction\",\"brief\":\"A short history of lighthouses.\",\"chapters\":1}"
                    .getBytes(StandardCharsets.UTF_8),
                201));
    String projectId = project.get("id").asString();
    post(
        api + "/api/projects/" + projectId + "/documents?name=history.pdf",
        "application/pdf",
        pdf("The Eddystone light was first lit in 1698."),
        201);
    post(
        api + "/api/projects/" + projectId + "/documents?name=keepers.md",
        "text/markdown",
        "# Keepers\n\nKeepers trimmed the wicks every night.".getBytes(StandardCharsets.UTF_8),
        201);
    String runId =
        Json.parse(
                post(
                    api + "/api/projects/" + projectId + "/runs",
                    "application/json",
                    "{}".getBytes(StandardCharsets.UTF_8),
                    202))
            .get("id")
            .asString();
    JsonNode run = await(api, runId);

    assertThat(run.get("state").asString()).isEqualTo("completed");
    Path manuscript =
        dir.resolve("data/projects")
            .resolve(projectId)
            .resolve("runs")
            .resolve(runId)
            .resolve("manuscript.md");
    assertThat(Files.readString(manuscript)).contains("Lights Over HTTP");
    List<LedgerEntry> ledger = serving.engine.store.calls(runId);
    assertThat(ledger).hasSize(openAi.received());
    assertThat(ledger).allSatisfy(e -> assertThat(e.provider()).isEqualTo("openai"));
    assertThat(ledger)
        .filteredOn(e -> e.outcome().equals(LedgerEntry.OK))
        .allSatisfy(e -> assertThat(e.costUsd()).isPresent());
    assertThat(ledger)
        .filteredOn(e -> e.outcome().equals(LedgerEntry.ERROR))
        .extracting(e -> e.errorType().orElseThrow())
        .containsExactlyInAnyOrder("rate_limited", "server_error", "malformed_output");
    assertThat(serving.engine.store.events(runId))
        .filteredOn(e -> e.kind().equals(org.bookcreator.core.run.RunEvent.RETRY))
        .hasSize(3);
    assertThat(ledger).anySatisfy(e -> assertThat(e.usage().cacheReadTokens()).isPositive());
    assertThat(ledger.stream().map(LedgerEntry::callId).distinct().count())
        .isEqualTo(ledger.size());
    assertThat(openAi.authorizations())
        .isNotEmpty()
        .allMatch(a -> a.equals("Bearer sk-e2e-test-key-0123456789"));
    assertThat(serving.engine.store.events(runId))
        .noneMatch(e -> e.kind().equals(org.bookcreator.core.run.RunEvent.DOCUMENT_ERROR));
    org.bookcreator.telemetry.sdk.LogSetup.flushStore();
    JsonNode warnings = Json.parse(get(api + "/api/logs?run=" + runId + "&level=WARN&limit=1000"));
    assertThat(warnings.get("items"))
        .isNotEmpty()
        .allSatisfy(
            l -> {
              assertThat(l.get("run_id").asString()).isEqualTo(runId);
              assertThat(l.get("level").asString()).isIn("WARN", "ERROR");
            });
    assertThat(warnings.get("items").findValuesAsString("error_type"))
        .contains("rate_limited", "server_error", "malformed_output");
    JsonNode created = Json.parse(get(api + "/api/logs?q=created%20over%20the%20API"));
    assertThat(created.get("items"))
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.get("project_id").asString()).isEqualTo(projectId);
              assertThat(l.get("request_id").asString()).startsWith("req_");
            });
    serving.engine.telemetry.flush();
    JsonNode trace = Json.parse(get(api + "/api/runs/" + runId + "/trace"));
    assertThat(trace.get("spans"))
        .singleElement()
        .satisfies(root -> assertThat(root.get("name").asString()).isEqualTo("run"));
    assertThat(trace.toString())
        .contains("\"chat gpt-4o-mini\"")
        .contains("\"gen_ai.provider.name\":\"openai\"")
        .contains("parse_documents");
    assertThat(trace.toString()).doesNotContain("sk-e2e-test-key");
  }

  /**
   * Chat completions, as OpenAI documents them, with three real failure modes on the wire as OpenAI
   * sends them: a rate limit with Retry-After, an overloaded server, and a body cut off mid-JSON.
   * Each must be retried and leave a ledger row.
   */
  private void startOpenAiWireServer() throws Exception {
    openAi =
        OpenAiWireServer.start(
            java.util.Optional.empty(),
            Duration.ZERO,
            (n, exchange) -> {
              if (n != 3 && n != 6 && n != 9) return false;
              String error =
                  n == 3
                      ? "{\"error\":{\"message\":\"Rate limit"
                          + " reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}"
                      : n == 9
                          ? "{\"error\":{\"message\":\"The server is"
                              + " overloaded\",\"type\":\"server_error\"}}"
                          : "{\"id\":\"chatcmpl-x\",\"choices\":[{\"message\":{\"content\":\"trunc";
              int status = n == 3 ? 429 : n == 9 ? 503 : 200;
              if (n == 3) exchange.getResponseHeaders().set("retry-after", "0");
              byte[] bytes = error.getBytes(StandardCharsets.UTF_8);
              exchange.getResponseHeaders().set("Content-Type", "application/json");
              exchange.sendResponseHeaders(status, bytes.length);
              exchange.getResponseBody().write(bytes);
              return true;
            });
  }

  private String post(String url, String type, byte[] body, int expected) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(expected);
    return r.body();
  }

  private String get(String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private JsonNode await(String api, String runId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode run = Json.parse(get(api + "/api/runs/" + runId));
      String state = run.get("state").asString();
      if (!state.equals("queued") && !state.equals("running")) return run;
      if (System.nanoTime() > deadline) throw new AssertionError("run still " + state + ": " + run);
      Thread.sleep(100);
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
