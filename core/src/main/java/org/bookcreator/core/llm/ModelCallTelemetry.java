package org.bookcreator.core.llm;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.bookcreator.core.support.Json;
import org.bookcreator.telemetry.BookMetrics;
import org.bookcreator.telemetry.ModelLabels;
import org.bookcreator.telemetry.Redactor;
import org.bookcreator.telemetry.SemConv;
import org.bookcreator.telemetry.Telemetry;
import org.slf4j.Logger;

/**
 * The one place where a model call's telemetry is recorded: its CLIENT span {@code chat {model}}
 * with the GenAI attributes, the GenAI and cost metrics, and the {@code llm call ok|failed} log
 * line with provider, model, latency, tokens and cost.
 *
 * <p>The span is current while the provider is called, so adapters may start child spans or read
 * the context. Recording never throws into the caller. Thread-safe.
 */
public final class ModelCallTelemetry {
  private final Tracer tracer;
  private final BookMetrics metrics;
  private final Redactor redactor;
  private final boolean captureContent;
  private final Logger log;

  /**
   * @param log where the call lines are written: callers pass their own logger, so the lines keep
   *     the logger name that operators filter and set levels by
   */
  public ModelCallTelemetry(Telemetry telemetry, Logger log) {
    this.tracer = telemetry.tracer();
    this.metrics = telemetry.metrics();
    this.redactor = telemetry.redactor();
    this.captureContent = telemetry.config().captureContent();
    this.log = log;
  }

  /**
   * Makes a call and records it: the provider answers inside the call's span, which then ends;
   * {@code settle} prices the result and commits its ledger row; then the metrics and the log line
   * are recorded. A provider that throws (a programming error; the port classifies failures) ends
   * as a {@link LlmResult.Fatal} of type {@link ErrorType#INTERNAL}.
   *
   * @param settle prices the result and commits its ledger row; returns the cost, empty when the
   *     model has no price. Whatever it throws reaches the caller, with nothing recorded but the
   *     span
   */
  public ModelCall call(
      LlmClient llm,
      LlmRequest request,
      ModelCall.Context context,
      Function<LlmResult, Optional<BigDecimal>> settle) {
    Span span =
        tracer
            .spanBuilder(SemConv.OPERATION_CHAT + " " + request.model())
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute(SemConv.GEN_AI_OPERATION_NAME, SemConv.OPERATION_CHAT)
            .setAttribute(SemConv.GEN_AI_PROVIDER_NAME, llm.provider())
            .setAttribute(SemConv.GEN_AI_REQUEST_MODEL, request.model())
            .setAttribute(SemConv.SERVER_ADDRESS, llm.serverAddress())
            .setAttribute(SemConv.RUN_ID, context.runId())
            .setAttribute(SemConv.ATTEMPT, (long) context.attempt())
            .startSpan();
    LlmResult result;
    try (Scope ignored = span.makeCurrent()) {
      result = masked(llm.complete(request));
    } catch (RuntimeException e) {
      log.error("provider {} threw on call {}", llm.provider(), context.callId(), e);
      result =
          new LlmResult.Fatal(
              ErrorType.INTERNAL, "provider error: " + e, request.model(), Duration.ZERO);
    }
    end(span, request, result);
    ModelCall call = new ModelCall(llm.provider(), request, context, result, settle.apply(result));
    record(call, llm.serverAddress());
    return call;
  }

  /**
   * The provider's answer with credentials masked, before anything sees it: a model or an error
   * body that echoes a key (what was sent, a header, a config dump) reaches neither the ledger, the
   * manuscript, the logs nor the spans.
   */
  private LlmResult masked(LlmResult result) {
    return switch (result) {
      case LlmResult.Completed c -> {
        String text = redactor.redact(c.text());
        yield text.equals(c.text())
            ? c
            : new LlmResult.Completed(text, c.model(), c.usage(), c.latency());
      }
      case LlmResult.Retryable r ->
          new LlmResult.Retryable(
              r.type(), redactor.redact(r.message()), r.model(), r.retryAfter(), r.latency());
      case LlmResult.Fatal f ->
          new LlmResult.Fatal(f.type(), redactor.redact(f.message()), f.model(), f.latency());
    };
  }

