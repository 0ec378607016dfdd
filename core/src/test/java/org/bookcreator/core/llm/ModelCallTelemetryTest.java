package org.bookcreator.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.telemetry.Redactor;
import org.bookcreator.telemetry.SpanRecord;
import org.bookcreator.telemetry.TelemetryConfig;
import org.bookcreator.telemetry.sdk.TelemetrySdk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ModelCallTelemetryTest {
  /** A provider that answers with a fixed result and remembers the span current during the call. */
  private static final class FakeLlmClient implements LlmClient {
    private final Function<LlmRequest, LlmResult> answer;
    SpanContext currentDuringCall;
    String serverAddress = "simulated.local";

    FakeLlmClient(Function<LlmRequest, LlmResult> answer) {
      this.answer = answer;
    }

    static FakeLlmClient answering(LlmResult result) {
      return new FakeLlmClient(r -> result);
    }

    @Override
    public String provider() {
      return "simulated";
    }

    @Override
    public String serverAddress() {
      return serverAddress;
    }

    @Override
    public LlmResult complete(LlmRequest request) {
      currentDuringCall = Span.current().getSpanContext();
      return answer.apply(request);
    }
  }

  private final List<SpanRecord> stored = new CopyOnWriteArrayList<>();
  private final TelemetrySdk telemetry =
      TelemetrySdk.create(
          new TelemetryConfig("test", true, true, 1.0, false, Set.of("sim-standard")),
          Redactor.none(),
          stored::addAll,
          1024,
          List.of());
  private final Logger logger = (Logger) LoggerFactory.getLogger("test.model-calls");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final ModelCallTelemetry calls;

  private final LlmRequest request =
      new LlmRequest(
          "sim-standard",
          TaskKind.DRAFT_CHAPTER,
          "chapter-1/draft/a0/c0",
          List.of(Message.user("Write chapter 1.")),
          Optional.empty(),
          Map.of(),
          Duration.ofSeconds(30));
  private final ModelCall.Context context =
      new ModelCall.Context("task_1/a0/c0", "run_1", 0, "chapter_writing", "fiction");

  ModelCallTelemetryTest() {
    lines.start();
    logger.addAppender(lines);
    logger.setLevel(Level.INFO);
    logger.setAdditive(false);
    calls = new ModelCallTelemetry(telemetry, logger);
  }

  @AfterEach
  void tearDown() {
    logger.detachAppender(lines);
    telemetry.close();
  }

  @Test
  void completedCall_isOneClientSpan_currentWhileTheProviderAnswers() {
    FakeLlmClient llm =
        FakeLlmClient.answering(completed("sim-standard-2", new Usage(1200, 800, 100, 50, 0)));

    ModelCall call = calls.call(llm, request, context, r -> Optional.of(new BigDecimal("0.0044")));

    SpanRecord span = onlySpan();
    assertThat(span.name()).isEqualTo("chat sim-standard-2");
    assertThat(span.kind()).isEqualTo("client");
    assertThat(llm.currentDuringCall.getSpanId()).isEqualTo(span.spanId());
    assertThat(span.attributes())
        .containsEntry("gen_ai.operation.name", "chat")
        .containsEntry("gen_ai.provider.name", "simulated")
        .containsEntry("gen_ai.request.model", "sim-standard")
        .containsEntry("gen_ai.response.model", "sim-standard-2")
        .containsEntry("gen_ai.usage.input_tokens", "1200")
        .containsEntry("gen_ai.usage.output_tokens", "800")
        .containsEntry("gen_ai.usage.cache_read.input_tokens", "100")
        .containsEntry("gen_ai.usage.cache_creation.input_tokens", "50")
        .containsEntry("book_creator.run.id", "run_1")
        .containsEntry("book_creator.attempt", "0")
        .doesNotContainKeys("error.type", "gen_ai.input.messages");
    assertThat(call.result()).isInstanceOf(LlmResult.Completed.class);
    assertThat(call.cost()).contains(new BigDecimal("0.0044"));
  }

  @Test
  void completedCall_recordsMetricsAndOneInfoLine_withTheSettledCost() {
    FakeLlmClient llm =
        new FakeLlmClient(
            r ->
                new LlmResult.Completed(
                    "Once upon a time.",
                    "sim-standard",
                    Usage.of(1200, 800),
                    Duration.ofMillis(420)));

    calls.call(llm, request, context, r -> Optional.of(new BigDecimal("0.004400000000")));

    String metrics = telemetry.scrape();
    assertThat(metrics)
        .contains(
            "book_creator_cost_usd_total{category=\"fiction\",model=\"sim-standard\","
                + "provider=\"simulated\",stage=\"chapter_writing\"} 0.0044")
        .contains("gen_ai_token_type=\"input\"")
        .doesNotContain("book_creator_unpriced_calls_total{")
        .doesNotContain("book_creator_provider_errors_total{");
    assertThat(lines.list).hasSize(1);
    ILoggingEvent line = lines.list.getFirst();
    assertThat(line.getLevel()).isEqualTo(Level.INFO);
    assertThat(line.getFormattedMessage()).isEqualTo("llm call ok");
    assertThat(keyValues(line))
        .containsExactly(
            Map.entry("provider", "simulated"),
            Map.entry("model", "sim-standard"),
            Map.entry("latency_ms", "420"),
            Map.entry("input_tokens", "1200"),
            Map.entry("output_tokens", "800"),
            Map.entry("cost_usd", "0.004400000000"));
  }

  @Test
  void metricsLabelTheCatalogueName_whileSpanAndLineKeepTheAnsweredName() {
    TelemetrySdk catalogued =
        TelemetrySdk.create(
            new TelemetryConfig(
                "test", true, true, 1.0, false, PriceTable.defaults().modelLabels()),
            Redactor.none(),
            stored::addAll,
            1024,
            List.of());
    try {
      ModelCallTelemetry labelled = new ModelCallTelemetry(catalogued, logger);
      LlmRequest large =
          new LlmRequest(
              "sim-large",
              TaskKind.DRAFT_CHAPTER,
              "chapter-2/draft/a0/c0",
              List.of(Message.user("Write chapter 2.")),
              Optional.empty(),
              Map.of(),
              Duration.ofSeconds(30));

      labelled.call(
          FakeLlmClient.answering(completed("sim-standard-2026-05-01", Usage.of(1200, 800))),
          request,
          context,
          r -> Optional.of(new BigDecimal("0.0044")));
      labelled.call(
          FakeLlmClient.answering(completed("router/large-v7", Usage.of(10, 10))),
          large,
          context,
          r -> Optional.of(BigDecimal.ONE));

      String metrics = catalogued.scrape();
      assertThat(metrics)
          .contains(
              "book_creator_cost_usd_total{category=\"fiction\",model=\"sim-standard\","
                  + "provider=\"simulated\",stage=\"chapter_writing\"} 0.0044")
          .as("priced by the requested model, labelled by it")
          .contains("book_creator_cost_usd_total{category=\"fiction\",model=\"sim-large\",")
          .doesNotContain("sim-standard-2026-05-01")
          .doesNotContain("router/large-v7")
          .as("the cost of a model outside the catalogue, priced by the requested one")
          .doesNotContain(",model=\"other\"");
      catalogued.flush();
      assertThat(stored)
          .extracting(span -> span.attributes().get("gen_ai.response.model"))
          .containsExactly("sim-standard-2026-05-01", "router/large-v7");
      assertThat(lines.list)
          .extracting(line -> keyValues(line).get("model"))
          .containsExactly("sim-standard-2026-05-01", "router/large-v7");
    } finally {
      catalogued.close();
    }
  }

  @Test
  void genAiMetrics_carryTheResponseModelAndServerAddress_boundedByTheCatalogue() {
    TelemetrySdk catalogued =
        TelemetrySdk.create(
            new TelemetryConfig(
                "test", true, false, 1.0, false, PriceTable.defaults().modelLabels()),
            Redactor.none(),
            List.of());
    try {
      ModelCallTelemetry labelled = new ModelCallTelemetry(catalogued, logger);
      FakeLlmClient dated =
          FakeLlmClient.answering(completed("sim-standard-2026-05-01", Usage.of(1200, 800)));
      dated.serverAddress = "llm.example.org";
      FakeLlmClient unknown =
          FakeLlmClient.answering(completed("router/large-v7", Usage.of(10, 10)));
      unknown.serverAddress = "llm.example.org";

      labelled.call(dated, request, context, r -> Optional.empty());
      labelled.call(unknown, request, context, r -> Optional.empty());

      List<String> genAi =
          catalogued
              .scrape()
              .lines()
              .filter(l -> l.startsWith("gen_ai_client_") && l.contains("_count{"))
              .toList();
      assertThat(genAi)
          .hasSize(6)
          .allMatch(l -> l.contains("server_address=\"llm.example.org\""))
          .anyMatch(l -> l.contains("gen_ai_response_model=\"sim-standard\""))
          .anyMatch(l -> l.contains("gen_ai_response_model=\"other\""))
          .noneMatch(l -> l.contains("2026-05-01") || l.contains("router/large-v7"));
    } finally {
      catalogued.close();
    }
  }

  @Test
  void failedCall_metricsHaveTheServerAddress_andNoResponseModel() {
    FakeLlmClient llm =
        FakeLlmClient.answering(
            new LlmResult.Fatal(
                ErrorType.AUTHENTICATION, "401: bad key", "sim-standard", Duration.ofMillis(15)));
    llm.serverAddress = "api.example.com";

    calls.call(llm, request, context, r -> Optional.empty());

    assertThat(telemetry.scrape())
        .contains(
            "gen_ai_client_operation_duration_seconds_count{error_type=\"authentication\","
                + "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"simulated\","
                + "gen_ai_request_model=\"sim-standard\",server_address=\"api.example.com\"} 1")
        .doesNotContain("gen_ai_response_model");
    assertThat(onlySpan().attributes()).containsEntry("server.address", "api.example.com");
  }

  @Test
  void failedCall_marksTheSpan_countsTheError_andWarns() {
    FakeLlmClient llm =
        FakeLlmClient.answering(
            new LlmResult.Retryable(
                ErrorType.RATE_LIMITED,
                "429: slow down",
                "sim-standard",
                Optional.empty(),
                Duration.ofMillis(15)));

    calls.call(llm, request, context, r -> Optional.empty());

    SpanRecord span = onlySpan();
    assertThat(span.status()).isEqualTo("error");
    assertThat(span.attributes()).containsEntry("error.type", "rate_limited");
    assertThat(telemetry.scrape())
        .contains(
            "book_creator_provider_errors_total{error_type=\"rate_limited\",provider=\"simulated\"}"
                + " 1")
        .contains(
            "book_creator_unpriced_calls_total{model=\"sim-standard\",provider=\"simulated\"} 1");
    ILoggingEvent line = lines.list.getFirst();
    assertThat(line.getLevel()).isEqualTo(Level.WARN);
    assertThat(line.getFormattedMessage()).isEqualTo("llm call failed: 429: slow down");
    assertThat(keyValues(line))
        .containsEntry("cost_usd", "unpriced")
        .containsEntry("error_type", "rate_limited");
  }

  @Test
  void providerThatThrows_endsAsFatalInternal() {
    FakeLlmClient llm =
        new FakeLlmClient(
            r -> {
              throw new IllegalStateException("bug in the adapter");
            });

    ModelCall call = calls.call(llm, request, context, r -> Optional.empty());

    assertThat(call.result())
        .isInstanceOfSatisfying(
            LlmResult.Fatal.class, f -> assertThat(f.type()).isEqualTo(ErrorType.INTERNAL));
    assertThat(onlySpan().attributes()).containsEntry("error.type", "internal");
  }

  @Test
  void settle_runsAfterTheSpanEnds_andBeforeTheMetricsAndTheLine() {
    FakeLlmClient llm = FakeLlmClient.answering(completed("sim-standard", Usage.of(10, 20)));
    List<String> seenBySettle = new ArrayList<>();

    calls.call(
        llm,
        request,
        context,
        r -> {
          telemetry.flush();
          seenBySettle.add("spans ended: " + stored.size());
          seenBySettle.add("span current: " + Span.current().getSpanContext().isValid());
          seenBySettle.add("lines: " + lines.list.size());
          seenBySettle.add(
              "token metrics: " + telemetry.scrape().contains("gen_ai_client_token_usage_count"));
          return Optional.of(BigDecimal.ONE);
        });

    assertThat(seenBySettle)
        .containsExactly(
            "spans ended: 1", "span current: false", "lines: 0", "token metrics: false");
    assertThat(lines.list).hasSize(1);
  }

  @Test
  void settleThatThrows_reachesTheCaller_andRecordsNoMetricsOrLine() {
    FakeLlmClient llm = FakeLlmClient.answering(completed("sim-standard", Usage.of(10, 20)));

    assertThatThrownBy(
            () ->
                calls.call(
                    llm,
                    request,
                    context,
                    r -> {
                      throw new IllegalStateException("ledger unavailable");
                    }))
        .hasMessage("ledger unavailable");

    assertThat(onlySpan().name()).isEqualTo("chat sim-standard");
    assertThat(lines.list).isEmpty();
    assertThat(telemetry.scrape()).doesNotContain("gen_ai_client_token_usage_count");
  }

  private static LlmResult.Completed completed(String model, Usage usage) {
    return new LlmResult.Completed("Once upon a time.", model, usage, Duration.ofMillis(420));
  }

  private SpanRecord onlySpan() {
    telemetry.flush();
    assertThat(stored).hasSize(1);
    return stored.getFirst();
  }

  private static Map<String, String> keyValues(ILoggingEvent line) {
    Map<String, String> kv = new LinkedHashMap<>();
    line.getKeyValuePairs().forEach(p -> kv.put(p.key, String.valueOf(p.value)));
    return kv;
  }
}
