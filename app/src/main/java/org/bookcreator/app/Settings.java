package org.bookcreator.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bookcreator.core.alert.AlertRule;
import org.bookcreator.core.alert.BuiltInRules;
import org.bookcreator.core.alert.Notifier;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.ops.StallDetector;
import org.bookcreator.core.pipeline.PipelineConfig;
import org.bookcreator.core.project.Categories;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.notify.AlertmanagerNotifier;
import org.bookcreator.notify.DesktopNotifier;
import org.bookcreator.notify.EmailNotifier;
import org.bookcreator.providers.HttpProviderSettings;
import org.bookcreator.providers.ProviderSettings;
import org.bookcreator.providers.Providers;
import org.bookcreator.providers.simulated.SimulationConfig;
import org.bookcreator.store.postgres.PostgresDatabase;

/**
 * The effective configuration: every {@link Setting} parsed once from the defaults, a config file,
 * the environment ({@code BOOK_CREATOR_*}) and command-line flags (see {@link ConfigSources}), and
 * the configs derived from them. Built only by {@link #load}, which reports every problem at once;
 * sealed from then on (no setters, every field final, every collection unmodifiable), so it is safe
 * to share between threads. Secrets (the HTTP token, API keys, webhook URLs and secret, the SMTP
 * password, {@code logging.redact}) never appear in its messages or {@link #toString()}.
 */
final class Settings {
  static final String CONFIG_ENV = ConfigSources.CONFIG_ENV;
  private static final String MASK = "****";

  private final Map<Setting<?>, Object> values;
  private final Map<Setting<?>, ConfigSources.Text> texts;
  private final PipelineConfig pipeline;
  private final SimulationConfig simulation;
  private final ProviderSettings providers;
  private final PriceTable prices;
  private final Categories categories;
  private final StallDetector.Thresholds stallThresholds;
  private final BuiltInRules.Configured alertRules;
  private final List<AlertmanagerNotifier.Settings> alertmanagers;

  /**
   * The notifiers, built once when the settings are read (each holds its own HTTP client or mail
   * session), on the system clock; null when one of them is misconfigured (a problem says why).
   */
  private final List<Notifier> notifiers;

  /** The environment the settings were read from: the desktop notifier's session and PATH. */
  private final Map<String, String> env;

  /** Builds the derived configs; a failure adds to {@code problems} (and leaves that one null). */
  private Settings(
      Map<Setting<?>, Object> values,
      Map<Setting<?>, ConfigSources.Text> texts,
      Map<String, String> env,
      List<String> problems) {
    this.values = Collections.unmodifiableMap(new HashMap<>(values));
    this.texts = Map.copyOf(texts);
    this.env = Map.copyOf(env);
    this.pipeline = derive("pipeline settings", this::buildPipeline, problems);
    this.simulation = derive("simulated provider settings", this::buildSimulation, problems);
    this.providers = derive("provider settings", () -> buildProviders(env, problems), problems);
    this.prices =
        derive(
            where(Setting.PRICES_FILE),
            () -> PriceTable.defaults().with(get(Setting.PRICES_FILE)),
            problems);
    this.categories =
        derive(
            where(Setting.CATEGORIES_EXTRA),
            () -> Categories.defaults().plus(get(Setting.CATEGORIES_EXTRA)),
            problems);
    this.stallThresholds =
        derive(
            where(Setting.STALL_THRESHOLD),
            () ->
                new StallDetector.Thresholds(
                    get(Setting.STALL_THRESHOLD), get(Setting.STALL_THRESHOLDS)),
            problems);
    this.alertRules =
        derive(
            where(Setting.ALERTS_THRESHOLDS),
            () -> BuiltInRules.configured(get(Setting.HEARTBEAT), get(Setting.ALERTS_THRESHOLDS)),
            problems);
    derive(where(Setting.ALERTS_DISABLED), this::checkDisabled, problems);
    InstantSource clock = InstantSource.system();
    List<Notifier> hooks = derive(where(Setting.NOTIFY_WEBHOOKS), () -> webhooks(clock), problems);
    Optional<Notifier> mail =
        derive("the e-mail notifier (notify.email.*)", () -> email(clock), problems);
    this.alertmanagers =
        derive(where(Setting.NOTIFY_ALERTMANAGER_URLS), this::buildAlertmanagers, problems);
    this.notifiers =
        hooks == null || mail == null || alertmanagers == null
            ? null
            : assembleNotifiers(hooks, mail, clock);
    derive(where(Setting.ALERTS_ROUTES), this::checkRoutes, problems);
  }

