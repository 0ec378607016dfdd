package org.bookcreator.core.pipeline;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.bookcreator.core.agent.OutputSchemas;
import org.bookcreator.core.agent.Prompts;
import org.bookcreator.core.cost.CallPrompt;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.cost.PendingCall;
import org.bookcreator.core.cost.Price;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.llm.ErrorType;
import org.bookcreator.core.llm.LlmClient;
import org.bookcreator.core.llm.LlmRequest;
import org.bookcreator.core.llm.LlmResult;
import org.bookcreator.core.llm.LlmRouter;
import org.bookcreator.core.llm.Message;
import org.bookcreator.core.llm.ModelCall;
import org.bookcreator.core.llm.ModelCallTelemetry;
import org.bookcreator.core.llm.Usage;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.store.DiskFullException;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import org.bookcreator.telemetry.BookMetrics;
import org.bookcreator.telemetry.Redactor;
import org.bookcreator.telemetry.SemConv;
import org.bookcreator.telemetry.Telemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Does the work of one task: builds the prompt, calls the model, records every call in the ledger
 * before its answer is used, validates structured output and asks for repairs, and decides whether
 * a failure is worth a retry. Local roles (document parsing, assembly) run without a model.
 *
 * <p>The ledger is written ahead: a call's row goes in before its request is sent, and is completed
 * with the answer. Call ids are {@code TASK/aATTEMPT/kCLAIM/cN}, one per physical request: two
 * workers that ran the same attempt (one had lost its lease) never share a row. A resume looks a
 * call up by its logical id {@code TASK/aATTEMPT/cN} and replays a recorded answer instead of
 * paying for it again.
 */
final class AgentExecutor {
  private static final Logger log = LoggerFactory.getLogger(AgentExecutor.class);
  static final int MIN_PROSE_WORDS = 30;

  private final Store store;
  private final LlmRouter router;
  private final OutputSchemas schemas;
  private final PriceTable prices;
  private final PipelineConfig config;
  private final BookMetrics metrics;
  private final Telemetry telemetry;
  private final Redactor redactor;
  private final ModelCallTelemetry calls;

  /**
   * Categories by project id (a category never changes): every call's metrics are labelled with it.
   * Budgets do change, so {@link BudgetGuard} reads them from the store at every priced call.
   */
  private final Map<String, String> categories = new ConcurrentHashMap<>();

  private final InstantSource clock;
  private final DocumentReader documents;
  private final ManuscriptAssembler assembler;
  private final BudgetGuard budgets;

  AgentExecutor(
      Store store,
      LlmRouter router,
      OutputSchemas schemas,
      PriceTable prices,
      PipelineConfig config,
      Telemetry telemetry,
      InstantSource clock,
      org.bookcreator.core.docs.DocumentParser parser) {
    this.store = store;
    this.router = router;
    this.schemas = schemas;
    this.prices = prices;
    this.config = config;
    this.metrics = telemetry.metrics();
    this.telemetry = telemetry;
    this.redactor = telemetry.redactor();
    this.calls = new ModelCallTelemetry(telemetry, log);
    this.clock = clock;
    this.documents = new DocumentReader(parser, telemetry.metrics());
    this.assembler = new ManuscriptAssembler(config.outputDir());
    this.budgets = new BudgetGuard(store, clock);
  }

  TaskOutcome execute(Task task, BooleanSupplier leaseLost) {
    JsonNode input = Json.parse(task.input());
    return switch (task.kind()) {
      case PARSE_DOCUMENTS -> parseDocuments(task, input);
      case ASSEMBLE -> assemble(input);
      default -> callModel(task, input, leaseLost);
    };
  }

