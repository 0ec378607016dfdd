package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * NaN, infinities, negative zero, other spellings and absurd magnitudes in every number the API
 * takes (query parameters, request bodies, briefs): each is a 400 whose details name the field and
 * whose problem states the range allowed; none is a 500, and nothing is stored.
 */
class ApiNumbersTest {
  private static final String WHOLE = "must be a whole number ";
  private static final String BUDGET =
      "must be a number of US dollars greater than 0 and at most 1000000, with at most 6 decimal"
          + " places";

  @TempDir static Path dir;
  private static TestServer t;
  private static String runId;

  @BeforeAll
  static void start() throws Exception {
    t = new TestServer(dir, Optional.empty(), 64 * 1024);
    String project = t.aProject();
    runId =
        Json.parse(t.send("POST", "/api/projects/" + project + "/runs", null, null).body())
            .get("id")
            .asString();
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  static Stream<Arguments> badQueries() {
    return Stream.of(
        Arguments.of("/api/projects?limit=0x10", "limit", WHOLE + "1..500, got '0x10'"),
        Arguments.of("/api/projects?limit=-0", "limit", WHOLE + "1..500, got '-0'"),
        Arguments.of("/api/projects?offset=-5", "offset", WHOLE + "0..10000000, got '-5'"),
        Arguments.of(
            "/api/runs?limit=99999999999999999999",
            "limit",
            WHOLE + "1..500, got '99999999999999999999'"),
        Arguments.of("/api/runs?offset=1e3", "offset", WHOLE + "0..10000000, got '1e3'"),
        Arguments.of("/api/logs?limit=NaN", "limit", WHOLE + "1..1000, got 'NaN'"),
        Arguments.of("/api/logs?limit=Infinity", "limit", WHOLE + "1..1000, got 'Infinity'"),
        Arguments.of("/api/logs?before=-0", "before", WHOLE + "of at least 1, got '-0'"),
        Arguments.of("/api/logs?before=0x10", "before", WHOLE + "of at least 1, got '0x10'"),
        Arguments.of("/api/logs?since=99999d", "since", "a span back of at most 3650d"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badQueries")
  void aBadNumberInAQuery_is400_namingTheParameterAndTheRange(
      String path, String field, String problem) throws Exception {
    HttpResponse<String> r = t.send("GET", path, null, null);

    assertBadField(r, field, problem);
  }

  static Stream<Arguments> badRestartBudgets() {
    return Stream.of("\"1e400\"", "1e400", "\"NaN\"", "\"-0\"", "-0.0", "\"1000000.01\"", "1e-400")
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "budget_usd: {0}")
  @MethodSource("badRestartBudgets")
  void aBadBudgetInARestart_is400_namingTheField(String budget) throws Exception {
    HttpResponse<String> r =
        post(
            "/api/runs/" + runId + "/restart",
            "application/json",
            "{\"reason\":\"more money\",\"budget_usd\":" + budget + "}");

    assertBadField(r, "budget_usd", BUDGET);
  }

  static Stream<Arguments> badBriefs() {
    return Stream.of(
        Arguments.of("\"budget_usd\":1e400", "budget_usd", BUDGET),
        Arguments.of("\"budget_usd\":-0", "budget_usd", BUDGET),
        Arguments.of("\"budget_usd\":-0.0", "budget_usd", BUDGET),
        Arguments.of("\"budget_usd\":1e-400", "budget_usd", BUDGET),
        Arguments.of("\"budget_usd\":2000000", "budget_usd", BUDGET),
        Arguments.of("\"chapters\":1e400", "chapters", "must be a whole number 1..100"),
        Arguments.of(
            "\"chapters\":99999999999999999999", "chapters", "must be a whole number 1..100"),
        Arguments.of("\"chapters\":-0", "chapters", "must be 1..100, got 0"),
        Arguments.of("\"chapters\":\"0x10\"", "chapters", "must be a whole number 1..100"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBriefs")
  void aBadNumberInABrief_is400_namingTheField(String pair, String field, String problem)
      throws Exception {
    String brief =
        "{\"title\":\"T\",\"category\":\"fiction\",\"brief\":\"B\","
            + (field.equals("chapters") ? "" : "\"chapters\":1,")
            + pair
            + "}";
    int before = t.store.projects().size();

    HttpResponse<String> r = post("/api/projects", "application/json", brief);

    assertBadField(r, field, problem);
    assertThat(t.store.projects()).hasSize(before);
  }

  private HttpResponse<String> post(String path, String type, String body) throws Exception {
    return t.send("POST", path, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertBadField(HttpResponse<String> r, String field, String problem) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode details = Json.parse(r.body()).get("details");
    assertThat(details.findValuesAsString("field")).as(r.body()).contains(field);
    assertThat(details.findValuesAsString("problem"))
        .as(r.body())
        .anySatisfy(p -> assertThat(p).contains(problem));
  }
}
