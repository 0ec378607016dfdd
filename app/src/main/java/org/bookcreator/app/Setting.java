package org.bookcreator.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bookcreator.core.alert.NotificationPolicy;
import org.bookcreator.core.alert.RuleThresholds;
import org.bookcreator.core.cost.Price;
import org.bookcreator.core.cost.PriceFile;
import org.bookcreator.core.llm.LlmRouter;
import org.bookcreator.core.llm.LlmRouter.Rule;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;
import org.bookcreator.providers.Providers;
import org.bookcreator.store.postgres.PostgresDatabase;

/**
 * One configuration key, declared once with its default, its type (parser and checks) and its
 * meaning. Declaring a setting here is all it takes: {@link Settings} reads it from the config
 * file, the environment ({@code BOOK_CREATOR_} plus the key in upper case with dots as underscores,
 * e.g. {@code BOOK_CREATOR_PIPELINE_WORKERS}) and flags, parses and checks it, and a test holds
 * docs/configuration.md to {@link #docRow()}. Instances are immutable constants.
 *
 * @param <T> the type {@link Settings#get} returns for this setting
 */
final class Setting<T> {
  /** Every setting in declaration order; filled while the constants below are initialised. */
  private static final List<Setting<?>> DECLARED = new ArrayList<>();

  private static final Map<AgentRole, Setting<Optional<String>>> ROLE_MODELS =
      new EnumMap<>(AgentRole.class);

  private static final List<String> LEVELS =
      List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  static final Setting<Path> DATA_DIR =
      declare(
          "data_dir", "./data", SettingType.path(), "where the store, manuscripts and logs live");

  static final Setting<Optional<String>> STORE_URL =
      declare(
          "store.url",
          "",
          SettingType.custom("jdbc:postgresql://HOST[:PORT]/DATABASE", Setting::storeUrl),
          "where the store is: empty for the SQLite store in data_dir (the default), or a"
              + " PostgreSQL database, jdbc:postgresql://HOST[:PORT]/DATABASE (no password in it:"
              + " see store.password); see docs/scaling.md");

  static final Setting<Optional<String>> STORE_USER =
      declare(
          "store.user",
          "",
          SettingType.optionalText(),
          "PostgreSQL role to sign in as; empty: the URL's user parameter or the driver's default");

  static final Setting<Optional<String>> STORE_PASSWORD =
      declare(
          "store.password",
          "",
          SettingType.secret(1),
          "password of store.user; a secret, masked everywhere; best given as"
              + " BOOK_CREATOR_STORE_PASSWORD, or in store.password_file");

  static final Setting<Optional<Path>> STORE_PASSWORD_FILE =
      declare(
          "store.password_file",
          "",
          SettingType.custom("path", t -> Optional.of(t).filter(x -> !x.isEmpty()).map(Path::of)),
          "a file whose first line is the password of store.user (for secrets mounted as files);"
              + " store.password wins when both are given");

  static final Setting<Integer> STORE_POOL_SIZE =
      declare(
          "store.pool_size",
          "10",
          SettingType.wholeNumber(1, 500),
          "most connections one process holds to a PostgreSQL store");

  static final Setting<Duration> STORE_RETRY_FOR =
      declare(
          "store.retry_for",
          "5m",
          SettingType.duration(Duration.ZERO),
          "how long a process waits out a PostgreSQL store that cannot be reached, retrying with"
              + " backoff: each store call of a running process (0.5 s doubling to 10 s), and run,"
              + " resume and the other pipeline commands at start (1 s doubling to 30 s); serve"
              + " waits at start until the database answers, one-shot commands do not wait; 0:"
              + " never wait; see docs/scaling.md");

  static final Setting<String> PROVIDER =
      declare(
          "provider",
          "simulated",
          SettingType.custom(
              "one of " + String.join(", ", Providers.NAMES), Providers::requireKnown),
          "LLM provider for every role: simulated, openai (any OpenAI-compatible server:"
              + " OPENAI_BASE_URL, OPENAI_API_KEY) or anthropic (ANTHROPIC_BASE_URL,"
              + " ANTHROPIC_API_KEY)");

