package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.llm.ErrorType;
import org.bookcreator.core.llm.LlmClient;
import org.bookcreator.core.llm.LlmRequest;
import org.bookcreator.core.llm.LlmResult;
import org.bookcreator.core.llm.LlmRouter;
import org.bookcreator.core.pipeline.Pipeline;
import org.bookcreator.core.pipeline.PipelineConfig;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.support.Ids;
import org.bookcreator.providers.simulated.SimulatedLlmClient;
import org.bookcreator.providers.simulated.SimulationConfig;
import org.bookcreator.store.sqlite.SqliteStore;
import org.bookcreator.telemetry.Telemetry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing by stage and role, and the fallback provider, through the whole pipeline and the ledger.
 */
class RoutingTest {
  @TempDir Path dir;
  private SqliteStore store;
  private Pipeline pipeline;

  /**
   * A provider that is down: every call answers 503. It stands in for a real provider's outage,
   * which cannot be produced on demand.
   */
  private record DownProvider(String provider) implements LlmClient {
    @Override
    public LlmResult complete(LlmRequest request) {
      return new LlmResult.Retryable(
          ErrorType.SERVER_ERROR,
          "503 Service Unavailable",
          request.model(),
          Optional.empty(),
          Duration.ZERO);
    }
  }

  /** The simulated provider under another name, so the ledger shows which route a call took. */
  private record Renamed(String provider, LlmClient inner) implements LlmClient {
    @Override
    public LlmResult complete(LlmRequest request) {
      return inner.complete(request);
    }
  }

  private Run run(LlmRouter router) throws Exception {
    store = SqliteStore.open(dir.resolve("data"), true);
    Ids ids = Ids.system();
    pipeline =
        new Pipeline(
            store,
            router,
            PriceTable.defaults(),
            PipelineConfig.defaults(dir)
                .withWorkers(2)
                .withRetries(4, Duration.ofMillis(1), Duration.ofMillis(5), 2),
            Telemetry.noop(),
            InstantSource.system(),
            ids,
            new Random(1),
            org.bookcreator.docparse.MultiFormatDocumentParser.defaults());
    Project p =
        new Project(
            ids.next("prj"),
            "Routed",
            "fiction",
            Optional.empty(),
            "A brief.",
            2,
            Optional.empty(),
            List.of(),
            java.time.Instant.now());
    store.createProject(p);
    pipeline.start();
    Run run = TestRuns.start(store, pipeline, p, 7);
    return pipeline.completion(run.id()).get(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() {
    if (pipeline != null) pipeline.close();
    if (store != null) store.close();
  }

  @Test
  void criticCallsGoWhereTheRuleSends_andTheRestToTheDefault() throws Exception {
    LlmClient simulated = new SimulatedLlmClient(SimulationConfig.instant(7));
    LlmClient cheap = new Renamed("openai", simulated);
    LlmRouter router =
        new LlmRouter(
            simulated,
            List.of(cheap),
            LlmRouter.parseRules("*/critic=openai:gpt-4o-mini"),
            Optional.empty(),
            2);

    Run run = run(router);

    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    List<LedgerEntry> calls = store.calls(run.id());
    assertThat(calls.stream().filter(c -> c.role() == AgentRole.CRITIC))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.provider()).isEqualTo("openai"));
    assertThat(calls.stream().filter(c -> c.role() != AgentRole.CRITIC))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.provider()).isEqualTo("simulated"));
  }

  @Test
  void whenThePrimaryKeepsFailing_theFallbackFinishesTheRun() throws Exception {
    LlmClient down = new DownProvider("openai");
    LlmClient fallback = new SimulatedLlmClient(SimulationConfig.instant(7));
    LlmRouter router =
        new LlmRouter(
            down, List.of(fallback), List.of(), Optional.of(LlmRouter.parseTarget("simulated")), 2);

    Run run = run(router);

    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    List<LedgerEntry> calls = store.calls(run.id());
    assertThat(calls)
        .filteredOn(c -> c.provider().equals("openai"))
        .isNotEmpty()
        .allSatisfy(
            c -> {
              assertThat(c.outcome()).isEqualTo(LedgerEntry.ERROR);
              assertThat(c.attempt()).isLessThanOrEqualTo(2);
            });
    assertThat(calls)
        .filteredOn(c -> c.provider().equals("simulated"))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.attempt()).isGreaterThan(2));
  }
}