  private TaskOutcome callModel(Task task, JsonNode input, BooleanSupplier leaseLost) {
    TaskKind kind = task.kind();
    Optional<String> schemaName = kind.schema();
    Optional<String> schemaText = schemaName.map(schemas::text);
    List<Message> messages = new ArrayList<>(Prompts.build(kind, input, schemaText.orElse(null)));
    Map<String, String> hints = Prompts.hints(kind, input);
    String violation = null;
    LlmRouter.Target target =
        router.target(task.stage(), kind.role(), task.attempt(), config.modelFor(kind.role()));
    if (target.fallback()) {
      log.warn(
          "task {} attempt {}: the primary provider failed {} time(s); using fallback provider {}",
          task.key(),
          task.attempt(),
          task.attempt() - 1,
          target.client().provider());
    }
    for (int call = 0; call <= config.repairAttempts(); call++) {
      if (leaseLost.getAsBoolean()) return new TaskOutcome.LeaseLost();
      String logicalId = task.id() + "/a" + task.attempt() + "/c" + call;
      String callId = task.id() + "/a" + task.attempt() + "/k" + task.claims() + "/c" + call;
      LlmRequest request =
          new LlmRequest(
              target.model(),
              kind,
              task.key() + "/a" + task.attempt() + "/c" + call,
              messages,
              schemaText,
              hints,
              config.callTimeout(),
              Optional.of(callId));
      LlmResult result =
          store
              .answeredCall(logicalId)
              .map(AgentExecutor::replay)
              .orElseGet(() -> invoke(task, callId, logicalId, request, target.client()));
      switch (result) {
        case LlmResult.Retryable r -> {
          return new TaskOutcome.Retry(r.type().id(), r.message(), r.retryAfter());
        }
        case LlmResult.Fatal f -> {
          return new TaskOutcome.Fail(f.type().id(), f.message());
        }
        case LlmResult.Completed c -> {
          Optional<String> problem = validateTraced(kind, input, c.text());
          if (problem.isEmpty()) return new TaskOutcome.Done(normalise(kind, c.text()));
          violation = problem.get();
          metrics.schemaViolation(kind.role().id());
          store.recordEvent(
              new RunEvent(
                  task.runId(),
                  Optional.of(task.id()),
                  RunEvent.SCHEMA_VIOLATION,
                  redactor.redact(
                      kind.role().id() + " " + kind.id() + " call " + callId + ": " + violation),
                  clock.instant()));
          log.warn(
              "schema violation by {} on task {} (call {}): {}",
              kind.role().id(),
              task.key(),
              callId,
              violation);
          messages.add(Message.assistant(truncate(c.text(), 4000)));
          messages.add(
              kind.schema().isPresent()
                  ? Prompts.repair(violation)
                  : Prompts.repairProse(violation));
        }
      }
    }
    return new TaskOutcome.Fail(
        ErrorType.SCHEMA_VIOLATION.id(),
        "output still invalid after "
            + config.repairAttempts()
            + " repair attempt(s): "
            + violation);
  }

  private LlmResult invoke(
      Task task, String callId, String logicalId, LlmRequest request, LlmClient llm) {
    store.openCall(pending(task, callId, logicalId, request, llm));
    ModelCall.Context context =
        new ModelCall.Context(
            callId, task.runId(), task.attempt(), task.stage().id(), category(task));
    ModelCall call =
        calls.call(
            llm, request, context, result -> settle(task, callId, llm, request.model(), result));
    Optional<BigDecimal> cost = call.cost();
    if (cost.isPresent() && cost.get().signum() > 0) budgets.afterCall(task);
    return call.result();
  }

  /**
   * The ledger row written before the request is sent. Input tokens are estimated at four
   * characters each (no tokenizer runs here) and priced at the requested model: should the answer
   * never come, that is what the ledger can say the call cost at least.
   */
  private PendingCall pending(
      Task task, String callId, String logicalId, LlmRequest request, LlmClient llm) {
    Instant at = clock.instant();
    long tokens = (request.characters() + 3) / 4;
    Optional<BigDecimal> estimate =
        prices
            .find(llm.provider(), request.model(), at.atZone(ZoneOffset.UTC).toLocalDate())
            .map(p -> PriceTable.cost(p, new Usage(tokens, 0, 0, 0, 0)));
    return new PendingCall(
        callId,
        logicalId,
        task.projectId(),
        task.runId(),
        task.id(),
        task.stage(),
        task.role(),
        task.attempt(),
        task.claims(),
        task.leaseOwner().orElse("?"),
        llm.provider(),
        request.model(),
        tokens,
        estimate,
        at,
        Optional.of(CallPrompt.of(request.messages(), redactor::redact)));
  }

  /** Prices a call and commits its ledger row; returns the cost, empty when unpriced. */
  private Optional<BigDecimal> settle(
      Task task, String callId, LlmClient llm, String requestedModel, LlmResult result) {
    Usage usage = result.usage();
    Instant at = clock.instant();
    Optional<Price> price =
        prices.find(
            llm.provider(),
            result.model(),
            requestedModel,
            at.atZone(ZoneOffset.UTC).toLocalDate());
    Optional<BigDecimal> cost = price.map(p -> PriceTable.cost(p, usage));
    Optional<String> errorType = result.errorType().map(ErrorType::id);
    LedgerEntry entry =
        new LedgerEntry(
            callId,
            task.projectId(),
            task.runId(),
            task.id(),
            task.stage(),
            task.role(),
            task.attempt(),
            llm.provider(),
            result.model(),
            usage,
            cost,
            price.map(Price::version),
            result.latency().toMillis(),
            errorType.isEmpty() ? LedgerEntry.OK : LedgerEntry.ERROR,
            errorType,
            // Masked on arrival (ModelCallTelemetry): a key echoed by the provider is not here.
            Optional.of(result instanceof LlmResult.Completed c ? c.text() : result.errorMessage()),
            at);
    // Committed before the answer is used: a crash from here on never loses the spend, and a resume
    // replays the recorded answer instead of paying for it again.
    if (store.completeCall(entry).equals(LedgerEntry.WASTED)) {
      log.warn(
          "call {} was answered after this worker lost task {}: recorded as paid and wasted",
          callId,
          task.key());
    }
    return cost;
  }

  private String category(Task task) {
    String cached = categories.get(task.projectId());
    if (cached != null) return cached;
    // Not computeIfAbsent: no store read while holding the map's lock.
    String category = store.project(task.projectId()).map(Project::category).orElse("unknown");
    categories.put(task.projectId(), category);
    return category;
  }