  static final Setting<Integer> OPENAI_CONCURRENCY =
      declare(
          "openai.max_concurrency",
          "4",
          SettingType.wholeNumber(1, 1024),
          "OpenAI-compatible calls in flight at most");

  static final Setting<String> OPENAI_DEFAULT_MODEL =
      declare(
          "openai.default_model",
          Providers.defaultModel("openai"),
          SettingType.nonEmptyText(),
          "model of OpenAI-compatible calls that name none (model, model.ROLE and routing.rules"
              + " name one)");

  static final Setting<Integer> ANTHROPIC_CONCURRENCY =
      declare(
          "anthropic.max_concurrency",
          "4",
          SettingType.wholeNumber(1, 1024),
          "Anthropic calls in flight at most");

  static final Setting<String> ANTHROPIC_DEFAULT_MODEL =
      declare(
          "anthropic.default_model",
          Providers.defaultModel("anthropic"),
          SettingType.nonEmptyText(),
          "model of Anthropic calls that name none (model, model.ROLE and routing.rules name one)");

  static final Setting<String> MODEL =
      declare(
          "model",
          "default",
          SettingType.nonEmptyText(),
          "model for every role; default lets the provider choose");

  static final Setting<Optional<String>> MODEL_PLANNER =
      roleModel(
          AgentRole.PLANNER, "model for the planner (intake, outline, revisions); empty: model");

  static final Setting<Optional<String>> MODEL_CRITIC =
      roleModel(
          AgentRole.CRITIC, "model for the critic (structure and chapter critique); empty: model");

  static final Setting<Optional<String>> MODEL_RESEARCHER =
      roleModel(AgentRole.RESEARCHER, "model for the researcher; empty: model");

  static final Setting<Optional<String>> MODEL_FACT_MAPPER =
      roleModel(AgentRole.FACT_MAPPER, "model for the fact mapper; empty: model");

  static final Setting<Optional<String>> MODEL_WRITER =
      roleModel(AgentRole.WRITER, "model for the writer (drafts and revisions); empty: model");

  static final Setting<Optional<String>> MODEL_EDITOR =
      roleModel(AgentRole.EDITOR, "model for the editor; empty: model");

  static final Setting<Optional<String>> MODEL_FACT_CHECKER =
      roleModel(AgentRole.FACT_CHECKER, "model for the fact checker; empty: model");

  static final Setting<List<Rule>> ROUTING_RULES =
      declare(
          "routing.rules",
          "",
          SettingType.custom("STAGE/ROLE=PROVIDER[:MODEL] rules", Setting::rules),
          "provider and model per stage and role: STAGE/ROLE=PROVIDER[:MODEL], comma-separated, *"
              + " for any stage or role; the most specific rule wins, e.g."
              + " chapter_writing/writer=openai:gpt-4o, */critic=anthropic:claude-haiku-4-5");

  static final Setting<Optional<Rule>> ROUTING_FALLBACK =
      declare(
          "routing.fallback",
          "",
          SettingType.custom("PROVIDER[:MODEL]", Setting::fallback),
          "PROVIDER[:MODEL] a task switches to when its primary provider keeps failing; empty: no"
              + " fallback");

  static final Setting<Integer> ROUTING_FALLBACK_AFTER =
      declare(
          "routing.fallback_after",
          "2",
          SettingType.wholeNumber(1, Integer.MAX_VALUE),
          "failed attempts of a task on its primary provider before the fallback takes over");

  static final Setting<List<Price>> PRICES_FILE =
      declare(
          "prices.file",
          "",
          SettingType.custom("path of a price file", Setting::priceFile),
          "YAML file of prices overriding or extending the shipped ones (docs/costs.md)");

  static final Setting<List<String>> CATEGORIES_EXTRA =
      declare(
          "categories.extra",
          "",
          SettingType.list(),
          "comma-separated categories to accept beside the built-in ones");

