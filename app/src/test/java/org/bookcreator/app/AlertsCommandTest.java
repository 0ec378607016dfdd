package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bookcreator.core.support.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A run against a provider that fails every call leaves its alerts in the store, where {@code
 * alerts} and {@code alerts history} read them; {@code alerts rules} says what is evaluated.
 */
class AlertsCommandTest {
  @TempDir Path dir;

  @Test
  void aRunAgainstAFailingProvider_leavesRunFailedAndProviderDownFiring() throws Exception {
    Path data = dir.resolve("data");
    Path config =
        Files.writeString(
            dir.resolve("failing.yaml"),
            FailingProvider.CONFIG
                + """
                alerts:
                  interval: 1h
                """);

    Cli run = FailingProvider.run(data, config);
    Cli alerts = Cli.run("alerts", "--json", "--data-dir", data.toString());
    Cli table = Cli.run("alerts", "--data-dir", data.toString());
    Cli history = Cli.run("alerts", "history", "--data-dir", data.toString());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.RUN_FAILED);
    JsonNode firing = Json.parse(alerts.out()).get("alerts");
    assertThat(firing.findValuesAsString("name")).contains("RunFailed", "ProviderDown");
    assertThat(firing)
        .allSatisfy(a -> assertThat(a.get("state").asString()).isEqualTo("firing"))
        .anySatisfy(
            a -> {
              assertThat(a.get("name").asString()).isEqualTo("ProviderDown");
              assertThat(a.get("labels").get("provider").asString()).isEqualTo("simulated");
              assertThat(a.get("runbook").asString()).isEqualTo("docs/runbooks/provider-errors.md");
            });
    assertThat(table.out())
        .contains("firing", "critical", "ProviderDown", "runbook: docs/runbooks/run-failed.md");
    assertThat(history.out()).contains("- -> firing").contains("RunFailed");
  }

  @Test
  void rules_listEveryRule_andAnUnknownNameInAlertsDisabledIsBadInput() throws Exception {
    Path config = Files.writeString(dir.resolve("off.yaml"), "alerts:\n  disabled: RunFailed\n");
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "alerts:\n  disabled: RunFaild\n");

    Cli rules = Cli.run("alerts", "rules", "--json", "--config", config.toString());
    Cli refused = Cli.run("alerts", "rules", "--config", bad.toString());

    JsonNode all = Json.parse(rules.out()).get("rules");
    assertThat(all.findValuesAsString("name"))
        .contains("WorkflowStalled", "ProviderErrorRateHigh", "StoreDiskLow");
    assertThat(all)
        .anySatisfy(
            r -> {
              assertThat(r.get("name").asString()).isEqualTo("RunFailed");
              assertThat(r.get("enabled").asBoolean()).isFalse();
            });
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(refused.err()).contains("alerts.disabled").contains("no alert rule named RunFaild");
  }

  @Test
  void rules_showTheThresholdsInForce_andABadThresholdIsBadInput() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("tuned.yaml"),
            "alerts:\n  thresholds: ProviderErrorRateHigh.max_share=35%, ProviderDown.for=1m\n");
    Path bad =
        Files.writeString(
            dir.resolve("bad.yaml"), "alerts:\n  thresholds: ProviderDown.max_share=0.5\n");

    Cli rules = Cli.run("alerts", "rules", "--json", "--config", config.toString());
    Cli table = Cli.run("alerts", "rules", "--config", config.toString());
    Cli refused = Cli.run("alerts", "rules", "--config", bad.toString());

    JsonNode all = Json.parse(rules.out()).get("rules");
    assertThat(all)
        .anySatisfy(
            r -> {
              assertThat(r.get("name").asString()).isEqualTo("ProviderErrorRateHigh");
              assertThat(r.get("thresholds").get("max_share").asString()).isEqualTo("0.35");
              assertThat(r.get("condition").asString()).contains("exceed 35%");
            })
        .anySatisfy(
            r -> {
              assertThat(r.get("name").asString()).isEqualTo("ProviderDown");
              assertThat(r.get("thresholds").get("for").asString()).isEqualTo("1m");
            });
    assertThat(table.out()).contains("exceed 35%").contains("alerts.thresholds");
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(refused.err())
        .contains("alerts.thresholds")
        .contains("ProviderDown has no threshold max_share; its thresholds are window");
  }
}
