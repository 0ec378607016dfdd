package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.bookcreator.core.alert.LongRunNotices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A run longer than {@code notify.long_run_after} is announced to a real receiver when it ends:
 * BookReady with the manuscript, time and cost when it completes, BookFailed when it fails; once,
 * also when another process looks again. A shorter run is not announced.
 */
class LongRunNotificationTest {
  @TempDir Path dir;
  private final TestReceiver receiver = new TestReceiver();

  @AfterEach
  void stop() {
    receiver.close();
  }

  private static final String QUICK = "simulated:\n  latency_median: 0ms\n";

  /** {@code provider}: the simulated provider's settings, {@link #QUICK} or failing. */
  private Path config(String longRunAfter, String provider) throws Exception {
    return FailingProviderRun.config(
        dir,
        provider,
        "webhooks: %s\nlong_run_after: %s\n".formatted(receiver.url("/hook"), longRunAfter));
  }

  private Cli cli(String command, Path config, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(command, "--data-dir", dir.resolve("data").toString(), "--config"));
    args.add(config.toString());
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  private List<JsonNode> notices(String name) {
    return receiver.at("/hook").stream()
        .flatMap(
            r -> java.util.stream.StreamSupport.stream(r.body().get("alerts").spliterator(), false))
        .filter(a -> a.get("name").asString().equals(name))
        .toList();
  }

  @Test
  void aLongRunThatCompletes_announcesBookReady_once_withTheManuscriptTimeAndCost()
      throws Exception {
    Path config = config("1ms", QUICK);

    Cli run = cli("run", config, CliTest.example("dragon.yaml").toString());
    Cli again = cli("resume", config);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(again.exitCode()).as(again.err()).isZero();
    List<JsonNode> ready = notices(LongRunNotices.BOOK_READY);
    assertThat(ready).as("once, though a second process looked again").hasSize(1);
    JsonNode notice = ready.getFirst();
    assertThat(notice.get("severity").asString()).isEqualTo("info");
    assertThat(notice.get("status").asString()).isEqualTo("firing");
    assertThat(notice.get("summary").asString()).contains("is ready").contains("$");
    String runId = notice.get("labels").get("run_id").asString();
    Path manuscript =
        dir.resolve("data/projects")
            .resolve(notice.get("labels").get("project_id").asString())
            .resolve("runs")
            .resolve(runId)
            .resolve("manuscript.md");
    assertThat(notice.get("description").asString())
        .contains("Manuscript: " + manuscript.toAbsolutePath().normalize())
        .contains("took");
    assertThat(manuscript).exists();
    assertThat(notices(LongRunNotices.BOOK_FAILED)).isEmpty();
  }

  @Test
  void aLongRunThatFails_announcesBookFailed() throws Exception {
    Path config = config("1ms", FailingProvider.CONFIG);

    Cli run = cli("run", config, CliTest.example("dragon.yaml").toString());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.RUN_FAILED);
    List<JsonNode> failed = notices(LongRunNotices.BOOK_FAILED);
    assertThat(failed).hasSize(1);
    assertThat(failed.getFirst().get("summary").asString()).contains("failed after");
    assertThat(failed.getFirst().get("description").asString())
        .contains("bin/book-creator diagnose");
    assertThat(notices(LongRunNotices.BOOK_READY)).isEmpty();
  }

  @Test
  void aRunShorterThanTheThreshold_isNotAnnounced() throws Exception {
    Path config = config("10m", QUICK);

    Cli run = cli("run", config, CliTest.example("dragon.yaml").toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(notices(LongRunNotices.BOOK_READY)).isEmpty();
  }
}
