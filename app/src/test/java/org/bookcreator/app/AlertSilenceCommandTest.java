package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code alerts silence}, {@code alerts silences} and {@code alerts unsilence}: a silenced alert
 * fires and is recorded, is shown as silenced, and nobody hears of it, while the others are
 * notified; bad input is refused naming the flag.
 */
class AlertSilenceCommandTest {
  @TempDir Path dir;

  private Cli alerts(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "alerts";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--data-dir";
    all[args.length + 2] = dir.resolve("data").toString();
    return Cli.run(all);
  }

  @Test
  void aSilencedAlert_firesAndIsShownSilenced_andOnlyTheOthersAreNotified() throws Exception {
    try (TestReceiver hooks = new TestReceiver()) {
      Path config =
          Files.writeString(
              dir.resolve("notify.yaml"),
              FailingProvider.CONFIG
                  + """
                  alerts:
                    interval: 1h
                    group_wait: 0s
                  notify:
                    webhooks: %s
                  """
                      .formatted(hooks.url("/hook")));
      Cli silence =
          alerts(
              "silence",
              "--match",
              "alertname=RunFailed",
              "--match",
              "run_id=~run_.*",
              "--for",
              "2h",
              "--reason",
              "known outage",
              "--json");
      String id = Json.parse(silence.out()).get("id").asString();

      Cli run = FailingProvider.run(dir.resolve("data"), config);
      JsonNode open = Json.parse(alerts("--json").out()).get("alerts");
      Cli table = alerts();
      Cli listed = alerts("silences");

      assertThat(silence.exitCode()).as(silence.err()).isZero();
      assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.RUN_FAILED);
      List<String> notified =
          hooks.at("/hook").stream()
              .flatMap(r -> r.body().get("alerts").findValuesAsString("name").stream())
              .toList();
      assertThat(notified).contains("ProviderDown").doesNotContain("RunFailed");
      assertThat(open)
          .anySatisfy(
              a -> {
                assertThat(a.get("name").asString()).isEqualTo("RunFailed");
                assertThat(a.get("state").asString()).isEqualTo("firing");
                assertThat(Json.MAPPER.convertValue(a.get("silenced_by"), List.class))
                    .containsExactly(id);
              })
          .anySatisfy(
              a -> {
                assertThat(a.get("name").asString()).isEqualTo("ProviderDown");
                assertThat(a.get("silenced_by")).isEmpty();
              });
      assertThat(table.out()).contains("firing, silenced").contains("silenced by " + id);
      assertThat(listed.out())
          .contains(id, "alertname=RunFailed, run_id=~run_.*", "cli", "known outage");

      Cli ended = alerts("unsilence", id);
      Cli again = alerts("unsilence", id);

      assertThat(ended.out()).contains("silence " + id + " ended");
      assertThat(again.out()).contains("had already ended");
      assertThat(Json.parse(alerts("silences", "--json").out()).get("silences")).isEmpty();
    }
  }

  @Test
  void badSilences_andUnknownIds_areBadInput_namingTheFlag() {
    Map<List<String>, String> refusals =
        Map.of(
            List.of("--match", "alertname", "--for", "2h", "--reason", "r"),
            "--match: 'alertname' has no operator",
            List.of("--match", "run_id!=r1", "--for", "2h", "--reason", "r"),
            "--match: these would silence every alert",
            List.of("--match", "provider=~open(", "--for", "2h", "--reason", "r"),
            "not a regular expression",
            List.of("--match", "alertname=RunFailed", "--for", "2 hours", "--reason", "r"),
            "--for: expected a duration such as 500ms, 30s, 5m, 1h or 14d, got '2 hours'",
            List.of("--match", "alertname=RunFailed", "--for", "0s", "--reason", "r"),
            "--for: must be longer than 0",
            List.of("--match", "alertname=RunFailed", "--for", "400d", "--reason", "r"),
            "--for: a silence lasts at most 365d",
            List.of("--match", "alertname=RunFailed", "--for", "2h", "--reason", " "),
            "--reason: required");
    for (Map.Entry<List<String>, String> r : refusals.entrySet()) {
      List<String> args = new java.util.ArrayList<>(List.of("silence"));
      args.addAll(r.getKey());

      Cli refused = alerts(args.toArray(String[]::new));

      assertThat(refused.exitCode()).as(r.getKey().toString()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(refused.err()).contains(r.getValue());
    }
    Cli unknown = alerts("unsilence", "sil_nope");
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(unknown.err()).contains("no silence sil_nope");
  }
}
