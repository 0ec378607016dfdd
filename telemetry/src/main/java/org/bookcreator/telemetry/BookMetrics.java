package org.bookcreator.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metric catalogue of DESIGN.md as methods. Every method is safe to call from any thread and
 * never throws into the caller; with metrics switched off the instruments are no-ops. Label values
 * are bounded: a model is labelled by its catalogue name, and models outside the catalogue as
 * {@code other} (see {@link ModelLabels}).
 */
public final class BookMetrics {
  private static final Logger log = LoggerFactory.getLogger(BookMetrics.class);

  /** Outcomes of {@link #runFinished}: the values {@link #startAtZero} exports at zero. */
  public static final List<String> RUN_OUTCOMES = List.of("completed", "failed");

  /** Outcomes of {@link #agentTask}: the values {@link #startAtZero} exports at zero. */
  public static final List<String> TASK_OUTCOMES =
      List.of("completed", "retried", "failed", "lease_lost");

  /**
   * Outcomes of {@link #notification}, one per delivery attempt: {@code delivered}, {@code failed}
   * (to be tried again) or {@code given_up} (final: no attempt follows).
   */
  public static final List<String> NOTIFICATION_OUTCOMES =
      List.of("delivered", "failed", "given_up");

  /** Signals of {@link #dropped}, exported at zero from the start. */
  public static final List<String> SIGNALS = List.of("logs", "spans");

  /**
   * Label values known before anything happens, so that the counters over them can be exported at
   * zero from the start (see {@link #startAtZero}). Each list is bounded by configuration: the
   * categories, the agent roles (and those of them that call a model), the configured providers and
   * the error types a provider call can end with.
   */
  public record KnownLabels(
      List<String> categories,
      List<String> agentRoles,
      List<String> modelRoles,
      List<String> providers,
      List<String> errorTypes) {
    public KnownLabels {
      categories = List.copyOf(categories);
      agentRoles = List.copyOf(agentRoles);
      modelRoles = List.copyOf(modelRoles);
      providers = List.copyOf(providers);
      errorTypes = List.copyOf(errorTypes);
    }
  }

  /** A gauge reading: a value and its label values, in the order the gauge declares its labels. */
  public record Point(double value, List<String> labels) {
    public static Point of(double value, String... labels) {
      return new Point(value, List.of(labels));
    }
  }

  private final Meter meter;
  private final ModelLabels models;
  private final List<AutoCloseable> gauges = new ArrayList<>();
  private final LongCounter runsStarted;
  private final LongCounter runsFinished;
  private final DoubleHistogram stageDuration;
  private final LongHistogram stageIterations;
  private final LongCounter agentTasks;
  private final DoubleHistogram taskWait;
  private final LongCounter schemaViolations;
  private final LongCounter providerErrors;
  private final DoubleHistogram operationDuration;
  private final LongHistogram tokenUsage;
  private final DoubleCounter cost;
  private final LongCounter unpriced;
  private final LongCounter dropped;
  private final java.util.concurrent.atomic.LongAdder droppedSoFar =
      new java.util.concurrent.atomic.LongAdder();
  private final LongCounter documents;
  private final DoubleHistogram documentDuration;
  private final LongCounter documentBytes;
  private final DoubleHistogram httpDuration;
  private final LongCounter notifications;