  static final Setting<Integer> WORKERS =
      declare(
          "pipeline.workers",
          "8",
          SettingType.wholeNumber(1, 1024),
          "agent worker threads (virtual threads)");

  static final Setting<Duration> LEASE =
      declare(
          "pipeline.lease",
          "30s",
          SettingType.duration(Duration.ofMillis(100)),
          "how long a claimed task stays leased without a heartbeat");

  static final Setting<Duration> HEARTBEAT =
      declare(
          "pipeline.heartbeat",
          "5s",
          SettingType.duration(Duration.ofMillis(1)),
          "how often a working worker renews its lease");

  static final Setting<Integer> MAX_ATTEMPTS =
      declare(
          "pipeline.max_attempts",
          "5",
          SettingType.wholeNumber(1, 100),
          "attempts per task for retryable failures, the first included");

  static final Setting<Duration> BACKOFF_BASE =
      declare(
          "pipeline.backoff_base",
          "500ms",
          SettingType.duration(Duration.ZERO),
          "first retry delay; doubles per attempt, with jitter");

  static final Setting<Duration> BACKOFF_MAX =
      declare(
          "pipeline.backoff_max",
          "30s",
          SettingType.duration(Duration.ZERO),
          "longest retry delay");

  static final Setting<Integer> REPAIR_ATTEMPTS =
      declare(
          "pipeline.repair_attempts",
          "2",
          SettingType.wholeNumber(0, 10),
          "repair prompts after invalid structured output before the task fails");

  static final Setting<Double> OUTLINE_THRESHOLD =
      declare(
          "pipeline.outline_threshold",
          "8.0",
          SettingType.number(0, 10),
          "critic score (0..10) the outline must reach");

  static final Setting<Integer> OUTLINE_MAX_ITERATIONS =
      declare(
          "pipeline.outline_max_iterations",
          "3",
          SettingType.wholeNumber(1, 20),
          "structure critique rounds at most");

  static final Setting<Double> CHAPTER_THRESHOLD =
      declare(
          "pipeline.chapter_threshold",
          "7.5",
          SettingType.number(0, 10),
          "critic score (0..10) a chapter must reach");

  static final Setting<Integer> CHAPTER_MAX_ITERATIONS =
      declare(
          "pipeline.chapter_max_iterations",
          "3",
          SettingType.wholeNumber(1, 20),
          "critique rounds per chapter at most");

  static final Setting<Duration> CALL_TIMEOUT =
      declare(
          "pipeline.call_timeout",
          "120s",
          SettingType.duration(Duration.ofMillis(1)),
          "timeout of one model call");

  static final Setting<String> LOG_LEVEL =
      declare(
          "logging.level",
          "INFO",
          SettingType.choice(LEVELS),
          "root log level: TRACE, DEBUG, INFO, WARN, ERROR");

  static final Setting<Map<String, String>> LOG_LEVELS =
      declare(
          "logging.levels",
          "",
          SettingType.custom("NAME=LEVEL pairs", Setting::logLevels),
          "per-package levels, e.g. org.bookcreator.core.pipeline=DEBUG,org.sqlite=WARN");

  static final Setting<String> LOG_CONSOLE =
      declare(
          "logging.console",
          "auto",
          SettingType.choice(List.of("auto", "json", "text", "off")),
          "console log format: json, text, off; auto = json on stdout for serve, off for commands"
              + " with a progress display");

  static final Setting<Long> LOG_MAX_FILE_SIZE =
      declare(
          "logging.max_file_size",
          "20MB",
          SettingType.size().check(b -> b >= 1024, "must be at least 1KB", ", at least 1KB"),
          "size at which data/logs/book-creator.log rotates (KB, MB, GB)");

  static final Setting<Integer> LOG_KEEP_FILES =
      declare("logging.keep_files", "5", SettingType.wholeNumber(1, 100), "rotated log files kept");

