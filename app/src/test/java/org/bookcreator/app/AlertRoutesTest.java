package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code alerts.routes} sends each alert to the notifiers of the first route that matches it: a
 * failed run against a failing provider fires ProviderDown (critical) and RunFailed (warning); with
 * critical alerts routed to one of two webhooks, the other never hears of ProviderDown, while the
 * unrouted RunFailed reaches both.
 */
class AlertRoutesTest {
  @TempDir Path dir;
  private final TestReceiver receiver = new TestReceiver();

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Test
  void aCriticalAlert_reachesOnlyTheRoutedNotifiers_andAnUnroutedOneReachesEvery()
      throws Exception {
    Path config =
        FailingProviderRun.config(
            dir,
            """
            webhooks: %s, %s
            """
                .formatted(receiver.url("/oncall"), receiver.url("/team")));
    String routed =
        java.nio.file.Files.readString(config)
            .replace("alerts:\n", "alerts:\n  routes: \"severity=critical:webhook-1\"\n");
    java.nio.file.Files.writeString(config, routed);

    Cli run = FailingProviderRun.run(dir, config, Map.of());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(names("/oncall")).contains("ProviderDown", "RunFailed");
    assertThat(names("/team")).contains("RunFailed").doesNotContain("ProviderDown");
  }

  private List<String> names(String path) {
    return receiver.at(path).stream()
        .flatMap(r -> r.body().get("alerts").findValuesAsString("name").stream())
        .toList();
  }
}