  /**
   * Creates the catalogue's instruments on {@code meter}.
   *
   * @param models names the model label of a provider's model
   */
  public BookMetrics(Meter meter, ModelLabels models) {
    this.meter = meter;
    this.models = models;
    runsStarted =
        meter
            .counterBuilder("book_creator_runs_started")
            .setDescription("Runs started, by category.")
            .build();
    runsFinished =
        meter
            .counterBuilder("book_creator_runs_finished")
            .setDescription("Runs ended, by category and outcome (completed, failed, cancelled).")
            .build();
    stageDuration =
        meter
            .histogramBuilder("book_creator_stage_duration")
            .setUnit("s")
            .setDescription("Wall time of a stage of a run, by stage, category and outcome.")
            .setExplicitBucketBoundariesAdvice(
                List.of(
                    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
                    1800.0, 3600.0))
            .build();
    stageIterations =
        meter
            .histogramBuilder("book_creator_stage_iterations")
            .ofLongs()
            .setDescription("Critique and revision rounds a stage needed, by stage.")
            .setExplicitBucketBoundariesAdvice(List.of(1L, 2L, 3L, 4L, 5L, 6L, 8L, 10L, 15L, 20L))
            .build();
    agentTasks =
        meter
            .counterBuilder("book_creator_agent_tasks")
            .setDescription(
                "Agent tasks settled, by role and outcome (completed, retried, failed,"
                    + " lease_lost).")
            .build();
    taskWait =
        meter
            .histogramBuilder("book_creator_task_wait")
            .setUnit("s")
            .setDescription("Time a task waited in the queue before a worker claimed it, by role.")
            .setExplicitBucketBoundariesAdvice(
                List.of(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0))
            .build();
    schemaViolations =
        meter
            .counterBuilder("book_creator_schema_violations")
            .setDescription("Model outputs that failed validation, by role.")
            .build();
    providerErrors =
        meter
            .counterBuilder("book_creator_provider_errors")
            .setDescription("Failed model calls, by provider and error type.")
            .build();
    operationDuration =
        meter
            .histogramBuilder(SemConv.GEN_AI_CLIENT_OPERATION_DURATION)
            .setUnit("s")
            .setDescription("GenAI operation duration.")
            .setExplicitBucketBoundariesAdvice(SemConv.DURATION_BUCKETS)
            .build();
    tokenUsage =
        meter
            .histogramBuilder(SemConv.GEN_AI_CLIENT_TOKEN_USAGE)
            .ofLongs()
            .setUnit("{token}")
            .setDescription("Measures number of input and output tokens used.")
            .setExplicitBucketBoundariesAdvice(SemConv.TOKEN_BUCKETS)
            .build();
    cost =
        meter
            .counterBuilder("book_creator_cost_usd")
            .ofDoubles()
            .setDescription(
                "Cost of model calls in US dollars, by stage, provider, model and category (the"
                    + " ledger is exact; this is for dashboards).")
            .build();
    unpriced =
        meter
            .counterBuilder("book_creator_unpriced_calls")
            .setDescription("Model calls whose model has no price, by provider and model.")
            .build();
    dropped =
        meter
            .counterBuilder("book_creator_telemetry_dropped")
            .setDescription("Telemetry dropped under pressure, by signal (logs, spans).")
            .build();
    documents =
        meter
            .counterBuilder("book_creator_documents_parsed")
            .setDescription("Reference documents parsed, by type and outcome (parsed, error).")
            .build();
    documentDuration =
        meter
            .histogramBuilder("book_creator_document_parse_duration")
            .setUnit("s")
            .setDescription("Time to parse one reference document, by type.")
            .setExplicitBucketBoundariesAdvice(
                List.of(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0))
            .build();
    documentBytes =
        meter
            .counterBuilder("book_creator_document_bytes")
            .setDescription("Bytes of reference documents read, by type.")
            .build();
    // OpenTelemetry HTTP semantic conventions (stable): http.server.request.duration, exported as
    // http_server_request_duration_seconds; the route is the template, never the raw path.
    httpDuration =
        meter
            .histogramBuilder("http.server.request.duration")
            .setUnit("s")
            .setDescription(
                "Duration of HTTP server requests, by method, route template and status code.")
            .setExplicitBucketBoundariesAdvice(
                List.of(
                    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
                    10.0))
            .build();
    notifications =
        meter
            .counterBuilder("book_creator_notifications")
            .setDescription(
                "Notification delivery attempts from the outbox, by notifier and outcome"
                    + " (delivered, failed: tried again later, given_up).")
            .build();
    for (String signal : SIGNALS) dropped.add(0, attrs(SemConv.L_SIGNAL, signal));
  }

