package org.bookcreator.bench;

import static org.bookcreator.core.run.TaskKind.DRAFT_CHAPTER;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bookcreator.core.llm.LlmClient;
import org.bookcreator.core.llm.LlmRequest;
import org.bookcreator.core.llm.LlmResult;
import org.bookcreator.core.llm.ModelCall;
import org.bookcreator.core.llm.ModelCallTelemetry;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.telemetry.BookMetrics;
import org.bookcreator.telemetry.LogConfig;
import org.bookcreator.telemetry.LogContext;
import org.bookcreator.telemetry.Redactor;
import org.bookcreator.telemetry.SemConv;
import org.bookcreator.telemetry.TelemetryConfig;
import org.bookcreator.telemetry.sdk.LogSetup;
import org.bookcreator.telemetry.sdk.TelemetrySdk;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one model call's telemetry costs the calling thread: the chat span (8 attributes, kept in a
 * bounded queue for the span store), the GenAI and cost metrics, and the JSON log line with its
 * context and key-values through the bounded asynchronous appender. {@link #modelCallTelemetry}
 * goes through {@link ModelCallTelemetry}, the pipeline's own recording path, around a provider
 * that answers at once; {@link #modelCallTelemetryInline} makes the same calls written out, as the
 * pipeline made them before they moved there; the baseline does the raw OpenTelemetry and Logback
 * calls they are made of. All three in the same run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class TelemetryBenchmark {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Logger log =
      LoggerFactory.getLogger("org.bookcreator.core.pipeline.AgentExecutor");
  private TelemetrySdk telemetry;
  private BookMetrics metrics;
  private Tracer tracer;
  private SpanContext parent;
  private LongCounter rawCounter;
  private DoubleHistogram rawHistogram;
  private Attributes rawAttributes;
  private LogContext.Scope context;
  private Path dir;
  private ModelCallTelemetry calls;
  private Context parentContext;
  private LlmClient provider;
  private LlmRequest request;
  private ModelCall.Context call;
  private Optional<BigDecimal> cost;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("telemetry-bench");
    Redactor redactor = new Redactor(List.of("sk-benchmark-secret-000"));
    telemetry =
        TelemetrySdk.create(
            new TelemetryConfig("book-creator", true, true, 1.0, false, Set.of("sim-standard")),
            redactor,
            spans -> {},
            8192,
            List.of());
    LogSetup.install(
        new LogConfig(
            "book-creator",
            Optional.of(dir),
            LogConfig.Console.OFF,
            false,
            "WARN",
            "INFO",
            Map.of(),
            100L << 20,
            2,
            8192),
        redactor,
        () -> telemetry.metrics().dropped("logs"));
    metrics = telemetry.metrics();
    tracer = telemetry.tracer();
    parent = telemetry.contextOf("run_bench", "run_bench/chapter_writing");
    parentContext = Context.root().with(Span.wrap(parent));
    calls = new ModelCallTelemetry(telemetry, log);
    LlmResult answer =
        new LlmResult.Completed(
            "It was a dark night.", "sim-standard", Usage.of(1200, 800), Duration.ofMillis(420));
    provider =
        new LlmClient() {
          @Override
          public String provider() {
            return "simulated";
          }

          @Override
          public LlmResult complete(LlmRequest request) {
            return answer;
          }
        };
    // The messages are only read when content capture is on, which it is not here.
    request =
        new LlmRequest(
            "sim-standard", DRAFT_CHAPTER, "c0", List.of(), Optional.empty(), Map.of(), TIMEOUT);
    call = new ModelCall.Context("task_bench/a0/c0", "run_bench", 0, "chapter_writing", "fiction");
    cost = Optional.of(new BigDecimal("0.004400000000"));
    rawCounter = telemetry.meter().counterBuilder("raw_counter").build();
    rawHistogram = telemetry.meter().histogramBuilder("raw_histogram").build();
    rawAttributes =
        Attributes.of(
            AttributeKey.stringKey("a"),
            "1",
            AttributeKey.stringKey("b"),
            "2",
            AttributeKey.stringKey("c"),
            "3",
            AttributeKey.stringKey("d"),
            "4");
    context =
        LogContext.with(
            LogContext.PROJECT_ID,
            "prj_bench",
            LogContext.RUN_ID,
            "run_bench",
            LogContext.STAGE,
            "chapter_writing",
            LogContext.AGENT_ROLE,
            "writer",
            LogContext.TASK_ID,
            "task_bench",
            LogContext.TRACE_ID,
            "5bdbfa968328455a7f04e65d850e8868");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    context.close();
    telemetry.close();
    LogSetup.stop();
  }

  /** Our recording path for one model call, under the task's span as in the pipeline. */
  @Benchmark
  public ModelCall modelCallTelemetry() {
    try (Scope ignored = parentContext.makeCurrent()) {
      return calls.call(provider, request, call, result -> cost);
    }
  }

  /** The same calls written out, as AgentExecutor made them before ModelCallTelemetry. */
  @Benchmark
  public void modelCallTelemetryInline() {
    Span span =
        tracer
            .spanBuilder("chat sim-standard")
            .setSpanKind(SpanKind.CLIENT)
            .setParent(Context.root().with(Span.wrap(parent)))
            .setAttribute(SemConv.GEN_AI_OPERATION_NAME, SemConv.OPERATION_CHAT)
            .setAttribute(SemConv.GEN_AI_PROVIDER_NAME, "simulated")
            .setAttribute(SemConv.GEN_AI_REQUEST_MODEL, "sim-standard")
            .setAttribute(SemConv.RUN_ID, "run_bench")
            .setAttribute(SemConv.ATTEMPT, 0L)
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      span.setAttribute(SemConv.GEN_AI_RESPONSE_MODEL, "sim-standard");
      span.setAttribute(SemConv.GEN_AI_USAGE_INPUT_TOKENS, 1200L);
      span.setAttribute(SemConv.GEN_AI_USAGE_OUTPUT_TOKENS, 800L);
      metrics.modelCall(
          "simulated", "simulated.local", "sim-standard", "sim-standard", null, 0.42, 1200, 800);
      metrics.cost("chapter_writing", "simulated", "sim-standard", "fiction", 0.0044);
      log.atInfo()
          .addKeyValue("provider", "simulated")
          .addKeyValue("model", "sim-standard")
          .addKeyValue("latency_ms", 420L)
          .addKeyValue("input_tokens", 1200L)
          .addKeyValue("output_tokens", 800L)
          .addKeyValue("cost_usd", "0.004400000000")
          .log("llm call ok");
    } finally {
      span.end();
    }
  }

  /** The raw calls: a span with 8 attributes, a counter add, a histogram record, a Logback line. */
  @Benchmark
  public void rawOpenTelemetryAndLogback() {
    Span span =
        tracer
            .spanBuilder("raw")
            .setSpanKind(SpanKind.CLIENT)
            .setParent(Context.root().with(Span.wrap(parent)))
            .setAllAttributes(rawAttributes)
            .setAttribute("e", "5")
            .setAttribute("f", "6")
            .setAttribute("g", 7L)
            .setAttribute("h", 8L)
            .startSpan();
    rawCounter.add(1, rawAttributes);
    rawHistogram.record(0.42, rawAttributes);
    log.info("llm call ok {} {}", "simulated", 1200);
    span.end();
  }
}
