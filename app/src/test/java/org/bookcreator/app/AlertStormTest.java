package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A storm: fifty runs fail within a minute in a provider outage, in a {@code serve} with the
 * default grouping (group wait 10 s, group interval 5 m). A webhook receiver gets at most three
 * notifications, the RunFailed one listing every failed run.
 */
class AlertStormTest {
  private static final int RUNS = 50;

  @TempDir Path dir;
  private final TestHttp http = new TestHttp();
  private TestReceiver receiver;
  private ServeCommand.Serving serving;

  @AfterEach
  void stop() {
    if (serving != null) serving.close();
    if (receiver != null) receiver.close();
  }

  @Test
  void fiftyRunsFailingInAMinute_makeAtMostThreeNotificationsPerNotifier() throws Exception {
    receiver = new TestReceiver();
    Path config =
        Files.writeString(
            dir.resolve("storm.yaml"),
            FailingProvider.CONFIG
                + """
                alerts:
                  interval: 1s
                notify:
                  webhooks: %s
                """
                    .formatted(receiver.url("/hook")));
    Settings settings = Settings.load(config, Map.of(), TestHttp.serveFlags(dir.resolve("data")));
    serving =
        ServeCommand.Serving.start(
            settings, Observability.start(settings, Observability.Mode.FOREGROUND));
    String api = "http://127.0.0.1:" + serving.api.port();

    List<String> runs = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      runs.add(
          http.start(
                  api,
                  "{\"title\":\"Storm "
                      + i
                      + "\",\"category\":\"fiction\",\"brief\":\"b\",\"chapters\":1}")
              .run());
    }
    for (String run : runs)
      assertThat(http.awaitSettled(api, run).get("state").asString()).isEqualTo("failed");
    JsonNode failed =
        receiver
            .await(
                "/hook",
                b -> b.path("alerts").findValuesAsString("name").contains("RunFailed"),
                Duration.ofSeconds(60))
            .body();
    Thread.sleep(15_000); // a group wait and more: anything else the storm would send has come

    assertThat(receiver.at("/hook")).as("notifications in the storm").hasSizeBetween(1, 3);
    List<String> announced =
        receiver.at("/hook").stream()
            .flatMap(r -> r.body().path("alerts").findValuesAsString("run_id").stream())
            .distinct()
            .toList();
    assertThat(announced).as("every failed run is in a notification").containsAll(runs);
    assertThat(failed.get("alerts").size()).isGreaterThan(1);
  }
}
