package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.project.Brief;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.store.StoreLockedException;
import org.bookcreator.core.view.ProjectView;
import org.bookcreator.telemetry.sdk.TelemetrySdk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The composition root opens the store, pipeline and services as each use asks. */
class EngineTest {
  @TempDir Path dir;

  private Settings settings() {
    return Settings.load(null, Map.of(), Map.of(Setting.DATA_DIR, dir.resolve("data").toString()));
  }

  private static Observability.Observed quiet() {
    return new Observability.Observed(TelemetrySdk.noop(), null);
  }

  @Test
  void read_whereNothingHasRun_isEmpty_createsNoStore_andRequireSaysSo() {
    Settings settings = settings();

    Optional<Engine> read = Engine.read(settings);

    assertThat(read).isEmpty();
    assertThat(Engine.storeExists(settings)).isFalse();
    assertThat(Files.exists(dir.resolve("data"))).isFalse();
    assertThatThrownBy(() -> Engine.require(settings))
        .isInstanceOf(Main.UsageException.class)
        .hasMessageContaining("nothing has run yet");
  }

  @Test
  void theAlertEvaluator_seesTheLogLinesAndSpansTheTelemetryDropped() {
    try (Engine engine = Engine.open(settings(), quiet(), Engine.Use.PIPELINE)) {
      engine.telemetry.metrics().dropped("logs");
      engine.telemetry.metrics().dropped("spans");

      engine.alerts.orElseThrow().evaluate();

      assertThat(engine.store.openAlerts())
          .filteredOn(a -> a.name().equals("TelemetryDropping"))
          .singleElement()
          .satisfies(a -> assertThat(a.description()).startsWith("2 log line(s) or span(s)"));
    }
  }

  @Test
  void pipelineUse_holdsTheLock_sharedUseReadsBesideIt_withoutAPipeline() {
    Settings settings = settings();
    Brief brief =
        new Brief(
            "Root Book",
            "fiction",
            Optional.empty(),
            "About one place.",
            1,
            Optional.empty(),
            List.of());

    try (Engine pipeline = Engine.open(settings, quiet(), Engine.Use.PIPELINE)) {
      Project created = pipeline.runs.createProject(brief, "test");

      assertThat(pipeline.drivesRuns()).isTrue();
      assertThat(pipeline.pipeline()).isNotNull();
      assertThatThrownBy(() -> Engine.open(settings, quiet(), Engine.Use.EXCLUSIVE))
          .isInstanceOf(StoreLockedException.class);
      try (Engine shared = Engine.require(settings)) {
        assertThat(shared.drivesRuns()).isFalse();
        assertThatThrownBy(shared::pipeline).isInstanceOf(IllegalStateException.class);
        assertThat(shared.library.allProjects())
            .extracting(ProjectView::id)
            .containsExactly(created.id());
      }
    }

    try (Engine exclusive = Engine.open(settings, quiet(), Engine.Use.EXCLUSIVE)) {
      assertThat(exclusive.drivesRuns()).isFalse();
      assertThat(exclusive.store.projects()).hasSize(1);
    }
  }

  @Test
  void aRunEndedByAnotherProcess_endsTheWaitOfThePipelineProcess_whileItsCallIsStillInFlight()
      throws Exception {
    Settings settings =
        Settings.load(
            null,
            Map.of(),
            Map.of(
                Setting.DATA_DIR,
                dir.resolve("data").toString(),
                Setting.SIM_LATENCY,
                "60s",
                Setting.SIM_SIGMA,
                "0"));
    Brief brief =
        new Brief(
            "Slow Book",
            "fiction",
            Optional.empty(),
            "About waiting.",
            1,
            Optional.empty(),
            List.of());

    try (Engine pipeline = Engine.open(settings, quiet(), Engine.Use.PIPELINE)) {
      pipeline.pipeline().start(true);
      Project created = pipeline.runs.createProject(brief, "test");
      Run run = pipeline.runs.start(created.id(), "test");
      java.util.concurrent.CompletableFuture<Run> waited = pipeline.pipeline().completion(run.id());
      long deadline = System.nanoTime() + 15_000_000_000L;
      while (pipeline.store.tasks(run.id()).stream()
          .noneMatch(t -> t.state() == org.bookcreator.core.run.TaskState.LEASED)) {
        assertThat(System.nanoTime()).as("a call is in flight").isLessThan(deadline);
        Thread.sleep(20);
      }
      try (Engine other = Engine.require(settings)) {
        other.runs.cancel(run.id(), "cancelled by another process");
      }

      Run ended = waited.get(15, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(ended.state()).isEqualTo(org.bookcreator.core.run.RunState.CANCELLED);
    }
  }
}