  static LlmResult replay(LedgerEntry e) {
    Duration latency = Duration.ofMillis(e.latencyMs());
    if (e.outcome().equals(LedgerEntry.OK)) {
      return new LlmResult.Completed(e.response().orElse(""), e.model(), e.usage(), latency);
    }
    ErrorType type = e.errorType().map(ErrorType::fromId).orElse(ErrorType.INTERNAL);
    String msg = e.response().orElse(type.id()) + " (replayed from ledger)";
    return switch (type) {
      case TIMEOUT, RATE_LIMITED, SERVER_ERROR, CONNECTION ->
          new LlmResult.Retryable(type, msg, e.model(), Optional.empty(), latency);
      default -> new LlmResult.Fatal(type, msg, e.model(), latency);
    };
  }

  private Optional<String> validateTraced(TaskKind kind, JsonNode input, String text) {
    Span span =
        telemetry.tracer().spanBuilder("validate " + kind.schema().orElse("prose")).startSpan();
    try (Scope ignored = span.makeCurrent()) {
      Optional<String> problem = validate(kind, input, text);
      problem.ifPresent(
          p -> {
            span.setAttribute(SemConv.ERROR_TYPE, ErrorType.SCHEMA_VIOLATION.id());
            span.setStatus(StatusCode.ERROR, redactor.redact(p));
          });
      return problem;
    } finally {
      span.end();
    }
  }

  private Optional<String> validate(TaskKind kind, JsonNode input, String text) {
    if (kind.schema().isEmpty()) {
      int words = wordCount(text);
      return words < MIN_PROSE_WORDS
          ? Optional.of("chapter text has " + words + " words, fewer than " + MIN_PROSE_WORDS)
          : Optional.empty();
    }
    Optional<String> v = schemas.violation(kind.schema().get(), text);
    if (v.isPresent()) return v;
    JsonNode out = Json.parse(OutputSchemas.stripFence(text));
    int chapters = input.path("book").path("chapters").asInt();
    return switch (kind) {
      case PLAN ->
          out.path("chapter_count").asInt() != chapters
              ? Optional.of(
                  "$.chapter_count: is "
                      + out.path("chapter_count").asInt()
                      + ", the brief asks for "
                      + chapters)
              : Optional.empty();
      case OUTLINE, REVISE_OUTLINE -> {
        JsonNode list = out.path("chapters");
        if (list.size() != chapters)
          yield Optional.of(
              "$.chapters: has " + list.size() + " chapters, the brief asks for " + chapters);
        for (int i = 0; i < list.size(); i++) {
          if (list.get(i).path("number").asInt() != i + 1)
            yield Optional.of(
                "$.chapters["
                    + i
                    + "].number: is "
                    + list.get(i).path("number").asInt()
                    + ", expected "
                    + (i + 1));
        }
        yield Optional.empty();
      }
      default -> Optional.empty();
    };
  }

  private static String normalise(TaskKind kind, String text) {
    if (kind.schema().isPresent()) return Json.write(Json.parse(OutputSchemas.stripFence(text)));
    return text.strip();
  }

  static int wordCount(String text) {
    String t = text.strip();
    return t.isEmpty() ? 0 : t.split("\\s+").length;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private TaskOutcome parseDocuments(Task task, JsonNode input) {
    List<String> paths = new ArrayList<>();
    input.path("references").forEach(r -> paths.add(r.asString()));
    Span span =
        telemetry
            .tracer()
            .spanBuilder("parse_documents")
            .setAttribute(
                io.opentelemetry.api.common.AttributeKey.longKey("book_creator.documents"),
                (long) paths.size())
            .startSpan();
    DocumentReader.Result result;
    try (Scope ignored = span.makeCurrent()) {
      result = documents.read(paths);
      if (!result.errors().isEmpty()) {
        span.setAttribute(SemConv.ERROR_TYPE, "document_error");
        span.setAttribute(
            io.opentelemetry.api.common.AttributeKey.longKey("book_creator.documents.failed"),
            (long) result.errors().size());
      }
    } finally {
      span.end();
    }
    for (String error : result.errors()) {
      store.recordEvent(
          new RunEvent(
              task.runId(),
              Optional.of(task.id()),
              RunEvent.DOCUMENT_ERROR,
              redactor.redact(error),
              clock.instant()));
      log.warn("reference document skipped: {}", error);
    }
    // Reference documents may quote credentials; mask them before the sections reach prompts and
    // the store.
    return new TaskOutcome.Done(redactor.redact(Json.write(result.json())));
  }

  private TaskOutcome assemble(JsonNode input) {
    try {
      return new TaskOutcome.Done(Json.write(assembler.assemble(input)));
    } catch (IOException | UncheckedIOException e) {
      if (DiskFullException.isNoSpace(e)) throw DiskFullException.in(config.outputDir(), e);
      log.error("could not write the manuscript", e);
      return new TaskOutcome.Retry(
          "io_error", "could not write the manuscript: " + e.getMessage(), Optional.empty());
    }
  }
}
