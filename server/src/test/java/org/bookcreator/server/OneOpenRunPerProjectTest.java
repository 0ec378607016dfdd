package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (issue 10): the one-open-run rule was a check in the HTTP handler followed by a
 * separate insert, and sixteen concurrent starts sometimes opened two runs. Now the store enforces
 * it; this fires sixteen concurrent starts at one project, fifty times, over real HTTP.
 */
class OneOpenRunPerProjectTest {
  private static final int ROUNDS = 50;
  private static final int CONCURRENT = 16;

  @TempDir Path dir;

  @Test
  void sixteenConcurrentStarts_fiftyTimes_neverOpenTwoRunsOfOneProject() throws Exception {
    try (TestServer t = new TestServer(dir, Optional.empty(), 64 * 1024);
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT)) {
      // No pipeline: a run it finished within a round (the simulated provider answers at once)
      // would let a later start in that round succeed, rightly, and hide what this test is about.
      t.pipeline.close();
      for (int round = 0; round < ROUNDS; round++) {
        String project = createProject(t, round);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
          answers.add(
              pool.submit(
                  () -> {
                    go.await();
                    return t.send(
                        "POST",
                        "/api/projects/" + project + "/runs",
                        "application/json",
                        "{}".getBytes(StandardCharsets.UTF_8));
                  }));
        }
        go.countDown();
        List<Integer> codes = new ArrayList<>();
        for (var a : answers) codes.add(a.get().statusCode());

        assertThat(codes).as("round %d", round).containsOnly(202, 409);
        assertThat(codes)
            .as("round %d: accepted starts", round)
            .filteredOn(c -> c == 202)
            .hasSize(1);
        List<Run> runs = t.store.runs(Optional.of(project));
        assertThat(runs).as("round %d: runs of the project", round).hasSize(1);
        String conflict =
            answers.stream()
                .map(TestServer::join)
                .filter(r -> r.statusCode() == 409)
                .findFirst()
                .orElseThrow()
                .body();
        assertThat(Json.parse(conflict).get("message").asString())
            .contains("already has run " + runs.get(0).id());
        t.send(
            "POST",
            "/api/runs/" + runs.get(0).id() + "/cancel",
            "application/json",
            "{\"reason\":\"next round\"}".getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static String createProject(TestServer t, int round) throws Exception {
    HttpResponse<String> r =
        t.send(
            "POST",
            "/api/projects",
            "application/json",
            ("{\"title\":\"Race "
                    + round
                    + "\",\"category\":\"fiction\",\"brief\":\"Many starts.\",\"chapters\":1}")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Json.parse(r.body()).get("id").asString();
  }
}