  /**
   * Exports the notification counter at zero for each of {@code notifiers} and every outcome, so a
   * rule over {@code rate(book_creator_notifications_total{outcome="given_up"}[...])} sees 0 rather
   * than no data before the first failure. Never throws.
   */
  public void notificationsAtZero(List<String> notifiers) {
    guard(
        () -> {
          for (String notifier : notifiers) {
            for (String outcome : NOTIFICATION_OUTCOMES)
              notifications.add(0, attrs(L_NOTIFIER, notifier, SemConv.L_OUTCOME, outcome));
          }
        });
  }

  /**
   * One delivery attempt of a notification: {@code outcome} is one of {@link
   * #NOTIFICATION_OUTCOMES}.
   */
  public void notification(String notifier, String outcome) {
    guard(() -> notifications.add(1, attrs(L_NOTIFIER, notifier, SemConv.L_OUTCOME, outcome)));
  }

  /**
   * Registers the alerting gauges: {@code book_creator_alerts_firing{alertname,severity}} from
   * {@code firing} (one point per rule, zeros included, label values in that order) and {@code
   * book_creator_notification_outbox_depth} from {@code outboxDepth}. Both are read when metrics
   * are collected; a reading that throws is skipped.
   */
  public void alertGauges(Supplier<Collection<Point>> firing, Supplier<Long> outboxDepth) {
    gauge(
        "book_creator_alerts_firing",
        "Alerts firing at the last evaluation, by alert name and severity (every rule, zeros"
            + " included).",
        List.of("alertname", "severity"),
        firing);
    gauge(
        "book_creator_notification_outbox_depth",
        "Notifications waiting in the outbox to be delivered.",
        List.of(),
        () -> List.of(Point.of(outboxDepth.get())));
  }

  private static final String L_NOTIFIER = "notifier";

  /**
   * Registers the metrics of a store's pool of database connections: {@code
   * book_creator_store_pool_connections{state}} from {@code connections} (states {@code active},
   * {@code idle}, {@code pending}: store calls waiting for one) and {@code
   * book_creator_store_pool_timeouts_total} from {@code timeouts} (requests that found no
   * connection free in time, since the store opened). Both are read when metrics are collected.
   */
  public void storePool(Supplier<Collection<Point>> connections, LongSupplier timeouts) {
    gauge(
        "book_creator_store_pool_connections",
        "Connections of the store's pool, by state: active (lent to a store call), idle, pending"
            + " (store calls waiting for one).",
        List.of("state"),
        connections);
    gauges.add(
        meter
            .counterBuilder("book_creator_store_pool_timeouts")
            .setDescription(
                "Requests for a connection of the store's pool that found none free in time.")
            .buildWithCallback(
                m -> {
                  try {
                    m.record(timeouts.getAsLong());
                  } catch (RuntimeException e) {
                    log.debug("book_creator_store_pool_timeouts could not be read", e);
                  }
                }));
  }

  /**
   * Exports the counters whose label values are known in advance at zero, so that {@code rate()},
   * alert rules and dashboards see 0 rather than no data, and the first increment of a series is
   * not lost to {@code increase()}: runs started and finished per category (and outcome), agent
   * tasks per role and outcome, schema violations per model-calling role, and provider errors per
   * configured provider and error type. Adding zero to a counter that already counts changes
   * nothing, so calling this twice is harmless. Never throws.
   */
  public void startAtZero(KnownLabels known) {
    guard(
        () -> {
          for (String category : known.categories()) {
            runsStarted.add(0, attrs(SemConv.L_CATEGORY, category));
            for (String outcome : RUN_OUTCOMES)
              runsFinished.add(0, attrs(SemConv.L_CATEGORY, category, SemConv.L_OUTCOME, outcome));
          }
          for (String role : known.agentRoles()) {
            for (String outcome : TASK_OUTCOMES)
              agentTasks.add(0, attrs(SemConv.L_AGENT_ROLE, role, SemConv.L_OUTCOME, outcome));
          }
          for (String role : known.modelRoles())
            schemaViolations.add(0, attrs(SemConv.L_AGENT_ROLE, role));
          for (String provider : known.providers()) {
            for (String type : known.errorTypes())
              providerErrors.add(
                  0, attrs(SemConv.L_PROVIDER, provider, SemConv.L_ERROR_TYPE, type));
          }
        });
  }