  static final Setting<Boolean> LOG_STORE =
      declare(
          "logging.store",
          "true",
          SettingType.bool(),
          "keep an indexed copy of the log lines in data/logs.db for bin/book-creator logs and GET"
              + " /api/logs");

  static final Setting<Duration> LOG_STORE_MAX_AGE =
      declare(
          "logging.store_max_age",
          "14d",
          SettingType.duration(Duration.ofMillis(1)),
          "records older than this are deleted from the logs' copy (the files rotate on their"
              + " own)");

  static final Setting<Long> LOG_STORE_MAX_RECORDS =
      declare(
          "logging.store_max_records",
          "2000000",
          SettingType.longNumber(1000),
          "the logs' copy keeps at most this many records, the newest");

  static final Setting<List<String>> LOG_REDACT =
      declare(
          "logging.redact",
          "",
          SettingType.secretList(),
          "extra secret values (comma-separated) to mask everywhere, beside API keys from the"
              + " environment");

  static final Setting<Boolean> METRICS_ENABLED =
      declare(
          "telemetry.metrics",
          "true",
          SettingType.bool(),
          "record metrics (false: every instrument is a no-op)");

  static final Setting<Boolean> TRACING_ENABLED =
      declare(
          "telemetry.tracing", "true", SettingType.bool(), "record spans (false: no-op tracer)");

  static final Setting<Double> SAMPLING_RATIO =
      declare(
          "telemetry.sampling_ratio",
          "1.0",
          SettingType.number(0, 1),
          "share of runs whose traces are kept, 0..1");

  static final Setting<Boolean> SPAN_STORE =
      declare(
          "telemetry.span_store",
          "true",
          SettingType.bool(),
          "keep spans in the local store so bin/book-creator trace RUN works with no external"
              + " system");

  static final Setting<Long> SPAN_STORE_MAX =
      declare(
          "telemetry.span_store_max",
          "1000000",
          SettingType.longNumber(1000),
          "spans kept in the local store; the oldest beyond this are deleted");

  static final Setting<Integer> SPAN_QUEUE =
      declare(
          "telemetry.span_queue",
          "8192",
          SettingType.wholeNumber(16, Integer.MAX_VALUE),
          "spans buffered for the local store before new ones are dropped (and counted)");

  static final Setting<Boolean> CAPTURE_CONTENT =
      declare(
          "telemetry.capture_content",
          "false",
          SettingType.bool(),
          "put prompts and completions in spans (off: they never leave the ledger)");

  static final Setting<Duration> STALL_THRESHOLD =
      declare(
          "stalls.threshold",
          "10m",
          SettingType.duration(Duration.ofSeconds(1)),
          "an active run with no progress for longer than this is stalled (runs --stalled, the"
              + " stalled event, the stall gauges)");

  static final Setting<Map<Stage, Duration>> STALL_THRESHOLDS =
      declare(
          "stalls.thresholds",
          "",
          SettingType.custom(
              "STAGE=DURATION pairs",
              t -> Map.copyOf(StallDetector.parseThresholds(t, SettingType::duration))),
          "per-stage thresholds overriding stalls.threshold: STAGE=DURATION, comma-separated, e.g."
              + " chapter_writing=30m, research=20m");

  static final Setting<Duration> STALL_CHECK_EVERY =
      declare(
          "stalls.check_every",
          "30s",
          SettingType.duration(Duration.ofMillis(100)),
          "how often a pipeline process looks for stalled runs");

  static final Setting<Boolean> ALERTS_ENABLED =
      declare(
          "alerts.enabled",
          "true",
          SettingType.bool(),
          "evaluate the built-in alert rules in every process that drives runs (serve, run, demo,"
              + " resume); docs/alerts.md");

  static final Setting<Duration> ALERTS_INTERVAL =
      declare(
          "alerts.interval",
          "15s",
          SettingType.duration(Duration.ofSeconds(1)),
          "how often the alert rules are evaluated");

