package org.bookcreator.app;

import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Random;
import org.bookcreator.core.ops.RunService;
import org.bookcreator.core.pipeline.Pipeline;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Ids;
import org.bookcreator.store.sqlite.SqliteStore;
import org.bookcreator.telemetry.sdk.TelemetrySdk;

/** The composition root: store, provider and pipeline wired from the settings. */
final class Engine implements AutoCloseable {
  final Settings settings;
  final Store store;
  final Pipeline pipeline;
  final Ids ids;
  final InstantSource clock;
  final TelemetrySdk telemetry;

  /** The use cases (start, cancel, restart, resume), driving runs through this pipeline. */
  final RunService runs;

  private final Observability.Observed observed;

  private Engine(
      Settings settings,
      Store store,
      Pipeline pipeline,
      Ids ids,
      InstantSource clock,
      Observability.Observed observed) {
    this.observed = observed;
    this.telemetry = observed.telemetry();
    this.settings = settings;
    this.store = store;
    this.pipeline = pipeline;
    this.ids = ids;
    this.clock = clock;
    this.runs = new RunService(store, ids, clock, settings.simulation().seed(), pipeline::wake);
  }

  /** Opens the store exclusively and builds (but does not start) the pipeline. */
  static Engine open(Settings settings, Observability.Observed observed) {
    TelemetrySdk telemetry = observed.telemetry();
    InstantSource clock = InstantSource.system();
    Ids ids = new Ids(clock, new SecureRandom());
    Store store = SqliteStore.open(settings.dataDir(), true);
    observed.attach(store);
    try {
      org.bookcreator.core.llm.LlmRouter llm = settings.llmRouter();
      Pipeline pipeline =
          new Pipeline(
              store,
              llm,
              settings.prices(),
              settings.pipeline(),
              telemetry,
              clock,
              ids,
              new Random(settings.simulation().seed()),
              org.bookcreator.docparse.MultiFormatDocumentParser.defaults());
      pipeline.watchStalls(settings.stallThresholds(), settings.get(Setting.STALL_CHECK_EVERY));
      return new Engine(settings, store, pipeline, ids, clock, observed);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      pipeline.close();
    } finally {
      try {
        telemetry.close();
      } finally {
        observed.detach();
        store.close();
      }
    }
  }
}
