package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.JsonNode;

/** A real HTTP client for tests against a serve process, and the settings such tests start. */
final class TestHttp {
  private final HttpClient http = HttpClient.newHttpClient();

  /** Flags for a serve in {@code data} on free ports, worker metrics off. */
  static Map<Setting<?>, String> serveFlags(Path data) {
    Map<Setting<?>, String> flags = new HashMap<>();
    flags.put(Setting.DATA_DIR, data.toString());
    flags.put(Setting.HTTP_PORT, "0");
    flags.put(Setting.WORKER_PORT, "-1");
    return flags;
  }

  /** POSTs JSON and checks the status is 2xx; returns the body. */
  String post(String url, String json) throws Exception {
    HttpResponse<String> r = send(url, json);
    assertThat(r.statusCode()).as(url + ": " + r.body()).isBetween(200, 299);
    return r.body();
  }

  /** POSTs JSON and checks the status is exactly {@code expected}; returns the body. */
  String post(String url, String json, int expected) throws Exception {
    HttpResponse<String> r = send(url, json);
    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(expected);
    return r.body();
  }

  /** GETs and returns the body, whatever the status. */
  String get(String url) throws Exception {
    return fetch(url).body();
  }

  /** GETs, checks the status is 200, and returns the body. */
  String getOk(String url) throws Exception {
    HttpResponse<String> r = fetch(url);
    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
    return r.body();
  }

  private HttpResponse<String> fetch(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A project and the run started of it. */
  record Started(String project, String run) {}

  /** Creates a project from {@code projectJson} over the API at {@code base} and starts a run. */
  Started start(String base, String projectJson) throws Exception {
    String project =
        Json.parse(post(base + "/api/projects", projectJson, 201)).get("id").asString();
    String run =
        Json.parse(post(base + "/api/projects/" + project + "/runs", "{}", 202))
            .get("id")
            .asString();
    return new Started(project, run);
  }

  /** The run once it is no longer queued or running (60 s at most). */
  JsonNode awaitSettled(String base, String run) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode r = Json.parse(get(base + "/api/runs/" + run));
      String state = r.get("state").asString();
      if (!state.equals("queued") && !state.equals("running")) return r;
      if (System.nanoTime() > deadline) throw new AssertionError("run still " + state);
      Thread.sleep(50);
    }
  }

  private HttpResponse<String> send(String url, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