  static final Setting<List<String>> ALERTS_DISABLED =
      declare(
          "alerts.disabled",
          "",
          SettingType.list(),
          "alert rules switched off, by name (comma-separated), e.g. RunFailed,StoreDiskLow");

  static final Setting<RuleThresholds> ALERTS_THRESHOLDS =
      declare(
          "alerts.thresholds",
          "",
          SettingType.custom("RULE.PARAM=VALUE pairs", RuleThresholds::parse),
          "rule thresholds overriding the defaults: RULE.PARAM=VALUE, comma-separated, e.g."
              + " ProviderErrorRateHigh.max_share=30%, ProviderDown.for=1m; every rule takes for;"
              + " bin/book-creator alerts rules --json lists each rule's thresholds");

  static final Setting<List<String>> ALERTS_GROUP_BY =
      declare(
          "alerts.group_by",
          "provider",
          SettingType.list(),
          "labels that, with the alert's name, group alerts into one notification");

  static final Setting<Duration> ALERTS_GROUP_WAIT =
      declare(
          "alerts.group_wait",
          "10s",
          SettingType.duration(Duration.ZERO),
          "how long a new group's notification waits for more alerts of its group");

  static final Setting<Duration> ALERTS_GROUP_INTERVAL =
      declare(
          "alerts.group_interval",
          "5m",
          SettingType.duration(Duration.ZERO),
          "least time between two notifications of one group");

  static final Setting<Duration> ALERTS_REPEAT_INTERVAL =
      declare(
          "alerts.repeat_interval",
          "4h",
          SettingType.duration(Duration.ofMinutes(1)),
          "a still-firing alert is announced again after this long");

  static final Setting<List<NotificationPolicy.Route>> ALERTS_ROUTES =
      declare(
          "alerts.routes",
          "",
          SettingType.custom("routes: MATCHERS:NOTIFIERS; ...", NotificationPolicy.Route::parse),
          "which notifiers hear of which alerts: routes separated by ';', each label matchers"
              + " (comma-separated, or * for all) ':' notifier names (comma-separated), e.g."
              + " severity=critical:email,desktop; alertname=RunFailed:webhook; the first route"
              + " that matches wins; no route matches: every notifier");

  static final Setting<List<String>> NOTIFY_WEBHOOKS =
      declare(
          "notify.webhooks",
          "",
          SettingType.secretList(),
          "URLs that get every alert notification (comma-separated; a secret, masked everywhere,"
              + " since such URLs often hold a token)");

  static final Setting<String> NOTIFY_WEBHOOK_FORMAT =
      declare(
          "notify.webhook_format",
          "json",
          SettingType.choice(List.of("json", "slack")),
          "body of webhook notifications: json (docs/alerts.md) or slack ({\"text\": ...},"
              + " also Mattermost)");

  static final Setting<Optional<String>> NOTIFY_WEBHOOK_SECRET =
      declare(
          "notify.webhook_secret",
          "",
          SettingType.secret(16),
          "key of the HMAC-SHA256 signature header of webhook notifications; at least 16"
              + " characters; a secret, masked everywhere");

  static final Setting<List<String>> NOTIFY_EMAIL_TO =
      declare(
          "notify.email.to",
          "",
          SettingType.list(),
          "e-mail addresses that get every alert notification (comma-separated); empty: no e-mail;"
              + " docs/alerts.md");

  static final Setting<String> NOTIFY_EMAIL_FROM =
      declare(
          "notify.email.from",
          "",
          SettingType.text(),
          "sender of notification e-mails, e.g. Book Creator <alerts@example.com>; required with"
              + " notify.email.to");

  static final Setting<String> NOTIFY_EMAIL_SMTP_HOST =
      declare(
          "notify.email.smtp_host",
          "",
          SettingType.text(),
          "SMTP server notification e-mails go through; required with notify.email.to");

