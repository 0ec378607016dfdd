package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/runs} filtered, searched, sorted and paged, and its refusals. */
class RunListApiTest {
  @TempDir Path dir;
  private TestServer t;

  @BeforeEach
  void start() {
    t = new TestServer(dir, Optional.empty(), 64 * 1024);
  }

  @AfterEach
  void stop() {
    t.close();
  }

  @Test
  void search_matchesTitleOrRunId_andTheAnswerNamesTheTitles() throws Exception {
    String project = t.aProject();
    Instant now = Instant.now();
    t.store.createRun("run_one", project, 1, "by the test", now);

    JsonNode byTitle = get("/api/runs?q=" + URLEncoder.encode("ligh", StandardCharsets.UTF_8));
    JsonNode byId = get("/api/runs?q=run_one&category=fiction&sort=updated&order=asc");
    JsonNode none = get("/api/runs?q=nothing&stage=outline");

    assertThat(byTitle.get("total").asLong()).isEqualTo(1);
    assertThat(byTitle.get("project_titles").get(project).asString()).isEqualTo("Lights");
    assertThat(byId.get("items").get(0).get("id").asString()).isEqualTo("run_one");
    assertThat(none.get("total").asLong()).isZero();
  }

  @ParameterizedTest
  @CsvSource({
    "sort=price, sort",
    "order=up, order",
    "stage=nowhere, stage",
    "category=poems-of-doom, category",
    "limit=501, limit",
    "limit=0x10, limit",
    "offset=-1, offset",
    "state=lost, status",
  })
  void badParameters_are400sNamingTheParameter(String query, String field) throws Exception {
    HttpResponse<String> r = t.send("GET", "/api/runs?" + query, null, null);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode body = Json.parse(r.body());
    assertThat(body.get("error").asString()).isEqualTo("invalid_request");
    assertThat(body.get("details").get(0).get("field").asString()).isEqualTo(field);
  }

  @Test
  void aSearchOverTwoHundredCharacters_isA400() throws Exception {
    HttpResponse<String> r = t.send("GET", "/api/runs?q=" + "x".repeat(201), null, null);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("\"field\":\"q\"");
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = t.send("GET", path, null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.parse(r.body());
  }
}
