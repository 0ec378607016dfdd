package org.bookcreator.app;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every configuration key, with its default and meaning. docs/configuration.md documents the same
 * list (a test keeps the two in step). Environment variables are {@code BOOK_CREATOR_} plus the key
 * in upper case with dots as underscores, e.g. {@code BOOK_CREATOR_PIPELINE_WORKERS}.
 */
enum Setting {
  DATA_DIR("data_dir", "./data", "where the store, manuscripts and logs live"),
  PROVIDER(
      "provider",
      "simulated",
      "LLM provider for every role: simulated, openai (any OpenAI-compatible server:"
          + " OPENAI_BASE_URL, OPENAI_API_KEY) or anthropic (ANTHROPIC_BASE_URL,"
          + " ANTHROPIC_API_KEY)"),
  OPENAI_CONCURRENCY("openai.max_concurrency", "4", "OpenAI-compatible calls in flight at most"),
  ANTHROPIC_CONCURRENCY("anthropic.max_concurrency", "4", "Anthropic calls in flight at most"),
  MODEL("model", "default", "model for every role; default lets the provider choose"),
  MODEL_PLANNER(
      "model.planner", "", "model for the planner (intake, outline, revisions); empty: model"),
  MODEL_CRITIC(
      "model.critic", "", "model for the critic (structure and chapter critique); empty: model"),
  MODEL_RESEARCHER("model.researcher", "", "model for the researcher; empty: model"),
  MODEL_FACT_MAPPER("model.fact_mapper", "", "model for the fact mapper; empty: model"),
  MODEL_WRITER("model.writer", "", "model for the writer (drafts and revisions); empty: model"),
  MODEL_EDITOR("model.editor", "", "model for the editor; empty: model"),
  MODEL_FACT_CHECKER("model.fact_checker", "", "model for the fact checker; empty: model"),
  ROUTING_RULES(
      "routing.rules",
      "",
      "provider and model per stage and role: STAGE/ROLE=PROVIDER[:MODEL], comma-separated, * for"
          + " any stage or role; the most specific rule wins, e.g."
          + " chapter_writing/writer=openai:gpt-4o, */critic=anthropic:claude-haiku-4-5"),
  ROUTING_FALLBACK(
      "routing.fallback",
      "",
      "PROVIDER[:MODEL] a task switches to when its primary provider keeps failing; empty: no"
          + " fallback"),
  ROUTING_FALLBACK_AFTER(
      "routing.fallback_after",
      "2",
      "failed attempts of a task on its primary provider before the fallback takes over"),
  PRICES_FILE(
      "prices.file",
      "",
      "YAML file of prices overriding or extending the shipped ones (docs/costs.md)"),
  CATEGORIES_EXTRA(
      "categories.extra", "", "comma-separated categories to accept beside the built-in ones"),
  WORKERS("pipeline.workers", "8", "agent worker threads (virtual threads)"),
  LEASE("pipeline.lease", "30s", "how long a claimed task stays leased without a heartbeat"),
  HEARTBEAT("pipeline.heartbeat", "5s", "how often a working worker renews its lease"),
  MAX_ATTEMPTS(
      "pipeline.max_attempts", "5", "attempts per task for retryable failures, the first included"),
  BACKOFF_BASE(
      "pipeline.backoff_base", "500ms", "first retry delay; doubles per attempt, with jitter"),
  BACKOFF_MAX("pipeline.backoff_max", "30s", "longest retry delay"),
  REPAIR_ATTEMPTS(
      "pipeline.repair_attempts",
      "2",
      "repair prompts after invalid structured output before the task fails"),
  OUTLINE_THRESHOLD(
      "pipeline.outline_threshold", "8.0", "critic score (0..10) the outline must reach"),
  OUTLINE_MAX_ITERATIONS(
      "pipeline.outline_max_iterations", "3", "structure critique rounds at most"),
  CHAPTER_THRESHOLD(
      "pipeline.chapter_threshold", "7.5", "critic score (0..10) a chapter must reach"),
  CHAPTER_MAX_ITERATIONS(
      "pipeline.chapter_max_iterations", "3", "critique rounds per chapter at most"),
  CALL_TIMEOUT("pipeline.call_timeout", "120s", "timeout of one model call"),
  LOG_LEVEL("logging.level", "INFO", "root log level: TRACE, DEBUG, INFO, WARN, ERROR"),
  LOG_LEVELS(
      "logging.levels",
      "",
      "per-package levels, e.g. org.bookcreator.core.pipeline=DEBUG,org.sqlite=WARN"),
  LOG_CONSOLE(
      "logging.console",
      "auto",
      "console log format: json, text, off; auto = json on stdout for serve, off for commands with"
          + " a progress display"),
  LOG_MAX_FILE_SIZE(
      "logging.max_file_size",
      "20MB",
      "size at which data/logs/book-creator.log rotates (KB, MB, GB)"),
  LOG_KEEP_FILES("logging.keep_files", "5", "rotated log files kept"),
  LOG_STORE(
      "logging.store",
      "true",
      "keep an indexed copy of the log lines in data/logs.db for bin/book-creator logs and GET"
          + " /api/logs"),
  LOG_STORE_MAX_AGE(
      "logging.store_max_age",
      "14d",
      "records older than this are deleted from the logs' copy (the files rotate on their own)"),
  LOG_STORE_MAX_RECORDS(
      "logging.store_max_records",
      "2000000",
      "the logs' copy keeps at most this many records, the newest"),
  LOG_REDACT(
      "logging.redact",
      "",
      "extra secret values (comma-separated) to mask everywhere, beside API keys from the"
          + " environment"),
  METRICS_ENABLED(
      "telemetry.metrics", "true", "record metrics (false: every instrument is a no-op)"),
  TRACING_ENABLED("telemetry.tracing", "true", "record spans (false: no-op tracer)"),
  SAMPLING_RATIO("telemetry.sampling_ratio", "1.0", "share of runs whose traces are kept, 0..1"),
  SPAN_STORE(
      "telemetry.span_store",
      "true",
      "keep spans in the local store so bin/book-creator trace RUN works with no external system"),
  SPAN_STORE_MAX(
      "telemetry.span_store_max",
      "1000000",
      "spans kept in the local store; the oldest beyond this are deleted"),
  SPAN_QUEUE(
      "telemetry.span_queue",
      "8192",
      "spans buffered for the local store before new ones are dropped (and counted)"),
  CAPTURE_CONTENT(
      "telemetry.capture_content",
      "false",
      "put prompts and completions in spans (off: they never leave the ledger)"),
  STALL_THRESHOLD(
      "stalls.threshold",
      "10m",
      "an active run with no progress for longer than this is stalled (runs --stalled, the stalled"
          + " event, the stall gauges)"),
  STALL_THRESHOLDS(
      "stalls.thresholds",
      "",
      "per-stage thresholds overriding stalls.threshold: STAGE=DURATION, comma-separated, e.g."
          + " chapter_writing=30m, research=20m"),
  STALL_CHECK_EVERY(
      "stalls.check_every", "30s", "how often a pipeline process looks for stalled runs"),
  HTTP_HOST("http.host", "127.0.0.1", "address the serve process binds (API, /metrics)"),
  HTTP_PORT(
      "http.port",
      "8080",
      "port of the all-in-one process: the JSON API, /healthz, /readyz and /metrics; 0 picks a free"
          + " port"),
  HTTP_TOKEN(
      "http.token",
      "",
      "bearer token the API requires (Authorization: Bearer ...); required when http.host is not a"
          + " loopback address; at least 16 characters; a secret, masked everywhere"),
  HTTP_MAX_UPLOAD(
      "http.max_upload",
      "20MB",
      "largest reference document the API accepts (KB, MB, GB); larger uploads get 413"),
  WORKER_PORT(
      "worker.metrics_port",
      "9500",
      "port of the worker pool's /metrics with heartbeats; -1 turns it off"),
  SIM_SEED("simulated.seed", "42", "seed of the simulated provider: same seed, same books"),
  SIM_LATENCY(
      "simulated.latency_median",
      "0ms",
      "median simulated call latency (log-normal); demo uses 400ms"),
  SIM_SIGMA("simulated.latency_sigma", "0.5", "spread of the simulated latency (log-normal sigma)"),
  SIM_TIMEOUT_RATE("simulated.timeout_rate", "0", "share of calls that time out"),
  SIM_RATE_LIMIT_RATE(
      "simulated.rate_limit_rate", "0", "share of calls answered 429 with a retry-after"),
  SIM_SERVER_ERROR_RATE("simulated.server_error_rate", "0", "share of calls answered 5xx"),
  SIM_MALFORMED_RATE(
      "simulated.malformed_rate", "0", "share of answers that are not valid JSON / empty prose"),
  SIM_SCHEMA_RATE(
      "simulated.schema_violation_rate",
      "0",
      "share of answers that are JSON but break the schema"),
  SIM_RETRY_AFTER("simulated.retry_after", "800ms", "retry-after the simulated 429s ask for"),
  SIM_WORDS("simulated.words_per_chapter", "600", "target length of simulated chapters");

  final String key;
  final String defaultValue;
  final String description;

  Setting(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  String envName() {
    return "BOOK_CREATOR_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  static Optional<Setting> byKey(String key) {
    return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst();
  }

  static Optional<Setting> byEnv(String env) {
    return Arrays.stream(values()).filter(s -> s.envName().equals(env)).findFirst();
  }
}