  static final Setting<Integer> NOTIFY_EMAIL_SMTP_PORT =
      declare(
          "notify.email.smtp_port",
          "587",
          SettingType.wholeNumber(1, 65535),
          "port of the SMTP server: 587 for starttls, 465 for tls, 25 for a local relay");

  static final Setting<String> NOTIFY_EMAIL_SECURITY =
      declare(
          "notify.email.security",
          "starttls",
          SettingType.choice(List.of("starttls", "tls", "none")),
          "starttls (required, never falls back to clear text), tls (from the first byte), or"
              + " none (only for a relay on this machine)");

  static final Setting<Optional<String>> NOTIFY_EMAIL_USERNAME =
      declare(
          "notify.email.username",
          "",
          SettingType.optionalText(),
          "login at the SMTP server, with notify.email.password; empty: no login");

  static final Setting<Optional<String>> NOTIFY_EMAIL_PASSWORD =
      declare(
          "notify.email.password",
          "",
          SettingType.secret(1),
          "password of the SMTP login; a secret, masked everywhere; best given as"
              + " BOOK_CREATOR_NOTIFY_EMAIL_PASSWORD");

  static final Setting<Duration> NOTIFY_EMAIL_TIMEOUT =
      declare(
          "notify.email.timeout",
          "30s",
          SettingType.duration(Duration.ofSeconds(1)),
          "limit of connecting to the SMTP server and of each exchange with it");

  static final Setting<Boolean> NOTIFY_DESKTOP =
      declare(
          "notify.desktop",
          "false",
          SettingType.bool(),
          "show every alert notification on this machine's desktop (notify-send on Linux,"
              + " osascript on macOS); without a desktop session, one log line and nothing else");

  static final Setting<List<String>> NOTIFY_ALERTMANAGER_URLS =
      declare(
          "notify.alertmanager.urls",
          "",
          SettingType.secretList(),
          "Alertmanager base URLs (e.g. http://alertmanager:9093) that get the built-in alerts as"
              + " Prometheus sends them (comma-separated; a secret, masked everywhere)");

  static final Setting<Duration> NOTIFY_ALERTMANAGER_RESEND =
      declare(
          "notify.alertmanager.resend",
          "1m",
          SettingType.duration(Duration.ofSeconds(1)),
          "how often alerts still firing are posted to Alertmanager again; each post holds them"
              + " for four of these");

  static final Setting<Duration> NOTIFY_LONG_RUN_AFTER =
      declare(
          "notify.long_run_after",
          "10m",
          SettingType.duration(Duration.ofMillis(1)),
          "a run that took longer than this (from its creation to its end) is announced to the"
              + " notifiers when it completes (BookReady: the manuscript, time and cost) or fails"
              + " (BookFailed)");

  static final Setting<Duration> NOTIFY_RETRY_BASE =
      declare(
          "notify.retry_base",
          "5s",
          SettingType.duration(Duration.ofMillis(10)),
          "first wait before a failed notification is tried again; doubles per attempt, with"
              + " jitter");

  static final Setting<Duration> NOTIFY_RETRY_MAX =
      declare(
          "notify.retry_max",
          "10m",
          SettingType.duration(Duration.ofMillis(10)),
          "longest wait between two attempts of a notification");

  static final Setting<Duration> NOTIFY_GIVE_UP_AFTER =
      declare(
          "notify.give_up_after",
          "24h",
          SettingType.duration(Duration.ofSeconds(1)),
          "a notification not delivered within this long is given up (and logged as an error)");

  static final Setting<String> HTTP_HOST =
      declare(
          "http.host",
          "127.0.0.1",
          SettingType.nonEmptyText(),
          "address the serve process binds (API, /metrics)");

  static final Setting<Integer> HTTP_PORT =
      declare(
          "http.port",
          "8080",
          SettingType.wholeNumber(0, 65535),
          "port of the all-in-one process: the JSON API, /healthz, /readyz and /metrics; 0 picks a"
              + " free port");