  /**
   * The label the metrics give {@code model} of {@code provider}: its catalogue name, or {@link
   * ModelLabels#OTHER}. Never throws.
   */
  public String modelLabel(String provider, String model) {
    try {
      String label = models.label(provider, model);
      return label == null ? ModelLabels.OTHER : label;
    } catch (RuntimeException e) {
      log.debug("model label of {} not found", model, e);
      return ModelLabels.OTHER;
    }
  }

  private static String v(String s) {
    return s == null || s.isEmpty() ? "unknown" : s;
  }

  private static void guard(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.debug("metric recording failed", e);
    }
  }

  public void runStarted(String category) {
    guard(
        () ->
            runsStarted.add(
                1,
                Attributes.of(
                    io.opentelemetry.api.common.AttributeKey.stringKey(SemConv.L_CATEGORY),
                    v(category))));
  }

  public void runFinished(String category, String outcome) {
    guard(
        () -> runsFinished.add(1, attrs(SemConv.L_CATEGORY, category, SemConv.L_OUTCOME, outcome)));
  }

  public void stageDuration(String stage, String category, String outcome, double seconds) {
    guard(
        () ->
            stageDuration.record(
                seconds,
                attrs(
                    SemConv.L_STAGE,
                    stage,
                    SemConv.L_CATEGORY,
                    category,
                    SemConv.L_OUTCOME,
                    outcome)));
  }

  public void stageIterations(String stage, long iterations) {
    guard(() -> stageIterations.record(iterations, attrs(SemConv.L_STAGE, stage)));
  }

  public void agentTask(String role, String outcome) {
    guard(() -> agentTasks.add(1, attrs(SemConv.L_AGENT_ROLE, role, SemConv.L_OUTCOME, outcome)));
  }

  public void taskWait(String role, double seconds) {
    guard(() -> taskWait.record(Math.max(0, seconds), attrs(SemConv.L_AGENT_ROLE, role)));
  }

  public void schemaViolation(String role) {
    guard(() -> schemaViolations.add(1, attrs(SemConv.L_AGENT_ROLE, role)));
  }

  /**
   * One model call: its duration, tokens, errors. {@code errorType} is null on success; {@code
   * responseModel} (the model that answered) is null when none did. Both models are labelled by
   * their catalogue name, others folded into {@code other}; {@code serverAddress} is the host of
   * the configured provider (one per provider, so bounded).
   */
  public void modelCall(
      String provider,
      String serverAddress,
      String requestModel,
      String responseModel,
      String errorType,
      double seconds,
      long inputTokens,
      long outputTokens) {
    guard(
        () -> {
          String[] call = {
            SemConv.GEN_AI_OPERATION_NAME.getKey(),
            SemConv.OPERATION_CHAT,
            SemConv.GEN_AI_PROVIDER_NAME.getKey(),
            provider,
            SemConv.SERVER_ADDRESS.getKey(),
            serverAddress,
            SemConv.GEN_AI_REQUEST_MODEL.getKey(),
            modelLabel(provider, requestModel)
          };
          if (errorType == null) {
            String[] answered =
                plus(
                    call,
                    SemConv.GEN_AI_RESPONSE_MODEL.getKey(),
                    modelLabel(provider, responseModel));
            String type = SemConv.GEN_AI_TOKEN_TYPE.getKey();
            operationDuration.record(seconds, attrs(plus(answered)));
            tokenUsage.record(inputTokens, attrs(plus(answered, type, SemConv.TOKEN_INPUT)));
            tokenUsage.record(outputTokens, attrs(plus(answered, type, SemConv.TOKEN_OUTPUT)));
          } else {
            operationDuration.record(
                seconds, attrs(plus(call, SemConv.ERROR_TYPE.getKey(), errorType)));
            providerErrors.add(
                1, attrs(SemConv.L_PROVIDER, provider, SemConv.L_ERROR_TYPE, errorType));
          }
        });
  }

  public void cost(String stage, String provider, String model, String category, double usd) {
    guard(
        () ->
            cost.add(
                usd,
                attrs(
                    SemConv.L_STAGE,
                    stage,
                    SemConv.L_PROVIDER,
                    provider,
                    SemConv.L_MODEL,
                    modelLabel(provider, model),
                    SemConv.L_CATEGORY,
                    category)));
  }

  public void unpricedCall(String provider, String model) {
    guard(
        () ->
            unpriced.add(
                1,
                attrs(SemConv.L_PROVIDER, provider, SemConv.L_MODEL, modelLabel(provider, model))));
  }

  public void documentParsed(String type, String outcome, double seconds, long bytes) {
    guard(
        () -> {
          documents.add(1, attrs("type", type, SemConv.L_OUTCOME, outcome));
          documentDuration.record(seconds, attrs("type", type));
          documentBytes.add(Math.max(0, bytes), attrs("type", type));
        });
  }

  /**
   * One HTTP request served. {@code route} must be a route template (such as {@code
   * /api/runs/{id}}) or {@code unmatched}, never a raw path: paths carry ids.
   */
  public void httpRequest(String method, String route, int status, double seconds) {
    guard(
        () ->
            httpDuration.record(
                seconds,
                attrs(
                    "http.request.method",
                    method,
                    "http.route",
                    route,
                    "http.response.status_code",
                    Integer.toString(status))));
  }

  public void dropped(String signal) {
    droppedSoFar.increment();
    guard(() -> dropped.add(1, attrs(SemConv.L_SIGNAL, signal)));
  }

  /**
   * Log lines and spans dropped since this instance was made, all signals together: what {@code
   * book_creator_telemetry_dropped_total} counts, readable even when metrics are off (the process's
   * own alert rules read it).
   */
  public long droppedSoFar() {
    return droppedSoFar.sum();
  }

  /**
   * Registers a gauge read when metrics are collected. The supplier must be quick and must not
   * block for long; if it throws, the reading is skipped (and logged at debug).
   */
  public void gauge(
      String name,
      String description,
      List<String> labelNames,
      Supplier<Collection<Point>> readings) {
    gauges.add(
        meter
            .gaugeBuilder(name)
            .setDescription(description)
            .buildWithCallback(
                m -> {
                  try {
                    for (Point p : readings.get()) {
                      AttributesBuilder b = Attributes.builder();
                      for (int i = 0; i < labelNames.size() && i < p.labels().size(); i++)
                        b.put(labelNames.get(i), v(p.labels().get(i)));
                      m.record(p.value(), b.build());
                    }
                  } catch (RuntimeException e) {
                    log.debug("gauge {} could not be read", name, e);
                  }
                }));
  }

  /**
   * Attribute sets are built once per distinct set of label values and then reused: labels are
   * bounded by design, and building a set (sorting, copying) on every recording costs more than the
   * recording itself. Past {@link #ATTRIBUTE_CACHE} distinct sets, new ones are built each time.
   */
  private static final int ATTRIBUTE_CACHE = 4096;

  private final java.util.concurrent.ConcurrentHashMap<java.util.List<String>, Attributes>
      attributes = new java.util.concurrent.ConcurrentHashMap<>();

  /** A copy of {@code kv} with {@code more} after it ({@link #attrs} writes into its argument). */
  private static String[] plus(String[] kv, String... more) {
    String[] out = java.util.Arrays.copyOf(kv, kv.length + more.length);
    System.arraycopy(more, 0, out, kv.length, more.length);
    return out;
  }

  private Attributes attrs(String... kv) {
    for (int i = 1; i < kv.length; i += 2) kv[i] = v(kv[i]);
    java.util.List<String> key = java.util.Arrays.asList(kv);
    Attributes cached = attributes.get(key);
    if (cached != null) return cached;
    AttributesBuilder b = Attributes.builder();
    for (int i = 0; i < kv.length; i += 2) b.put(kv[i], kv[i + 1]);
    Attributes built = b.build();
    if (attributes.size() < ATTRIBUTE_CACHE) {
      attributes.putIfAbsent(java.util.List.copyOf(key), built);
    }
    return built;
  }
}