  private void end(Span span, LlmRequest request, LlmResult result) {
    try {
      span.updateName(SemConv.OPERATION_CHAT + " " + result.model());
      span.setAttribute(SemConv.GEN_AI_RESPONSE_MODEL, result.model());
      switch (result) {
        case LlmResult.Completed c -> {
          span.setAttribute(SemConv.GEN_AI_USAGE_INPUT_TOKENS, c.usage().inputTokens());
          span.setAttribute(SemConv.GEN_AI_USAGE_OUTPUT_TOKENS, c.usage().outputTokens());
          span.setAttribute(SemConv.GEN_AI_USAGE_CACHE_READ_TOKENS, c.usage().cacheReadTokens());
          span.setAttribute(
              SemConv.GEN_AI_USAGE_CACHE_CREATION_TOKENS, c.usage().cacheWriteTokens());
          if (captureContent) {
            span.setAttribute(
                SemConv.GEN_AI_INPUT_MESSAGES, redactor.redact(Json.write(request.messages())));
            span.setAttribute(SemConv.GEN_AI_OUTPUT_MESSAGES, redactor.redact(c.text()));
          }
        }
        case LlmResult.Retryable r -> failed(span, r);
        case LlmResult.Fatal f -> failed(span, f);
      }
      span.end();
    } catch (RuntimeException e) {
      log.debug("call span not completed", e);
    }
  }

  private void record(ModelCall call, String serverAddress) {
    try {
      LlmResult result = call.result();
      Usage usage = result.usage();
      String provider = call.provider();
      String error = result.errorType().map(ErrorType::id).orElse(null);
      String requestModel = call.request().model();
      metrics.modelCall(
          provider,
          serverAddress,
          requestModel.equals("default") ? result.model() : requestModel,
          error == null ? result.model() : null,
          error,
          result.latency().toNanos() / 1e9,
          usage.inputTokens() + usage.cacheReadTokens() + usage.cacheWriteTokens(),
          usage.outputTokens());
      // Labelled by the catalogue name the call is priced by, as the price table finds it: the
      // answered model's, else the requested one's. The log line, span and ledger keep the
      // answer's.
      String label = metrics.modelLabel(provider, result.model());
      String model =
          label.equals(ModelLabels.OTHER) ? metrics.modelLabel(provider, requestModel) : label;
      call.cost()
          .ifPresentOrElse(
              c ->
                  metrics.cost(
                      call.context().stage(),
                      provider,
                      model,
                      call.context().category(),
                      c.doubleValue()),
              () -> metrics.unpricedCall(provider, model));
      var line =
          (error == null ? log.atInfo() : log.atWarn())
              .addKeyValue("provider", provider)
              .addKeyValue("model", result.model())
              .addKeyValue("latency_ms", result.latency().toMillis())
              .addKeyValue("input_tokens", usage.inputTokens())
              .addKeyValue("output_tokens", usage.outputTokens())
              .addKeyValue(
                  "cost_usd", call.cost().map(BigDecimal::toPlainString).orElse("unpriced"));
      if (error != null) line = line.addKeyValue("error_type", error);
      line.log(error == null ? "llm call ok" : "llm call failed: " + result.errorMessage());
    } catch (RuntimeException e) {
      log.debug("model call {} not recorded", call.context().callId(), e);
    }
  }

  private void failed(Span span, LlmResult result) {
    result.errorType().ifPresent(t -> span.setAttribute(SemConv.ERROR_TYPE, t.id()));
    span.setStatus(StatusCode.ERROR, redactor.redact(result.errorMessage()));
  }
}