  static final Setting<Optional<String>> HTTP_TOKEN =
      declare(
          "http.token",
          "",
          SettingType.secret(16),
          "bearer token the API requires (Authorization: Bearer ...); required when http.host is"
              + " not a loopback address; at least 16 characters; a secret, masked everywhere");

  static final Setting<Long> HTTP_MAX_UPLOAD =
      declare(
          "http.max_upload",
          "20MB",
          SettingType.size().check(b -> b > 0, "must be positive", ""),
          "largest reference document the API accepts (KB, MB, GB); larger uploads get 413");

  static final Setting<Integer> WORKER_PORT =
      declare(
          "worker.metrics_port",
          "9500",
          SettingType.wholeNumber(-1, 65535),
          "port of /metrics with heartbeats of serve --role worker (a process with the API serves"
              + " all its metrics on http.port instead); -1 turns it off");

  static final Setting<String> INSTANCE_ID =
      declare(
          "instance.id",
          "",
          SettingType.text()
              .check(
                  org.bookcreator.telemetry.Instance::valid,
                  "must be empty or 1-64 letters, digits, '_', '.', ':' or '-', starting with a"
                      + " letter or digit",
                  ""),
          "this process's name in every JSON log line (instance) and as service.instance.id of its"
              + " spans and metrics, such as worker-2; empty: HOST-PID");

  static final Setting<String> WORKER_HOST =
      declare(
          "worker.metrics_host",
          "127.0.0.1",
          SettingType.nonEmptyText(),
          "address the worker pool's /metrics binds, whatever http.host is; 0.0.0.0 for every"
              + " interface (its heartbeats are for your Prometheus, not the world)");

  static final Setting<Long> SIM_SEED =
      declare(
          "simulated.seed",
          "42",
          SettingType.longNumber(Long.MIN_VALUE),
          "seed of the simulated provider: same seed, same books");

  static final Setting<Duration> SIM_LATENCY =
      declare(
          "simulated.latency_median",
          "0ms",
          SettingType.duration(Duration.ZERO),
          "median simulated call latency (log-normal); demo uses 400ms");

  static final Setting<Double> SIM_SIGMA =
      declare(
          "simulated.latency_sigma",
          "0.5",
          SettingType.number(0, 3),
          "spread of the simulated latency (log-normal sigma)");

  static final Setting<Double> SIM_TIMEOUT_RATE =
      declare(
          "simulated.timeout_rate", "0", SettingType.number(0, 1), "share of calls that time out");

  static final Setting<Double> SIM_RATE_LIMIT_RATE =
      declare(
          "simulated.rate_limit_rate",
          "0",
          SettingType.number(0, 1),
          "share of calls answered 429 with a retry-after");

  static final Setting<Double> SIM_SERVER_ERROR_RATE =
      declare(
          "simulated.server_error_rate",
          "0",
          SettingType.number(0, 1),
          "share of calls answered 5xx");

  static final Setting<Double> SIM_MALFORMED_RATE =
      declare(
          "simulated.malformed_rate",
          "0",
          SettingType.number(0, 1),
          "share of answers that are not valid JSON / empty prose");

  static final Setting<Double> SIM_SCHEMA_RATE =
      declare(
          "simulated.schema_violation_rate",
          "0",
          SettingType.number(0, 1),
          "share of answers that are JSON but break the schema");

  static final Setting<Duration> SIM_RETRY_AFTER =
      declare(
          "simulated.retry_after",
          "800ms",
          SettingType.duration(Duration.ZERO),
          "retry-after the simulated 429s ask for");

  static final Setting<Integer> SIM_WORDS =
      declare(
          "simulated.words_per_chapter",
          "600",
          SettingType.wholeNumber(50, 20000),
          "target length of simulated chapters");

  final String key;

  /** The default as written in the docs and parsed like any other text. */
  final String defaultValue;

  final String description;
  final SettingType<T> type;

  /** The parsed default: what a setting falls back to while its bad value is reported. */
  final T fallback;

