package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.bookcreator.core.alert.Notifier;
import org.bookcreator.core.llm.LlmClient;
import org.bookcreator.core.run.AgentRole;
import org.bookcreator.core.run.Stage;
import org.bookcreator.notify.DesktopNotifier;
import org.bookcreator.notify.EmailNotifier;
import org.bookcreator.providers.Providers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path dir;

  @Test
  void defaults_fileEnvironmentFlags_overrideInThatOrder() throws Exception {
    Path file = config("pipeline:\n  workers: 3\n  lease: 10s\nsimulated.seed: 5\n");

    Settings s =
        Settings.load(
            file,
            Map.of("BOOK_CREATOR_PIPELINE_LEASE", "20s", "PATH", "/bin"),
            Map.of(Setting.SIM_SEED, "9"));

    assertThat(s.pipeline().workers()).isEqualTo(3);
    assertThat(s.origin(Setting.WORKERS)).isEqualTo(file + ":2");
    assertThat(s.pipeline().lease()).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.origin(Setting.LEASE)).contains("BOOK_CREATOR_PIPELINE_LEASE");
    assertThat(s.simulation().seed()).isEqualTo(9);
    assertThat(s.pipeline().heartbeat()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void configFile_fromTheEnvironment_isRead() throws Exception {
    Path file = config("data_dir: /tmp/elsewhere\n");

    Settings s = Settings.load(null, Map.of(Settings.CONFIG_ENV, file.toString()), Map.of());

    assertThat(s.dataDir()).isEqualTo(Path.of("/tmp/elsewhere"));
  }

  @Test
  void unknownEnvironmentVariable_isAnError_namingIt() {
    assertThatThrownBy(() -> Settings.load(null, Map.of("BOOK_CREATOR_WORKRES", "4"), Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining("BOOK_CREATOR_WORKRES")
        .hasMessageContaining("BOOK_CREATOR_PIPELINE_WORKERS");
  }

  @Test
  void aMistypedVariable_getsTheClosestNames() {
    assertThat(
            ConfigSources.nearest(
                "BOOK_CREATOR_PIPELINE_WOKERS",
                List.of(
                    "BOOK_CREATOR_PIPELINE_WORKERS",
                    "BOOK_CREATOR_PIPELINE_BACKOFF_BASE",
                    "BOOK_CREATOR_MODEL")))
        .containsExactly("BOOK_CREATOR_PIPELINE_WORKERS");
    assertThat(
            ConfigSources.nearest("BOOK_CREATOR_ZZZZZZ", List.of("BOOK_CREATOR_PIPELINE_WORKERS")))
        .isEmpty();
  }

  @Test
  void everyBadValue_isReportedAtOnce_withWhereItCameFrom() throws Exception {
    Path file = config("pipeline:\n  workers: 0\n  heartbeat: 1m\nprovider: openai\n");

    assertThatThrownBy(
            () -> Settings.load(file, Map.of("BOOK_CREATOR_SIMULATED_SEED", "x"), Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining("simulated.seed (from environment BOOK_CREATOR_SIMULATED_SEED)")
        .hasMessageContaining("OPENAI_API_KEY is not set");
  }

  @Test
  void routing_isValidated_andReferencedProvidersNeedTheirKeys() throws Exception {
    Path file = config("routing:\n  rules: \"*/critic=anthropic\"\n  fallback: \"mystery\"\n");

    assertThatThrownBy(() -> Settings.load(file, Map.of(), Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining("provider 'mystery' is not available")
        .hasMessageContaining("ANTHROPIC_API_KEY is not set");
    assertThatThrownBy(
            () ->
                Settings.load(
                    null, Map.of("BOOK_CREATOR_ROUTING_RULES", "lunch/writer=openai"), Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining(
            "routing.rules (from environment BOOK_CREATOR_ROUTING_RULES): 'lunch/writer=openai':"
                + " unknown stage");
  }

  @Test
  void alertRoutes_areChecked_atLoad_namingTheRouteAndTheProblem() {
    Map<String, String> twoHooks =
        Map.of("BOOK_CREATOR_NOTIFY_WEBHOOKS", "http://127.0.0.1:1/a, http://127.0.0.1:1/b");

    assertThatThrownBy(
            () ->
                Settings.load(
                    null,
                    with(twoHooks, "BOOK_CREATOR_ALERTS_ROUTES", "severity=critical:webhok-1"),
                    Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining("alerts.routes (from environment BOOK_CREATOR_ALERTS_ROUTES)")
        .hasMessageContaining("no notifier named webhok-1; the notifiers are webhook-1, webhook-2");
    assertThatThrownBy(
            () ->
                Settings.load(
                    null,
                    with(twoHooks, "BOOK_CREATOR_ALERTS_ROUTES", "webhook-1; severity=critical"),
                    Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining("route 1 'webhook-1': expected MATCHERS:NOTIFIERS");
    assertThatThrownBy(
            () ->
                Settings.load(
                    null,
                    with(twoHooks, "BOOK_CREATOR_ALERTS_ROUTES", "severity~critical:webhook-1"),
                    Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining("has no operator");
    assertThat(
            Settings.load(
                    null,
                    with(
                        twoHooks,
                        "BOOK_CREATOR_ALERTS_ROUTES",
                        "severity=critical:webhook-1; *:webhook-2"),
                    Map.of())
                .notificationPolicy()
                .routes())
        .hasSize(2);
  }

  @Test
  void webhooksAndAlertmanager_areEachOneNotifier() {
    Settings settings =
        Settings.load(
            null,
            Map.of(
                "BOOK_CREATOR_NOTIFY_WEBHOOKS",
                "http://127.0.0.1:1/hook",
                "BOOK_CREATOR_NOTIFY_ALERTMANAGER_URLS",
                "http://127.0.0.1:2"),
            Map.of());

    assertThat(settings.notifiers())
        .extracting(Notifier::name)
        .containsExactly("webhook", "alertmanager");
  }

  private static Map<String, String> with(Map<String, String> env, String key, String value) {
    Map<String, String> out = new java.util.HashMap<>(env);
    out.put(key, value);
    return out;
  }

  @Test
  void routing_buildsOneClientPerProvider() throws Exception {
    Settings s =
        Settings.load(
            null,
            Map.of("OPENAI_BASE_URL", "http://127.0.0.1:1/v1"),
            Map.of(
                Setting.ROUTING_RULES,
                "*/critic=openai:gpt-4o-mini",
                Setting.ROUTING_FALLBACK,
                "openai"));

    var router = Providers.router(s.providers());

    assertThat(router.target(Stage.OUTLINE, AgentRole.CRITIC, 1, "x").client().provider())
        .isEqualTo("openai");
    assertThat(router.target(Stage.OUTLINE, AgentRole.PLANNER, 1, "x").client().provider())
        .isEqualTo("simulated");
  }

  @Test
  void semanticRules_areChecked() throws Exception {
    Path file = config("pipeline:\n  workers: 0\n  heartbeat: 1m\n");

    assertThatThrownBy(() -> Settings.load(file, Map.of(), Map.of()))
        .hasMessageContaining(
            "pipeline.workers (from " + file + ":2): must be a whole number 1..1024, got '0'")
        .hasMessageContaining("heartbeat must be positive and shorter than the lease");
  }

  @Test
  void everySetting_isDocumented_withItsDefaultTypeAndMeaning() throws Exception {
    Path doc = Path.of("..", "docs", "configuration.md");
    if (!Files.exists(doc)) doc = Path.of("docs", "configuration.md");
    String text = Files.readString(doc);
    List<String> rows = Stream.of(Setting.values()).map(Setting::docRow).toList();
    if (System.getenv("UPDATE_CONFIG_DOC") != null) {
      text = withTable(text, rows);
      Files.writeString(doc, text);
    }

    List<String> documented = tableRows(text);

    assertThat(documented)
        .as("the table in docs/configuration.md (scripts/gen-config-doc.sh regenerates it)")
        .containsExactlyElementsOf(rows);
  }

  @Test
  void openAiProvider_needsAKeyOrALocalServer_andBuildsTheAdapter() {
    Map<Setting<?>, String> openai = Map.of(Setting.PROVIDER, "openai");

    assertThatThrownBy(() -> Settings.load(null, Map.of(), openai))
        .hasMessageContaining("OPENAI_API_KEY is not set");
    assertThatThrownBy(() -> Settings.load(null, Map.of("OPENAI_BASE_URL", "ftp://x"), openai))
        .hasMessageContaining("OPENAI_BASE_URL");
    assertThatThrownBy(() -> Settings.load(null, Map.of(), Map.of(Setting.PROVIDER, "gemini")))
        .hasMessageContaining("available: simulated, openai, anthropic");

    Settings local =
        Settings.load(null, Map.of("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1"), openai);
    assertThat(client(local).provider()).isEqualTo("openai");
    Settings keyed = Settings.load(null, Map.of("OPENAI_API_KEY", "sk-abcdefghijklmnop"), openai);
    assertThat(client(keyed).provider()).isEqualTo("openai");
    assertThat(client(Settings.load(null, Map.of(), Map.of())).provider()).isEqualTo("simulated");
    assertThatThrownBy(() -> Settings.load(null, Map.of(), Map.of(Setting.PROVIDER, "anthropic")))
        .hasMessageContaining("ANTHROPIC_API_KEY is not set");
    assertThat(
            client(
                    Settings.load(
                        null,
                        Map.of("ANTHROPIC_API_KEY", "sk-ant-abcdefgh"),
                        Map.of(Setting.PROVIDER, "anthropic")))
                .provider())
        .isEqualTo("anthropic");
  }

  @Test
  void aBadValueInTheFile_namesTheFileAndLine_theKeyAndTheValue() throws Exception {
    Path file = config("pipeline:\n  workers: 4\n  lease: soon\nhttp.port: 70000\n");

    assertThatThrownBy(() -> Settings.load(file, Map.of(), Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining(
            "pipeline.lease (from "
                + file
                + ":3): expected a duration such as 500ms, 30s, 5m, 1h or 14d, got 'soon'")
        .hasMessageContaining(
            "http.port (from " + file + ":4): must be a whole number 0..65535, got '70000'");
  }

  @Test
  void severalBadValues_fromEverySource_areReportedTogether() throws Exception {
    Path file =
        config("telemetry:\n  sampling_ratio: 2\n  metrics: yes please\npipeline.wokers: 3\n");

    var problems =
        catchThrowableOfType(
                Settings.ConfigException.class,
                () ->
                    Settings.load(
                        file,
                        Map.of("BOOK_CREATOR_LOGGING_MAX_FILE_SIZE", "20 parsecs"),
                        Map.of(Setting.WORKERS, "0")))
            .problems;

    assertThat(problems)
        .containsExactlyInAnyOrder(
            "telemetry.sampling_ratio (from " + file + ":2): must be a number 0..1, got '2'",
            "telemetry.metrics (from " + file + ":3): expected true or false, got 'yes please'",
            "unknown key 'pipeline.wokers' in "
                + file
                + ":4; did you mean pipeline.workers? (see docs/configuration.md for the keys)",
            "logging.max_file_size (from environment BOOK_CREATOR_LOGGING_MAX_FILE_SIZE):"
                + " expected a size such as 500KB, 20MB or 1GB, got '20 parsecs'",
            "pipeline.workers (from --workers): must be a whole number 1..1024, got '0'");
  }

  @Test
  void theLaunchersJvmFlags_areNotAnUnknownSetting_butATypoStillIs() {
    Settings ok = Settings.load(null, Map.of("BOOK_CREATOR_JAVA_OPTS", "-Xmx2g"), Map.of());

    assertThat(ok.get(Setting.WORKERS)).isEqualTo(8);
    assertThatThrownBy(
            () -> Settings.load(null, Map.of("BOOK_CREATOR_JAVA_OPT", "-Xmx2g"), Map.of()))
        .hasMessageContaining("unknown environment variable BOOK_CREATOR_JAVA_OPT");
  }

  @Test
  void aWrongTypeFromTheEnvironment_namesTheVariable() {
    assertThatThrownBy(
            () -> Settings.load(null, Map.of("BOOK_CREATOR_PIPELINE_WORKERS", "eight"), Map.of()))
        .isInstanceOf(Settings.ConfigException.class)
        .hasMessageContaining(
            "pipeline.workers (from environment BOOK_CREATOR_PIPELINE_WORKERS): must be a whole"
                + " number 1..1024, got 'eight'");
  }

  @Test
  void values_areTyped_andParsedOnce() throws Exception {
    Path file =
        config("categories:\n  extra: [poetry, zines]\nstalls:\n  thresholds: research=20m\n");

    Settings s =
        Settings.load(
            file,
            Map.of("BOOK_CREATOR_HTTP_MAX_UPLOAD", "2MB", "BOOK_CREATOR_DATA_DIR", "/tmp/a/../b"),
            Map.of(Setting.LEASE, "45s"));

    assertThat(s.get(Setting.WORKERS)).isEqualTo(8);
    assertThat(s.get(Setting.LEASE)).isEqualTo(Duration.ofSeconds(45));
    assertThat(s.get(Setting.HTTP_MAX_UPLOAD)).isEqualTo(2L << 20);
    assertThat(s.get(Setting.DATA_DIR)).isEqualTo(Path.of("/tmp/b"));
    assertThat(s.get(Setting.HTTP_TOKEN)).isEmpty();
    assertThat(s.get(Setting.CATEGORIES_EXTRA)).containsExactly("poetry", "zines");
    assertThat(s.get(Setting.STALL_THRESHOLDS))
        .containsExactly(Map.entry(Stage.RESEARCH, Duration.ofMinutes(20)));
    assertThat(s.get(Setting.SAMPLING_RATIO)).isEqualTo(1.0);
    assertThat(s.stallThresholds().of(Optional.of(Stage.RESEARCH)))
        .isEqualTo(Duration.ofMinutes(20));
    assertThat(s.categories().contains("zines")).isTrue();
  }

  @Test
  void everySetting_isReachable_fromTheFile_andTheEnvironment() throws Exception {
    Setting<?>[] all = Setting.values();
    StringBuilder yaml = new StringBuilder();
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < all.length; i++) {
      yaml.append(all[i].key).append(": \"").append(all[i].defaultValue).append("\"\n");
      if (i % 2 == 0) env.put(all[i].envName(), all[i].defaultValue);
    }
    Path file = Files.writeString(dir.resolve("all.yaml"), yaml.toString());

    Settings loaded = Settings.load(file, env, Map.of());

    for (int i = 0; i < all.length; i++) {
      String expected = i % 2 == 0 ? "environment " + all[i].envName() : file + ":" + (i + 1);
      assertThat(loaded.origin(all[i])).as(all[i].key).isEqualTo(expected);
      assertThat(loaded.get(all[i])).as(all[i].key).isEqualTo(all[i].fallback);
    }
  }

  @Test
  void settings_areSealed_afterLoading() {
    Map<Setting<?>, String> flags = new HashMap<>(Map.of(Setting.CATEGORIES_EXTRA, "poetry"));
    Settings s = Settings.load(null, Map.of(), flags);

    flags.put(Setting.CATEGORIES_EXTRA, "zines");

    assertThat(s.get(Setting.CATEGORIES_EXTRA)).containsExactly("poetry");
    assertThatThrownBy(() -> s.get(Setting.CATEGORIES_EXTRA).add("zines"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.get(Setting.LOG_LEVELS).put("org", "DEBUG"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.get(Setting.STALL_THRESHOLDS).clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(Arrays.stream(Settings.class.getDeclaredFields()))
        .allSatisfy(f -> assertThat(Modifier.isFinal(f.getModifiers())).as(f.getName()).isTrue());
    assertThat(Arrays.stream(Settings.class.getDeclaredMethods()).map(Method::getName))
        .noneMatch(name -> name.startsWith("set") || name.startsWith("put"));
    assertThat(Arrays.stream(Settings.class.getDeclaredConstructors()))
        .allSatisfy(c -> assertThat(Modifier.isPrivate(c.getModifiers())).isTrue());
  }

  @Test
  void secrets_neverAppear_inMessagesOrToString() {
    String shortToken = "hunter2-short";
    String token = "tok-0123456789abcdef";
    String apiKey = "sk-secret-0123456789";

    Throwable bad =
        catchThrowable(
            () -> Settings.load(null, Map.of("BOOK_CREATOR_HTTP_TOKEN", shortToken), Map.of()));
    Settings good =
        Settings.load(
            null,
            Map.of("BOOK_CREATOR_HTTP_TOKEN", token, "OPENAI_API_KEY", apiKey),
            Map.of(Setting.PROVIDER, "openai", Setting.LOG_REDACT, "canary-9f8e"));

    assertThat(bad)
        .hasMessageContaining(
            "http.token (from environment BOOK_CREATOR_HTTP_TOKEN): must be at least 16"
                + " characters long")
        .hasMessageNotContaining(shortToken);
    assertThat(good.get(Setting.HTTP_TOKEN)).contains(token);
    assertThat(good.toString())
        .contains("http.token=**** (environment BOOK_CREATOR_HTTP_TOKEN)")
        .contains("provider=openai (--provider)")
        .doesNotContain(token)
        .doesNotContain("canary-9f8e");
    assertThat(good.providers().toString()).contains("openai").doesNotContain(apiKey);
    assertThat(good.text(Setting.HTTP_TOKEN)).isEqualTo("****");
  }

  @Test
  void emailAndDesktop_becomeNotifiersNamedForTheirKind_withThePasswordMaskedEverywhere()
      throws Exception {
    String password = "smtp-canary-5e1f";
    Path file =
        config(
            """
            notify:
              email:
                to: [ops@example.com, oncall@example.org]
                from: Book Creator <alerts@example.com>
                smtp_host: smtp.example.com
                username: alerts
              desktop: true
            """);

    Settings s =
        Settings.load(file, Map.of("BOOK_CREATOR_NOTIFY_EMAIL_PASSWORD", password), Map.of());

    List<Notifier> notifiers = s.notifiers();
    assertThat(notifiers).extracting(Notifier::name).containsExactly("email", "desktop");
    assertThat(notifiers.getFirst()).isInstanceOf(EmailNotifier.class);
    assertThat(((EmailNotifier) notifiers.getFirst()).server())
        .isEqualTo("smtp.example.com:587 (starttls)");
    assertThat(notifiers.get(1)).isInstanceOf(DesktopNotifier.class);
    assertThat(s.notificationPolicy().notifiers()).containsExactly("email", "desktop");
    assertThat(s.toString())
        .contains("notify.email.password=**** (environment BOOK_CREATOR_NOTIFY_EMAIL_PASSWORD)")
        .doesNotContain(password);
    assertThat(notifiers.toString()).doesNotContain(password);
    assertThat(Observability.redactor(s, Map.of()).redact("login " + password + " refused"))
        .doesNotContain(password);
  }

  @Test
  void emailSettings_thatCannotWork_areConfigurationErrors_namingTheKey() throws Exception {
    String password = "smtp-canary-77aa";
    Path noSender = config("notify.email.to: ops@example.com\nnotify.email.smtp_host: mx\n");
    Path inClear =
        Files.writeString(
            dir.resolve("clear.yaml"),
            """
            notify.email.to: ops@example.com
            notify.email.from: alerts@example.com
            notify.email.smtp_host: smtp.example.com
            notify.email.security: none
            notify.email.username: alerts
            """);
    Path badAddress =
        Files.writeString(
            dir.resolve("address.yaml"),
            "notify.email.to: ops@example.com, not-an-address\n"
                + "notify.email.from: alerts@example.com\n"
                + "notify.email.smtp_host: smtp.example.com\n");

    assertThatThrownBy(() -> Settings.load(noSender, Map.of(), Map.of()))
        .hasMessageContaining(
            "the e-mail notifier (notify.email.*): notify.email.from is not set; e-mail"
                + " notifications (notify.email.to) need it");
    assertThatThrownBy(
            () ->
                Settings.load(
                    inClear, Map.of("BOOK_CREATOR_NOTIFY_EMAIL_PASSWORD", password), Map.of()))
        .hasMessageContaining(
            "security none would send the SMTP password in clear to smtp.example.com")
        .hasMessageNotContaining(password);
    assertThatThrownBy(() -> Settings.load(badAddress, Map.of(), Map.of()))
        .hasMessageContaining("the recipient 'not-an-address' is not an e-mail address");
  }

  /** The client of the default provider, built as the composition root builds it. */
  private static LlmClient client(Settings s) {
    return Providers.client(s.get(Setting.PROVIDER), s.providers());
  }

  private Path config(String yaml) throws IOException {
    return Files.writeString(dir.resolve("c.yaml"), yaml);
  }

  /** The rows of the settings table: the lines that start with a key in backquotes. */
  private static List<String> tableRows(String doc) {
    return doc.lines().filter(l -> l.startsWith("| `")).toList();
  }

  /** {@code doc} with its table rows replaced by {@code rows}. */
  private static String withTable(String doc, List<String> rows) {
    List<String> lines = doc.lines().toList();
    int first = lines.indexOf(tableRows(doc).getFirst());
    int last = lines.indexOf(tableRows(doc).getLast());
    List<String> out = new ArrayList<>(lines.subList(0, first));
    out.addAll(rows);
    out.addAll(lines.subList(last + 1, lines.size()));
    return String.join("\n", out) + "\n";
  }
}
