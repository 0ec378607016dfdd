package org.bookcreator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.bookcreator.core.alert.Alert;
import org.bookcreator.core.alert.AlertChange;
import org.bookcreator.core.alert.AlertState;
import org.bookcreator.core.alert.Severity;
import org.bookcreator.core.support.Json;
import org.bookcreator.telemetry.LogLine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/events} over a real socket: a java.net.http client reads the stream line by line
 * while runs change in the real pipeline. Polls every 50 ms and beats every 300 ms, so that the
 * tests wait little.
 */
class EventStreamTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;
  private TestServer t;

  @BeforeEach
  void start() {
    t =
        new TestServer(
            dir,
            Optional.empty(),
            64 * 1024,
            new EventStreams.Timing(Duration.ofMillis(50), Duration.ofMillis(300)));
  }

  @AfterEach
  void stop() {
    t.close();
  }

  @Test
  void aRunStartedAndCompleted_isStreamedAsRunEvents_untilItsFinalState() throws Exception {
    String project = t.aProject();
    try (Client events = Client.open(t)) {
      events.awaitLine(": connected"::equals);

      var started = t.send("POST", "/api/projects/" + project + "/runs", null, null);
      String runId = Json.parse(started.body()).get("id").asString();
      JsonNode completed =
          events.awaitEvent(
              "run",
              d ->
                  d.get("id").asString().equals(runId)
                      && d.get("state").asString().equals("completed"));

      JsonNode run = Json.parse(t.send("GET", "/api/runs/" + runId, null, null).body());
      assertThat(started.statusCode()).isEqualTo(202);
      assertThat(completed.get("project_id").asString()).isEqualTo(project);
      assertThat(completed.get("updated_at").asString())
          .isEqualTo(run.get("updated_at").asString());
      assertThat(completed.path("stage").asString("none"))
          .isEqualTo(run.path("stage").asString("none"));
      assertThat(events.events("run"))
          .allSatisfy(d -> assertThat(d.get("id").asString()).isEqualTo(runId));
    }
  }

  /**
   * Each event has an id; a client that comes back with the last one it saw gets the changes it
   * missed meanwhile, in order, and nothing it had.
   */
  @Test
  void aClientThatReconnectsWithLastEventId_getsWhatItMissed() throws Exception {
    String first = t.aProject();
    String second = t.aProject();
    String lastId;
    String firstRun;
    try (Client events = Client.open(t)) {
      events.awaitLine(": connected"::equals);
      var started = t.send("POST", "/api/projects/" + first + "/runs", null, null);
      firstRun = Json.parse(started.body()).get("id").asString();
      events.awaitEvent(
          "run",
          d ->
              d.get("id").asString().equals(firstRun)
                  && d.get("state").asString().equals("completed"));
      lastId =
          events.seen.stream().filter(l -> l.startsWith("id: ")).reduce((a, b) -> b).orElseThrow();
    }
    var away = t.send("POST", "/api/projects/" + second + "/runs", null, null);
    String secondRun = Json.parse(away.body()).get("id").asString();
    awaitTrue(() -> state(secondRun).equals("completed"), "the second run completes");

    try (Client back = Client.open(t, lastId.substring(4))) {
      JsonNode caughtUp =
          back.awaitEvent(
              "run",
              d ->
                  d.get("id").asString().equals(secondRun)
                      && d.get("state").asString().equals("completed"));

      assertThat(caughtUp.get("project_id").asString()).isEqualTo(second);
      assertThat(back.events("run"))
          .allSatisfy(d -> assertThat(d.get("id").asString()).isEqualTo(secondRun));
    }
  }

  @Test
  void aQuietStream_getsHeartbeatComments() throws Exception {
    try (Client events = Client.open(t)) {
      events.awaitLine(": connected"::equals);

      events.awaitLine(": heartbeat"::equals);

      assertThat(events.events("run")).isEmpty();
    }
  }

  @Test
  void aClientThatGoesAway_endsItsStreamOnTheServer() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", t.server.port())) {
      socket.setSoTimeout((int) PATIENCE.toMillis());
      socket
          .getOutputStream()
          .write(
              "GET /api/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do line = in.readLine();
      while (line != null && !line.equals(": connected"));
      assertThat(line).isEqualTo(": connected");
      assertThat(t.server.openEventStreams()).isEqualTo(1);
    }

    awaitTrue(() -> t.server.openEventStreams() == 0, "the stream ends on the server");
  }

  @Test
  void closingTheServer_endsEveryStream() throws Exception {
    try (Client first = Client.open(t);
        Client second = Client.open(t)) {
      first.awaitLine(": connected"::equals);
      second.awaitLine(": connected"::equals);

      t.server.close();

      first.awaitEnd();
      second.awaitEnd();
      assertThat(t.server.openEventStreams()).isZero();
    }
  }

  @Test
  void aClientThatDoesNotAcceptEventStreams_gets406_inTheOneErrorShape() throws Exception {
    var r = t.send("GET", "/api/events", null, null);

    assertThat(r.statusCode()).isEqualTo(406);
    assertThat(Json.parse(r.body()).get("error").asString()).isEqualTo("not_acceptable");
  }

  @Test
  void
      anAlertThatFires_reachesAClientOfAlerts_andOneThatReconnectsGetsTheResolveAndSilenceItMissed()
          throws Exception {
    Map<String, String> labels = Map.of("run_id", "run_x");
    Alert firing = anAlert(labels, AlertState.FIRING);
    String lastId;
    try (Client events = Client.open(t, "?topics=alerts", null)) {
      events.awaitLine(l -> l.startsWith("id: "));

      t.store.saveAlerts(
          List.of(new AlertChange(firing, Optional.empty(), AlertState.FIRING, Instant.now())));
      JsonNode fired =
          events.awaitEvent("alert", d -> d.get("change").get("to").asString().equals("firing"));

      assertThat(fired.get("name").asString()).isEqualTo("RunFailed");
      assertThat(fired.get("labels").get("run_id").asString()).isEqualTo("run_x");
      assertThat(events.events("run")).isEmpty();
      lastId = events.lastId();
    }
    Instant later = Instant.now();
    t.store.saveAlerts(
        List.of(
            new AlertChange(
                resolved(firing, later),
                Optional.of(AlertState.FIRING),
                AlertState.RESOLVED,
                later)));
    var silenced =
        t.send(
            "POST",
            "/api/silences",
            "application/json",
            "{\"matchers\":[\"alertname=RunFailed\"],\"duration\":\"1h\",\"reason\":\"mending\"}"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(silenced.statusCode()).isEqualTo(201);

    try (Client back = Client.open(t, "?topics=alerts", lastId)) {
      JsonNode resolved =
          back.awaitEvent("alert", d -> d.get("change").get("to").asString().equals("resolved"));
      JsonNode silence = back.awaitEvent("silence", d -> true);

      assertThat(resolved.get("fingerprint").asString()).isEqualTo(firing.fingerprint());
      assertThat(silence.get("change").asString()).isEqualTo("created");
      assertThat(silence.get("reason").asString()).isEqualTo("mending");
      assertThat(back.events("alert"))
          .noneMatch(d -> d.get("change").get("to").asString().equals("firing"));
    }
  }

  @Test
  void aLogLineWritten_reachesAClientOfLogs_filteredByRunAndLevel_andAReconnectingOneCatchesUp()
      throws Exception {
    String lastId;
    try (Client events = Client.open(t, "?topics=logs&run=run_a&level=warn", null)) {
      events.awaitLine(l -> l.startsWith("id: "));

      t.store.recordLogs(
          List.of(
              aLogLine("run_b", "WARN", "another run's"),
              aLogLine("run_a", "INFO", "too quiet"),
              aLogLine("run_a", "WARN", "first warning")));
      JsonNode line = events.awaitEvent("log", d -> true);

      assertThat(line.get("message").asString()).isEqualTo("first warning");
      assertThat(line.get("id").asLong()).isPositive();
      lastId = events.lastId();
    }
    t.store.recordLogs(
        List.of(aLogLine("run_a", "ERROR", "while away"), aLogLine("run_b", "ERROR", "not ours")));

    try (Client back = Client.open(t, "?topics=logs&run=run_a&level=warn", lastId)) {
      JsonNode missed = back.awaitEvent("log", d -> true);
      back.awaitLine(": heartbeat"::equals);

      assertThat(missed.get("message").asString()).isEqualTo("while away");
      assertThat(back.events("log")).hasSize(1);
    }
  }

  @Test
  void oneStreamOfSeveralTopics_getsEachTopicsChanges_withAnIdHoldingItsPlaceInEach()
      throws Exception {
    String project = t.aProject();
    try (Client events = Client.open(t, "?topics=runs,alerts,logs", null)) {
      events.awaitLine(l -> l.startsWith("id: "));

      String run = t.startRun(project);
      t.store.saveAlerts(
          List.of(
              new AlertChange(
                  anAlert(Map.of("run_id", run), AlertState.FIRING),
                  Optional.empty(),
                  AlertState.FIRING,
                  Instant.now())));
      t.store.recordLogs(List.of(aLogLine(run, "INFO", "hello")));
      events.awaitEvent("run", d -> d.get("id").asString().equals(run));
      events.awaitEvent("alert", d -> true);
      events.awaitEvent("log", d -> d.get("message").asString().equals("hello"));

      assertThat(events.lastId()).matches("r\\d+\\.a\\d+\\.l\\d+");
    }
  }

  @Test
  void anUnknownTopicOrLevel_is400_beforeAnyStream() throws Exception {
    for (String query : List.of("?topics=runs,weather", "?topics=logs&level=LOUD")) {
      var r =
          t.http.send(
              HttpRequest.newBuilder(URI.create(t.base + "/api/events" + query))
                  .header("Accept", "text/event-stream")
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).as(query).isEqualTo(400);
      assertThat(Json.parse(r.body()).get("error").asString()).isEqualTo("invalid_request");
    }
  }

  private static Alert anAlert(Map<String, String> labels, AlertState state) {
    Instant now = Instant.now();
    return new Alert(
        Alert.fingerprint("RunFailed", labels),
        "RunFailed",
        labels,
        Severity.WARNING,
        state,
        "A run failed",
        "It failed.",
        "run-failed",
        now,
        Optional.of(now),
        state == AlertState.RESOLVED ? Optional.of(now) : Optional.empty(),
        Optional.empty());
  }

  private static Alert resolved(Alert a, Instant at) {
    return new Alert(
        a.fingerprint(),
        a.name(),
        a.labels(),
        a.severity(),
        AlertState.RESOLVED,
        a.summary(),
        a.description(),
        a.runbook(),
        a.activeSince(),
        a.firedAt(),
        Optional.of(at),
        a.notifiedAt());
  }

  static LogLine aLogLine(String run, String level, String message) {
    return new LogLine(
        System.currentTimeMillis(),
        level,
        null,
        run,
        null,
        null,
        null,
        null,
        null,
        Json.object().put("level", level).put("run_id", run).put("message", message).toString());
  }

  private String state(String runId) {
    try {
      return Json.parse(t.send("GET", "/api/runs/" + runId, null, null).body())
          .get("state")
          .asString();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting: " + what);
      Thread.sleep(20);
    }
  }

  /** An event-stream client: a virtual thread reads the response's lines into a queue. */
  private static final class Client implements AutoCloseable {
    private static final String END = "\u0000end";
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Stream<String> body;

    private Client(Stream<String> body) {
      this.body = body;
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  body.forEach(lines::add);
                } catch (RuntimeException e) {
                  // the stream was closed under the reader: that is an end too
                } finally {
                  lines.add(END);
                }
              });
    }

    static Client open(TestServer t) throws Exception {
      return open(t, null);
    }

    /** A client that reconnects: it sends the last event id it saw. */
    static Client open(TestServer t, String lastEventId) throws Exception {
      return open(t, "", lastEventId);
    }

    /** A client of {@code /api/events} + {@code query}; {@code lastEventId} null: a new one. */
    static Client open(TestServer t, String query, String lastEventId) throws Exception {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(t.base + "/api/events" + query))
              .header("Accept", "text/event-stream");
      if (lastEventId != null) request.header("Last-Event-ID", lastEventId);
      HttpResponse<Stream<String>> r =
          t.http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
      assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
      return new Client(r.body());
    }

    /** Reads lines until one matches; fails after the patience runs out or the stream ends. */
    String awaitLine(Predicate<String> wanted) throws Exception {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (true) {
        String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) throw new AssertionError("no such line in time; read: " + seen);
        if (line.equals(END)) throw new AssertionError("the stream ended; read: " + seen);
        seen.add(line);
        if (wanted.test(line)) return line;
      }
    }

    /** Reads until an event of this name whose data matches arrives, and answers its data. */
    JsonNode awaitEvent(String name, Predicate<JsonNode> wanted) throws Exception {
      while (true) {
        awaitLine(l -> l.equals("event: " + name));
        JsonNode data = Json.parse(awaitLine(l -> l.startsWith("data: ")).substring(6));
        if (wanted.test(data)) return data;
      }
    }

    /** The last event id read so far (the start id sent on connect, if no event came since). */
    String lastId() {
      return seen.stream()
          .filter(l -> l.startsWith("id: "))
          .reduce((a, b) -> b)
          .orElseThrow()
          .substring(4);
    }

    /** The data of every event of this name read so far. */
    List<JsonNode> events(String name) {
      List<JsonNode> out = new ArrayList<>();
      for (int i = 0; i + 1 < seen.size(); i++) {
        if (seen.get(i).equals("event: " + name) && seen.get(i + 1).startsWith("data: "))
          out.add(Json.parse(seen.get(i + 1).substring(6)));
      }
      return out;
    }

    void awaitEnd() throws Exception {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (true) {
        String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) throw new AssertionError("the stream did not end; read: " + seen);
        if (line.equals(END)) return;
        seen.add(line);
      }
    }

    @Override
    public void close() {
      body.close();
    }
  }
}