  private Setting(String key, String defaultValue, SettingType<T> type, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.type = type;
    this.description = description;
    // A default that does not parse is a programming error: the class fails to initialise.
    this.fallback = type.parse(defaultValue);
  }

  private static <T> Setting<T> declare(
      String key, String defaultValue, SettingType<T> type, String description) {
    if (byKey(key).isPresent()) throw new IllegalStateException("setting declared twice: " + key);
    Setting<T> s = new Setting<>(key, defaultValue, type, description);
    DECLARED.add(s);
    return s;
  }

  private static Setting<Optional<String>> roleModel(AgentRole role, String description) {
    Setting<Optional<String>> s =
        declare("model." + role.id(), "", SettingType.optionalText(), description);
    ROLE_MODELS.put(role, s);
    return s;
  }

  /** Parses and checks {@code text}; throws {@link IllegalArgumentException} naming the rule. */
  T parse(String text) {
    return type.parse(text);
  }

  /** True when the value must never be shown (in messages, {@code toString} or listings). */
  boolean secret() {
    return type.secret;
  }

  String envName() {
    return envName(key);
  }

  /**
   * The environment variable of a key: {@code pipeline.workers} is {@code
   * BOOK_CREATOR_PIPELINE_WORKERS}.
   */
  static String envName(String key) {
    return "BOOK_CREATOR_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** This setting's row of the table in docs/configuration.md. */
  String docRow() {
    return "| `%s` | `%s` | %s | %s |"
        .formatted(key, defaultValue.isEmpty() ? "(empty)" : defaultValue, type.doc, description);
  }

  @Override
  public String toString() {
    return key;
  }

  /** Every declared setting, in declaration order. */
  static Setting<?>[] values() {
    return DECLARED.toArray(Setting<?>[]::new);
  }

  static Optional<Setting<?>> byKey(String key) {
    return DECLARED.stream().filter(s -> s.key.equals(key)).findFirst();
  }

  static Optional<Setting<?>> byEnv(String env) {
    return DECLARED.stream().filter(s -> s.envName().equals(env)).findFirst();
  }

  /** The per-role model settings ({@code model.writer} and friends). */
  static Map<AgentRole, Setting<Optional<String>>> roleModels() {
    return Collections.unmodifiableMap(ROLE_MODELS);
  }

  private static List<Rule> rules(String text) {
    List<Rule> rules = LlmRouter.parseRules(text);
    rules.forEach(r -> Providers.requireKnown(r.provider()));
    return List.copyOf(rules);
  }

  private static Optional<String> storeUrl(String text) {
    if (text.isEmpty()) return Optional.empty();
    String problem = PostgresDatabase.Settings.problem(text);
    if (problem != null) throw new IllegalArgumentException(problem);
    return Optional.of(text);
  }

  private static Optional<Rule> fallback(String text) {
    if (text.isEmpty()) return Optional.empty();
    Rule target;
    try {
      target = LlmRouter.parseTarget(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "expected PROVIDER[:MODEL], e.g. anthropic:claude-haiku-4-5 (" + e.getMessage() + ")");
    }
    Providers.requireKnown(target.provider());
    return Optional.of(target);
  }

  private static List<Price> priceFile(String text) {
    return text.isEmpty() ? List.of() : List.copyOf(PriceFile.read(Path.of(text)));
  }

  /** {@code logging.levels}: logger name to level. */
  private static Map<String, String> logLevels(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : text.split(",")) {
      if (pair.isBlank()) continue;
      String[] kv = pair.strip().split("=");
      String level = kv.length == 2 ? kv[1].strip().toUpperCase(Locale.ROOT) : "";
      if (kv.length != 2 || kv[0].isBlank() || !LEVELS.contains(level)) {
        throw new IllegalArgumentException(
            "expected name=LEVEL pairs separated by commas (levels: "
                + String.join(", ", LEVELS)
                + "), got '"
                + pair.strip()
                + "'");
      }
      out.put(kv[0].strip(), level);
    }
    return Collections.unmodifiableMap(out);
  }
}