  /** Whether the routes name configured notifiers; when the notifiers fail, they say why. */
  private Void checkRoutes() {
    if (notifiers == null) return null; // reported with the notifier's own settings
    org.bookcreator.core.alert.NotificationPolicy.Route.requireKnown(
        get(Setting.ALERTS_ROUTES), notifiers.stream().map(Notifier::name).toList());
    return null;
  }

  /** Whether every rule {@code alerts.disabled} names is a rule. */
  private Void checkDisabled() {
    if (alertRules == null) return null; // reported with alerts.thresholds
    List<String> names = alertRules.rules().stream().map(AlertRule::name).toList();
    List<String> unknown =
        get(Setting.ALERTS_DISABLED).stream().filter(n -> !names.contains(n)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "no alert rule named "
              + String.join(", ", unknown)
              + "; the rules are "
              + String.join(", ", names));
    }
    return null;
  }

  /**
   * The notifiers configured: one webhook per URL of {@code notify.webhooks}, {@code email} when
   * {@code notify.email.to} names someone, {@code desktop} when {@code notify.desktop} is on.
   */
  List<Notifier> notifiers() {
    return notifiers;
  }

  private List<Notifier> assembleNotifiers(
      List<Notifier> hooks, Optional<Notifier> mail, InstantSource clock) {
    List<Notifier> out = new ArrayList<>(hooks);
    mail.ifPresent(out::add);
    desktop().ifPresent(out::add);
    for (AlertmanagerNotifier.Settings a : alertmanagers)
      out.add(new AlertmanagerNotifier(a, clock));
    return List.copyOf(out);
  }

  private List<Notifier> webhooks(InstantSource clock) {
    List<String> urls = get(Setting.NOTIFY_WEBHOOKS);
    List<Notifier> out = new ArrayList<>();
    for (int i = 0; i < urls.size(); i++) {
      out.add(
          new org.bookcreator.notify.WebhookNotifier(
              new org.bookcreator.notify.WebhookNotifier.Settings(
                  urls.size() == 1 ? "webhook" : "webhook-" + (i + 1),
                  webhookUrl(urls.get(i), i + 1),
                  get(Setting.NOTIFY_WEBHOOK_FORMAT).equals("slack")
                      ? org.bookcreator.notify.WebhookNotifier.Format.SLACK
                      : org.bookcreator.notify.WebhookNotifier.Format.JSON,
                  get(Setting.NOTIFY_WEBHOOK_SECRET),
                  java.time.Duration.ofSeconds(10)),
              clock));
    }
    return out;
  }

  private Optional<Notifier> email(InstantSource clock) {
    List<String> to = get(Setting.NOTIFY_EMAIL_TO);
    if (to.isEmpty()) return Optional.empty();
    for (Setting<String> required :
        List.of(Setting.NOTIFY_EMAIL_FROM, Setting.NOTIFY_EMAIL_SMTP_HOST)) {
      if (get(required).isBlank())
        throw new IllegalArgumentException(
            required.key + " is not set; e-mail notifications (notify.email.to) need it");
    }
    return Optional.of(
        new EmailNotifier(
            new EmailNotifier.Settings(
                "email",
                to,
                get(Setting.NOTIFY_EMAIL_FROM),
                get(Setting.NOTIFY_EMAIL_SMTP_HOST),
                get(Setting.NOTIFY_EMAIL_SMTP_PORT),
                EmailNotifier.Security.valueOf(
                    get(Setting.NOTIFY_EMAIL_SECURITY).toUpperCase(Locale.ROOT)),
                get(Setting.NOTIFY_EMAIL_USERNAME),
                get(Setting.NOTIFY_EMAIL_PASSWORD),
                get(Setting.NOTIFY_EMAIL_TIMEOUT)),
            clock));
  }

  private Optional<Notifier> desktop() {
    if (!get(Setting.NOTIFY_DESKTOP)) return Optional.empty();
    return Optional.of(
        new DesktopNotifier(
            new DesktopNotifier.Settings(
                "desktop",
                DesktopNotifier.Platform.of(System.getProperty("os.name")),
                env,
                Duration.ofSeconds(10))));
  }

  /**
   * One Alertmanager notifier per URL of {@code notify.alertmanager.urls}: {@code alertmanager}, or
   * {@code alertmanager-1}, {@code alertmanager-2}, ... for several.
   */
  List<AlertmanagerNotifier> alertmanagers() {
    return notifiers.stream()
        .filter(AlertmanagerNotifier.class::isInstance)
        .map(AlertmanagerNotifier.class::cast)
        .toList();
  }

  /** The settings of each Alertmanager notifier; an error names the URL's position, not the URL. */
  private List<AlertmanagerNotifier.Settings> buildAlertmanagers() {
    List<String> urls = get(Setting.NOTIFY_ALERTMANAGER_URLS);
    List<AlertmanagerNotifier.Settings> out = new ArrayList<>();
    for (int i = 0; i < urls.size(); i++) {
      try {
        out.add(
            new AlertmanagerNotifier.Settings(
                urls.size() == 1 ? "alertmanager" : "alertmanager-" + (i + 1),
                new URI(urls.get(i)),
                get(Setting.NOTIFY_ALERTMANAGER_RESEND),
                generatorUrl(),
                Duration.ofSeconds(10)));
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException(
            "URL number " + (i + 1) + " is not a URL (" + e.getReason() + ")");
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("URL number " + (i + 1) + ": " + e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  /**
   * Where people see the alerts Book Creator sends to Alertmanager: this process's {@code
   * /api/alerts} (Prometheus's {@code generatorURL} links to its own page the same way).
   */
  private URI generatorUrl() {
    String host = get(Setting.HTTP_HOST);
    try {
      return new URI(
          "http",
          null,
          host.contains(":") ? "[" + host + "]" : host,
          get(Setting.HTTP_PORT),
          "/api/alerts",
          null,
          null);
    } catch (java.net.URISyntaxException e) {
      return URI.create("http://localhost/api/alerts");
    }
  }

  /** A webhook URL, or an error that names its position but not the URL (it may hold a token). */
  private static java.net.URI webhookUrl(String text, int position) {
    try {
      return new java.net.URI(text);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(
          "webhook URL number " + position + " is not a URL (" + e.getReason() + ")");
    }
  }

  /**
   * Grouping, waits and repeats of notifications, and their routes to the configured notifiers.
   *
   * @throws IllegalArgumentException when a route names a notifier that is not configured
   */
  org.bookcreator.core.alert.NotificationPolicy notificationPolicy() {
    return new org.bookcreator.core.alert.NotificationPolicy(
        notifiers.stream().map(Notifier::name).toList(),
        get(Setting.ALERTS_GROUP_BY),
        get(Setting.ALERTS_GROUP_WAIT),
        get(Setting.ALERTS_GROUP_INTERVAL),
        get(Setting.ALERTS_REPEAT_INTERVAL),
        get(Setting.ALERTS_ROUTES));
  }

  /** The alert rules this process evaluates (every built-in one not switched off). */
  List<AlertRule> alertRules() {
    return alertRules.rules().stream()
        .filter(r -> !get(Setting.ALERTS_DISABLED).contains(r.name()))
        .toList();
  }

  /** Every built-in rule, switched off or not, with the thresholds in force. */
  BuiltInRules.Configured configuredAlertRules() {
    return alertRules;
  }

  /**
   * Reads, parses and checks every setting.
   *
   * @param configFile the YAML file of {@code --config}; null: {@code BOOK_CREATOR_CONFIG}, if set
   * @param env the environment: {@code BOOK_CREATOR_*} settings and the providers' variables
   * @param flags setting texts given on the command line (they win over everything else)
   * @throws ConfigException naming every problem, each with its key, value and source
   */
  static Settings load(Path configFile, Map<String, String> env, Map<Setting<?>, String> flags) {
    ConfigSources.Read read = ConfigSources.read(configFile, env, flags);
    List<String> problems = new ArrayList<>(read.problems());
    Map<Setting<?>, Object> values = new HashMap<>();
    for (Setting<?> s : Setting.values()) {
      ConfigSources.Text text = read.texts().get(s);
      try {
        values.put(s, s.parse(text.text()));
      } catch (IllegalArgumentException e) {
        problems.add(s.key + " (from " + text.origin() + "): " + e.getMessage());
        // The default stands in, so that the checks across settings still run and report.
        values.put(s, s.fallback);
      }
    }
    Settings settings = new Settings(values, read.texts(), env, problems);
    if (!problems.isEmpty()) throw new ConfigException(problems);
    return settings;
  }

  private static Optional<String> secret(String value) {
    return Optional.ofNullable(value).filter(k -> !k.isBlank());
  }

  private static <T> T derive(String what, Supplier<T> build, List<String> problems) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      problems.add(what + ": " + e.getMessage());
      return null;
    }
  }

  /**
   * An HTTP provider's settings: its base URL and key from {@code PROVIDER_BASE_URL} and {@code
   * PROVIDER_API_KEY} (e.g. {@code OPENAI_BASE_URL}), its model and concurrency from the settings.
   * A provider in use adds its problems (a base URL that is no http(s) URL, no key for the
   * provider's own server); one not in use is never called, so a bad URL of its own is no error (it
   * keeps the default URL).
   */
  private HttpProviderSettings http(
      String provider,
      Setting<String> model,
      Setting<Integer> concurrency,
      String noKeyHint,
      boolean inUse,
      Map<String, String> env,
      List<String> problems) {
    String prefix = provider.toUpperCase(Locale.ROOT);
    String defaultUrl = Providers.defaultBaseUrl(provider);
    String url = env.getOrDefault(prefix + "_BASE_URL", defaultUrl);
    Optional<String> key = secret(env.get(prefix + "_API_KEY"));
    Optional<URI> uri = httpUrl(url);
    if (inUse && uri.isEmpty()) {
      problems.add(
          prefix
              + "_BASE_URL: expected an http(s) URL such as "
              + defaultUrl
              + ", got '"
              + url
              + "'");
    }
    if (inUse && key.isEmpty() && url.equals(defaultUrl))
      problems.add("provider " + provider + ": " + prefix + "_API_KEY is not set" + noKeyHint);
    return new HttpProviderSettings(
        provider, uri.orElse(URI.create(defaultUrl)), key, get(model), get(concurrency));
  }

  private static Optional<URI> httpUrl(String url) {
    try {
      URI uri = URI.create(url);
      String scheme = uri.getScheme();
      return scheme != null && (scheme.equals("http") || scheme.equals("https"))
          ? Optional.of(uri)
          : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The value of a setting, parsed and checked when the settings were loaded. */
  <T> T get(Setting<T> s) {
    @SuppressWarnings("unchecked") // values holds only what s.parse returned for s
    T value = (T) values.get(s);
    return value;
  }

  /**
   * Where a setting's value came from: "default", "FILE:LINE", "environment NAME", or the flag
   * ("--workers"; "flag" for one set on a command's behalf).
   */
  String origin(Setting<?> s) {
    return texts.get(s).origin();
  }

  /** A setting's text as written (to show it as the user wrote it); secrets are masked. */
  String text(Setting<?> s) {
    return s.secret() && !texts.get(s).text().isEmpty() ? MASK : texts.get(s).text().strip();
  }

  private String where(Setting<?> s) {
    return s.key + " (from " + origin(s) + ")";
  }

  Path dataDir() {
    return get(Setting.DATA_DIR);
  }

  /**
   * The PostgreSQL store {@code store.url} names, with its sign-in; empty for the SQLite store in
   * the data directory (the default).
   */
  Optional<PostgresDatabase.Settings> postgresStore() {
    return get(Setting.STORE_URL)
        .map(
            url ->
                new PostgresDatabase.Settings(
                    url,
                    get(Setting.STORE_USER),
                    storePassword(),
                    get(Setting.STORE_POOL_SIZE),
                    Duration.ofSeconds(10),
                    get(Setting.STORE_RETRY_FOR)));
  }

  /**
   * {@code store.password}, else the first line of {@code store.password_file}.
   *
   * @throws StoreException naming the file when it cannot be read (never its content)
   */
  Optional<String> storePassword() {
    Optional<String> given = get(Setting.STORE_PASSWORD);
    if (given.isPresent()) return given;
    return get(Setting.STORE_PASSWORD_FILE)
        .map(
            file -> {
              try {
                return Files.readAllLines(file).stream().findFirst().orElse("").strip();
              } catch (IOException | UncheckedIOException e) {
                throw new StoreException(
                    "cannot read store.password_file "
                        + file
                        + ": "
                        + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
              }
            })
        .filter(p -> !p.isEmpty());
  }

  /** The shipped prices with the user's price file (if any) on top. */
  PriceTable prices() {
    return prices;
  }

  Categories categories() {
    return categories;
  }

  PipelineConfig pipeline() {
    return pipeline;
  }

  SimulationConfig simulation() {
    return simulation;
  }

  /** What the model clients are built from: the default provider, routing, each adapter's own. */
  ProviderSettings providers() {
    return providers;
  }

  /** When a run counts as stalled: per stage, else stalls.threshold. */
  StallDetector.Thresholds stallThresholds() {
    return stallThresholds;
  }

  /**
   * A duration written as settings are ({@code 500ms}, {@code 30s}, ...): for flags that take one.
   */
  static Duration duration(String text) {
    return SettingType.duration(text);
  }

  private PipelineConfig buildPipeline() {
    Map<AgentRole, String> roleModels = new EnumMap<>(AgentRole.class);
    Setting.roleModels().forEach((role, s) -> get(s).ifPresent(m -> roleModels.put(role, m)));
    return new PipelineConfig(
        dataDir(),
        get(Setting.WORKERS),
        get(Setting.LEASE),
        get(Setting.HEARTBEAT),
        get(Setting.MAX_ATTEMPTS),
        get(Setting.BACKOFF_BASE),
        get(Setting.BACKOFF_MAX),
        get(Setting.REPAIR_ATTEMPTS),
        get(Setting.OUTLINE_THRESHOLD),
        get(Setting.OUTLINE_MAX_ITERATIONS),
        get(Setting.CHAPTER_THRESHOLD),
        get(Setting.CHAPTER_MAX_ITERATIONS),
        Duration.ofMillis(50),
        Duration.ofSeconds(1),
        get(Setting.CALL_TIMEOUT),
        get(Setting.MODEL),
        roleModels);
  }

  private ProviderSettings buildProviders(Map<String, String> env, List<String> problems) {
    ProviderSettings.Routing routing =
        new ProviderSettings.Routing(
            get(Setting.ROUTING_RULES),
            get(Setting.ROUTING_FALLBACK),
            get(Setting.ROUTING_FALLBACK_AFTER));
    List<String> inUse = ProviderSettings.inUse(get(Setting.PROVIDER), routing);
    HttpProviderSettings openai =
        http(
            "openai",
            Setting.OPENAI_DEFAULT_MODEL,
            Setting.OPENAI_CONCURRENCY,
            " (or point OPENAI_BASE_URL at a local server that needs no key)",
            inUse.contains("openai"),
            env,
            problems);
    HttpProviderSettings anthropic =
        http(
            "anthropic",
            Setting.ANTHROPIC_DEFAULT_MODEL,
            Setting.ANTHROPIC_CONCURRENCY,
            "",
            inUse.contains("anthropic"),
            env,
            problems);
    if (simulation == null) return null; // its problem is reported already
    return new ProviderSettings(get(Setting.PROVIDER), routing, simulation, openai, anthropic);
  }

  private SimulationConfig buildSimulation() {
    return new SimulationConfig(
        get(Setting.SIM_SEED),
        get(Setting.SIM_LATENCY),
        get(Setting.SIM_SIGMA),
        get(Setting.SIM_TIMEOUT_RATE),
        get(Setting.SIM_RATE_LIMIT_RATE),
        get(Setting.SIM_SERVER_ERROR_RATE),
        get(Setting.SIM_MALFORMED_RATE),
        get(Setting.SIM_SCHEMA_RATE),
        get(Setting.SIM_RETRY_AFTER),
        get(Setting.SIM_WORDS));
  }

  /** The settings that are not at their defaults, with their origins; secrets masked. */
  @Override
  public String toString() {
    return Stream.of(Setting.values())
        .filter(s -> !origin(s).equals("default"))
        .map(s -> s.key + "=" + text(s) + " (" + origin(s) + ")")
        .collect(Collectors.joining(", ", "Settings{", "}"));
  }

  /** Every problem of a configuration, each naming its key, value and source. */
  static final class ConfigException extends RuntimeException {
    final List<String> problems;

    ConfigException(List<String> problems) {
      super("invalid configuration:\n  - " + String.join("\n  - ", problems));
      this.problems = List.copyOf(problems);
    }
  }
}
