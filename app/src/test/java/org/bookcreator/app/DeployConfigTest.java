package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bookcreator.core.alert.AlertRule;
import org.bookcreator.core.alert.BuiltInRules;
import org.bookcreator.telemetry.SemConv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The observability stack in deploy/ as the real tools that run it see it: promtool checks the
 * Prometheus configuration and rules and runs the rules' unit tests, amtool checks Alertmanager's
 * configuration, docker-compose checks the compose file. Beyond what the tools check: every alert
 * has a severity, a summary, a description and a runbook that exists, and is unit-tested firing and
 * not firing; the alert names are the built-in evaluator's; every published port is on loopback and
 * every image pinned; every dashboard query parses and names a provisioned datasource.
 *
 * <p>Without a tool, a test is skipped locally and fails under {@code CI=true} ({@link
 * ExternalTool}).
 */
class DeployConfigTest {
  static final Path ROOT =
      (Files.isDirectory(Path.of("..", "deploy")) ? Path.of("..") : Path.of("."))
          .toAbsolutePath()
          .normalize();
  static final Path DEPLOY = ROOT.resolve("deploy");
  static final Path RULES = DEPLOY.resolve("prometheus/rules/book-creator.rules.yml");
  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Built-in alerts that need the store or the host, not metrics (docs/alerts.md). */
  private static final Set<String> NOT_OVER_METRICS =
      Set.of("RunFailed", "BudgetNearlySpent", "BudgetExceeded", "StoreDiskLow");

  /** BookCreatorDown, which only an outside watcher can raise. */
  private static final Set<String> PROMETHEUS_ONLY = Set.of("BookCreatorDown");

  @TempDir Path tmp;

  static ExternalTool promtool() {
    return ExternalTool.require("promtool", "prometheus");
  }

  @Test
  void prometheusConfig_withItsRuleFiles_passesPromtoolCheckConfig() throws Exception {
    ExternalTool.Result r = promtool().run(DEPLOY, "check", "config", "prometheus/prometheus.yml");

    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).as(r.output()).contains("SUCCESS: 1 rule files found");
  }

  @Test
  void rules_passPromtoolCheckRules() throws Exception {
    ExternalTool.Result r =
        promtool().run(DEPLOY, "check", "rules", "prometheus/rules/book-creator.rules.yml");

    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  @Test
  void rules_passTheirPromtoolUnitTests() throws Exception {
    List<String> tests = ruleTestFiles().stream().map(p -> "tests/" + p.getFileName()).toList();

    ExternalTool.Result r =
        promtool()
            .run(
                DEPLOY.resolve("prometheus/rules"),
                Map.of(),
                Stream.concat(Stream.of("test", "rules"), tests.stream()).toList());

    assertThat(tests).isNotEmpty();
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output().split("SUCCESS", -1)).hasSize(tests.size() + 1);
  }

  @Test
  void alertmanagerConfig_passesAmtoolCheckConfig() throws Exception {
    ExternalTool amtool = ExternalTool.require("amtool", "prometheus-alertmanager");

    ExternalTool.Result r = amtool.run(DEPLOY, "check-config", "alertmanager/alertmanager.yml");

    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void composeFile_passesDockerComposeConfig_andRefusesToStartWithoutItsSecrets() throws Exception {
    ExternalTool compose = ExternalTool.require("docker-compose", "docker-compose");
    Map<String, String> secrets = new HashMap<>();
    secrets.put("BOOK_CREATOR_HTTP_TOKEN", "test-token-0123456789abcdef");
    secrets.put("GRAFANA_ADMIN_PASSWORD", "test-password");

    ExternalTool.Result ok = compose.run(tmp, secrets, composeArgs(List.of(), "config", "-q"));
    ExternalTool.Result scaled =
        compose.run(tmp, secrets, composeArgs(List.of("scaled"), "config", "-q"));
    secrets.put("BOOK_CREATOR_HTTP_TOKEN", "");
    ExternalTool.Result noToken = compose.run(tmp, secrets, composeArgs(List.of(), "config", "-q"));

    assertThat(ok.exitCode()).as(ok.output()).isZero();
    assertThat(scaled.exitCode()).as(scaled.output()).isZero();
    assertThat(noToken.exitCode()).isNotZero();
    assertThat(noToken.output()).contains("set BOOK_CREATOR_HTTP_TOKEN in deploy/compose/.env");
  }

  /**
   * The scaled profile as docker-compose resolves it: PostgreSQL 15 with the password of .env, one
   * API, orchestrator and worker service each running its role against that database with Book
   * Creator's own setting names, workers with nothing that stops {@code --scale}, and the
   * PostgreSQL password refused empty before PostgreSQL starts.
   */
  @Test
  void scaledProfile_runsEachRoleAgainstPostgres_withThePasswordOfTheEnvFile() throws Exception {
    ExternalTool compose = ExternalTool.require("docker-compose", "docker-compose");
    Map<String, String> env =
        Map.of(
            "BOOK_CREATOR_HTTP_TOKEN", "test-token-0123456789abcdef",
            "GRAFANA_ADMIN_PASSWORD", "test-password",
            "BOOK_CREATOR_STORE_PASSWORD", "pg-secret-from-env");

    ExternalTool.Result r = compose.run(tmp, env, composeArgs(List.of("scaled"), "config"));
    JsonNode services = YAML.readTree(r.output()).path("services");

    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(services.path("postgres").path("image").asString()).matches("postgres:15\\.[0-9]+");
    assertThat(services.path("postgres").path("environment").path("POSTGRES_PASSWORD").asString())
        .isEqualTo("pg-secret-from-env");
    assertThat(String.join(" ", texts(services.path("postgres").path("command"))))
        .contains("set BOOK_CREATOR_STORE_PASSWORD in deploy/compose/.env");
    Map<String, String> roles =
        Map.of(
            "book-creator-api", "api",
            "book-creator-orchestrator", "orchestrator",
            "book-creator-worker", "worker");
    for (var role : roles.entrySet()) {
      JsonNode service = services.path(role.getKey());
      JsonNode environment = service.path("environment");
      assertThat(texts(service.path("profiles"))).as(role.getKey()).containsExactly("scaled");
      assertThat(texts(service.path("command")))
          .as(role.getKey())
          .containsExactly("serve", "--role", role.getValue());
      assertThat(environment.path(Setting.STORE_URL.envName()).asString())
          .isEqualTo("jdbc:postgresql://postgres:5432/bookcreator");
      assertThat(environment.path(Setting.STORE_PASSWORD.envName()).asString())
          .isEqualTo("pg-secret-from-env");
      assertThat(environment.path(Setting.STORE_USER.envName()).asString())
          .isEqualTo(
              services.path("postgres").path("environment").path("POSTGRES_USER").asString());
      assertThat(service.path("depends_on").path("postgres").path("condition").asString())
          .isEqualTo("service_healthy");
    }
    for (String noApi : List.of("book-creator-orchestrator", "book-creator-worker")) {
      JsonNode service = services.path(noApi);
      assertThat(service.path("environment").path(Setting.WORKER_PORT.envName()).asString())
          .isEqualTo("9500");
      assertThat(service.path("environment").path(Setting.WORKER_HOST.envName()).asString())
          .as("reachable by Prometheus on the compose network")
          .isEqualTo("0.0.0.0");
      assertThat(service.has("ports") || service.has("container_name"))
          .as(noApi + " can be scaled")
          .isFalse();
    }
    assertThat(texts(services.path("book-creator").path("profiles"))).isEmpty();
  }

  /**
   * deploy/prometheus/prometheus.yml scrapes every role: each name its Book Creator job looks up is
   * a compose service (or its alias) on the port that role serves its metrics on, and every Book
   * Creator service of the compose file, in either profile, is looked up.
   */
  @Test
  void prometheus_findsEveryBookCreatorServiceOfEitherProfile_onThePortItsRoleServesMetrics()
      throws Exception {
    JsonNode job = null;
    for (JsonNode j :
        YAML.readTree(DEPLOY.resolve("prometheus/prometheus.yml").toFile()).path("scrape_configs"))
      if (j.path("job_name").asString().equals("book-creator")) job = j;
    JsonNode services = composeServices();
    Map<String, Integer> lookedUp = new HashMap<>();
    for (JsonNode sd : job.path("dns_sd_configs"))
      for (JsonNode name : sd.path("names")) lookedUp.put(name.asString(), sd.path("port").asInt());
    Map<String, Integer> expected = new HashMap<>();
    for (var service : services.properties()) {
      List<String> command = texts(service.getValue().path("command"));
      if (command.isEmpty() || !command.get(0).equals("serve")) continue;
      int role = command.indexOf("--role");
      String name = role < 0 ? "all" : command.get(role + 1);
      List<String> names = new ArrayList<>(List.of(service.getKey()));
      names.addAll(texts(service.getValue().path("networks").path("default").path("aliases")));
      String found = names.stream().filter(lookedUp::containsKey).findFirst().orElse(null);
      assertThat(found).as(service.getKey() + " (role " + name + ") is looked up").isNotNull();
      expected.put(found, Set.of("all", "api").contains(name) ? 8080 : 9500);
    }

    assertThat(lookedUp).isEqualTo(expected);
    assertThat(expected).hasSize(4);
  }

  /** The services of the compose file as written. */
  private static JsonNode composeServices() throws IOException {
    return YAML.readTree(DEPLOY.resolve("compose/docker-compose.yml").toFile()).path("services");
  }

  private List<String> composeArgs(List<String> profiles, String... command) throws IOException {
    // An empty env file, so a developer's own deploy/compose/.env does not decide the outcome.
    Path envFile = tmp.resolve("empty.env");
    if (!Files.exists(envFile)) Files.createFile(envFile);
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "--env-file",
            envFile.toString(),
            "-f",
            DEPLOY.resolve("compose/docker-compose.yml").toString()));
    for (String p : profiles) args.addAll(List.of("--profile", p));
    args.addAll(List.of(command));
    return args;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) out.add(n.asString());
    return out;
  }

  @Test
  void everyAlert_hasASeverity_summaryDescriptionAndARunbookThatNamesIt() throws Exception {
    List<String> problems = new ArrayList<>();

    for (JsonNode rule : alertRules()) {
      String name = rule.path("alert").asString();
      String severity = rule.path("labels").path("severity").asString("");
      if (!Set.of("warning", "critical").contains(severity))
        problems.add(name + ": severity '" + severity + "'");
      for (String annotation : List.of("summary", "description", "runbook_url")) {
        if (rule.path("annotations").path(annotation).asString("").isBlank())
          problems.add(name + ": no " + annotation);
      }
      String runbook = rule.path("annotations").path("runbook_url").asString("");
      if (!runbook.matches("docs/runbooks/[a-z-]+\\.md") || !Files.exists(ROOT.resolve(runbook)))
        problems.add(name + ": runbook_url '" + runbook + "' is no file in docs/runbooks");
      else if (!Files.readString(ROOT.resolve(runbook)).contains("**" + name + "**"))
        problems.add(name + ": " + runbook + " does not name the alert");
    }

    assertThat(alertRules()).hasSizeGreaterThanOrEqualTo(11);
    assertThat(problems).isEmpty();
  }

  @Test
  void alertNames_areTheBuiltInEvaluatorsWhereverTheMetricsCanExpressThem() throws Exception {
    Set<String> builtIn =
        BuiltInRules.defaults().stream().map(AlertRule::name).collect(Collectors.toSet());
    Set<String> prometheus = alertNames();

    Set<String> expected = new TreeSet<>(builtIn);
    expected.removeAll(NOT_OVER_METRICS);
    Set<String> extra = new TreeSet<>(prometheus);
    extra.removeAll(builtIn);

    assertThat(prometheus).containsAll(expected);
    assertThat(prometheus).doesNotContainAnyElementsOf(NOT_OVER_METRICS);
    assertThat(extra).isEqualTo(new TreeSet<>(PROMETHEUS_ONLY));
  }

  @Test
  void everyAlert_isUnitTestedFiring_andNotFiring() throws Exception {
    Set<String> firing = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    for (Path file : ruleTestFiles()) {
      for (JsonNode test : YAML.readTree(file.toFile()).path("tests")) {
        for (JsonNode check : test.path("alert_rule_test")) {
          String name = check.path("alertname").asString();
          (check.path("exp_alerts").isEmpty() ? quiet : firing).add(name);
        }
      }
    }

    assertThat(firing).as("alerts with a firing case").isEqualTo(alertNames());
    assertThat(quiet).as("alerts with a not-firing case").isEqualTo(alertNames());
  }

  @Test
  void composeFile_bindsEveryPortToLoopback_andPinsEveryImage() throws Exception {
    JsonNode services = composeServices();
    List<String> problems = new ArrayList<>();

    for (var service : services.properties()) {
      String name = service.getKey();
      for (JsonNode port : service.getValue().path("ports")) {
        if (!port.asString().startsWith("127.0.0.1:"))
          problems.add(name + ": port " + port.asString() + " is not bound to 127.0.0.1");
      }
      String image = service.getValue().path("image").asString("");
      boolean built = service.getValue().has("build");
      // MAJOR.MINOR.PATCH, or MAJOR.MINOR where that is the whole version (PostgreSQL)
      if (!built && !image.matches("[a-z0-9./_-]+:v?[0-9]+\\.[0-9]+(\\.[0-9]+)?[A-Za-z0-9._-]*"))
        problems.add(name + ": image '" + image + "' is not pinned to a version");
    }
    String dockerfile = Files.readString(DEPLOY.resolve("compose/Dockerfile"));

    assertThat(services.properties().stream().map(Map.Entry::getKey).toList())
        .containsExactlyInAnyOrder(
            "book-creator",
            "prometheus",
            "alertmanager",
            "grafana",
            "jaeger",
            "postgres",
            "book-creator-api",
            "book-creator-orchestrator",
            "book-creator-worker");
    assertThat(problems).isEmpty();
    assertThat(dockerfile)
        .containsPattern("(?m)^FROM eclipse-temurin:21\\.[0-9.]+_[0-9]+-jre")
        .containsPattern("(?m)^USER bookcreator")
        .containsPattern("(?m)^HEALTHCHECK .*")
        .contains("/readyz");
    assertThat(Files.readString(ROOT.resolve(".gitignore"))).contains("/deploy/compose/.env");
  }

  @Test
  void
      dashboards_areTheFiveProvisioned_eachWithUniqueUid_panelsDatasourceTargetsGridPos_andVariables()
          throws Exception {
    List<String> problems = new ArrayList<>();
    Set<String> uids = new HashSet<>();
    Set<String> variablesAnywhere = new TreeSet<>();

    for (Path file : dashboards()) {
      String name = file.getFileName().toString();
      JsonNode dashboard = JSON.readTree(file.toFile());
      if (dashboard.path("schemaVersion").asInt(0) < 39) problems.add(name + ": schemaVersion");
      if (!uids.add(dashboard.path("uid").asString(""))) problems.add(name + ": uid not unique");
      Set<String> variables = new HashSet<>();
      for (JsonNode v : dashboard.path("templating").path("list")) {
        variables.add(v.path("name").asString());
        if (!v.path("datasource").path("uid").asString("").equals("prometheus"))
          problems.add(name + ": variable " + v.path("name").asString() + " has no datasource");
      }
      variablesAnywhere.addAll(variables);
      if (!name.equals("overview.json") && !variables.contains("instance"))
        problems.add(name + ": no instance variable");
      Set<Integer> ids = new HashSet<>();
      List<int[]> cells = new ArrayList<>();
      boolean namesARunbook = false;
      for (JsonNode panel : dashboard.path("panels")) {
        String where = name + " / " + panel.path("title").asString();
        if (!ids.add(panel.path("id").asInt(-1))) problems.add(where + ": id not unique");
        if (panel.path("targets").isEmpty()) problems.add(where + ": no targets");
        Set<String> refIds = new HashSet<>();
        for (JsonNode target : panel.path("targets")) {
          String expr = target.path("expr").asString("");
          if (expr.isBlank()) problems.add(where + ": a target without expr");
          if (!refIds.add(target.path("refId").asString(""))) problems.add(where + ": refId");
          if (!target.path("datasource").path("uid").asString("").equals("prometheus"))
            problems.add(where + ": a target without the prometheus datasource");
          Matcher used = Pattern.compile("\\$([A-Za-z_]+)").matcher(expr);
          while (used.find()) {
            if (!used.group(1).startsWith("__") && !variables.contains(used.group(1)))
              problems.add(where + ": $" + used.group(1) + " is no variable of the dashboard");
          }
        }
        JsonNode grid = panel.path("gridPos");
        int[] cell = {
          grid.path("x").asInt(-1),
          grid.path("y").asInt(-1),
          grid.path("w").asInt(0),
          grid.path("h").asInt(0)
        };
        if (cell[0] < 0 || cell[1] < 0 || cell[2] < 1 || cell[3] < 1 || cell[0] + cell[2] > 24)
          problems.add(where + ": gridPos " + grid);
        for (int[] other : cells) if (overlap(cell, other)) problems.add(where + ": overlaps");
        cells.add(cell);
        String description = panel.path("description").asString("");
        if (description.isBlank()) problems.add(where + ": no description");
        Matcher runbook = Pattern.compile("docs/runbooks/[a-z-]+\\.md").matcher(description);
        while (runbook.find()) {
          namesARunbook = true;
          if (!Files.exists(ROOT.resolve(runbook.group())))
            problems.add(where + ": " + runbook.group() + " does not exist");
        }
      }
      if (!namesARunbook) problems.add(name + ": no panel names its runbook");
    }

    assertThat(dashboards().stream().map(f -> f.getFileName().toString()))
        .containsExactlyInAnyOrder(
            "overview.json",
            "library.json",
            "agents-and-providers.json",
            "workers-and-queue.json",
            "process.json");
    assertThat(variablesAnywhere).contains("category", "provider", "instance");
    assertThat(problems).isEmpty();
  }

  /** Span attributes Book Creator sets, which a Jaeger search link may ask for. */
  private static final Set<String> SPAN_TAGS =
      Set.of(
          SemConv.STAGE.getKey(),
          SemConv.CATEGORY.getKey(),
          SemConv.GEN_AI_PROVIDER_NAME.getKey(),
          SemConv.GEN_AI_REQUEST_MODEL.getKey(),
          SemConv.ERROR_TYPE.getKey(),
          "error");

  private static final String BUILT_IN = "http://127.0.0.1:8080/";
  private static final String JAEGER = "http://127.0.0.1:16686/search?";

  @Test
  void dataLinks_useLabelsTheirQueriesKeep_askTheBuiltInPagesForFiltersTheyRead_andJaegerForTags()
      throws Exception {
    Path pages = ROOT.resolve("server/src/main/resources/dashboard");
    Map<String, Set<String>> filters =
        Map.of(
            "runs", jsArray(pages.resolve("runs.js"), "KEYS"),
            "logs", jsArray(pages.resolve("logs.js"), "KEYS"));
    Map<String, Set<String>> fixedValues =
        Map.of(
            "state", jsArray(pages.resolve("constants.js"), "RUN_STATES"),
            "level", jsArray(pages.resolve("constants.js"), "LEVELS"));
    Pattern label = Pattern.compile("\\$\\{__field\\.labels\\.([a-z_]+)(:percentencode)?}");
    List<String> problems = new ArrayList<>();
    Map<String, Set<String>> kinds = new HashMap<>();

    for (Path file : dashboards()) {
      String name = file.getFileName().toString();
      for (JsonNode panel : JSON.readTree(file.toFile()).path("panels")) {
        String where = name + " / " + panel.path("title").asString();
        Set<String> kept = new HashSet<>();
        for (JsonNode target : panel.path("targets")) {
          Matcher by =
              Pattern.compile("\\bby \\(([^)]*)\\)").matcher(target.path("expr").asString());
          while (by.find())
            for (String l : by.group(1).split(",")) if (!l.isBlank()) kept.add(l.strip());
        }
        for (JsonNode link : panel.path("fieldConfig").path("defaults").path("links")) {
          String url = link.path("url").asString("");
          String title = link.path("title").asString("");
          if (title.isBlank()) problems.add(where + ": a data link without a title");
          if (!link.path("targetBlank").asBoolean(false))
            problems.add(where + ": " + title + " does not open in a new tab");
          for (String text : List.of(url, title)) {
            Matcher used = label.matcher(text);
            while (used.find()) {
              if (!kept.contains(used.group(1)))
                problems.add(where + ": " + title + " uses label " + used.group(1) + ", not kept");
              if (text.equals(url) && used.group(2) == null)
                problems.add(where + ": " + title + " puts " + used.group(1) + " unencoded");
            }
          }
          String concrete =
              label.matcher(url).replaceAll("x").replace("${__from}", "1").replace("${__to}", "2");
          if (url.startsWith(JAEGER)) {
            kinds.computeIfAbsent(name, k -> new HashSet<>()).add("trace");
            Map<String, String> q = queryOf(concrete);
            if (!"book-creator".equals(q.get("service")))
              problems.add(where + ": " + title + " searches another service");
            JsonNode tags = JSON.readTree(q.getOrDefault("tags", "{}"));
            for (var tag : tags.properties())
              if (!SPAN_TAGS.contains(tag.getKey()))
                problems.add(where + ": " + title + " searches tag " + tag.getKey());
            if (tags.isEmpty()) problems.add(where + ": " + title + " searches no tag");
          } else if (url.startsWith(BUILT_IN)) {
            kinds.computeIfAbsent(name, k -> new HashSet<>()).add("built-in");
            String page = concrete.substring(BUILT_IN.length()).replaceAll("\\?.*", "");
            Set<String> keys = filters.get(page);
            if (keys == null) problems.add(where + ": " + title + " opens /" + page);
            else
              for (var kv : queryOf(concrete).entrySet()) {
                if (!keys.contains(kv.getKey()))
                  problems.add(where + ": /" + page + " reads no filter " + kv.getKey());
                Set<String> values = fixedValues.get(kv.getKey());
                if (values != null && !kv.getValue().equals("x") && !values.contains(kv.getValue()))
                  problems.add(where + ": " + kv.getKey() + "=" + kv.getValue() + " is no value");
              }
          } else problems.add(where + ": " + title + " links to " + url);
        }
      }
    }

    assertThat(problems).isEmpty();
    for (String name :
        List.of(
            "overview.json", "library.json", "agents-and-providers.json", "workers-and-queue.json"))
      assertThat(kinds.getOrDefault(name, Set.of()))
          .as(name + " links panels to traces and to the built-in dashboard")
          .containsExactlyInAnyOrder("trace", "built-in");
  }

  @Test
  void exemplars_areKeptByPrometheus_linkedToJaegerByTraceId_andShownOnPanelsOfCallsAndTasks()
      throws Exception {
    JsonNode datasources =
        YAML.readTree(DEPLOY.resolve("grafana/provisioning/datasources/book-creator.yml").toFile())
            .path("datasources");
    JsonNode prometheus = null;
    Set<String> uids = new HashSet<>();
    for (JsonNode ds : datasources) {
      uids.add(ds.path("uid").asString());
      if (ds.path("uid").asString().equals("prometheus")) prometheus = ds;
    }
    JsonNode destination = prometheus.path("jsonData").path("exemplarTraceIdDestinations").get(0);
    List<String> command = texts(composeServices().path("prometheus").path("command"));
    Set<String> withExemplars = new TreeSet<>();
    for (Path file : dashboards())
      for (JsonNode panel : JSON.readTree(file.toFile()).path("panels"))
        for (JsonNode target : panel.path("targets"))
          if (target.path("exemplar").asBoolean(false))
            withExemplars.addAll(metricNames(target.path("expr").asString()));

    assertThat(destination.path("name").asString()).isEqualTo("trace_id");
    assertThat(uids).contains(destination.path("datasourceUid").asString());
    assertThat(destination.path("datasourceUid").asString()).isEqualTo("jaeger");
    assertThat(command).contains("--enable-feature=exemplar-storage");
    assertThat(Files.readString(DEPLOY.resolve("local/stack.sh")))
        .contains("--enable-feature=exemplar-storage");
    assertThat(withExemplars)
        .contains(
            "gen_ai_client_operation_duration_seconds_bucket", "book_creator_agent_tasks_total");
  }

  /** The query parameters of a URL, decoded. */
  private static Map<String, String> queryOf(String url) {
    Map<String, String> out = new HashMap<>();
    int q = url.indexOf('?');
    if (q < 0) return out;
    for (String pair : url.substring(q + 1).split("&")) {
      String[] kv = pair.split("=", 2);
      out.put(
          URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length < 2 ? "" : URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return out;
  }

  /** The strings of {@code const NAME = [...]} in one of the built-in dashboard's scripts. */
  private static Set<String> jsArray(Path script, String name) throws IOException {
    Matcher m =
        Pattern.compile("const " + name + " = \\[([^\\]]*)]").matcher(Files.readString(script));
    assertThat(m.find()).as(name + " in " + script).isTrue();
    Set<String> out = new HashSet<>();
    Matcher s = Pattern.compile("'([^']*)'").matcher(m.group(1));
    while (s.find()) out.add(s.group(1));
    return out;
  }

  @Test
  void dashboards_validateAgainstGrafanasDashboardSchema() throws Exception {
    Schema schema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
            .getSchema(
                JSON.readTree(DEPLOY.resolve("grafana/schema/dashboard.schema.json").toFile()));
    List<String> problems = new ArrayList<>();

    for (Path file : dashboards()) {
      for (Error e : schema.validate(JSON.readTree(file.toFile())))
        problems.add(file.getFileName() + ": " + e);
    }
    List<Error> broken =
        schema.validate(JSON.readTree("{\"schemaVersion\": 39, \"panels\": [{\"title\": 1}]}"));

    assertThat(problems).isEmpty();
    assertThat(broken).as("the schema rejects a panel without a type").isNotEmpty();
  }

  @Test
  void dashboards_queryOnlyMetricsThatDocsObservabilityListsAsExported() throws Exception {
    String docs = Files.readString(ROOT.resolve("docs/observability.md"));
    Set<String> documented = new HashSet<>();
    Matcher row = Pattern.compile("(?m)^\\| ([^|]+)\\|").matcher(docs);
    while (row.find()) {
      Matcher name = Pattern.compile("`([a-z_]+)`").matcher(row.group(1));
      while (name.find()) documented.add(name.group(1));
    }
    Set<String> undocumented = new TreeSet<>();

    for (String query : dashboardQueries()) {
      for (String metric : metricNames(query)) {
        String base = metric.replaceAll("_(bucket|count|sum)$", "");
        boolean process = metric.matches("process_.+") && docs.contains("`process_*`");
        if (!documented.contains(metric)
            && !documented.contains(base)
            && !process
            && !PROMETHEUS_OWN.contains(metric)) undocumented.add(metric);
      }
    }

    assertThat(documented).contains("book_creator_runs_in_stage", "gen_ai_client_token_usage");
    assertThat(undocumented).isEmpty();
  }

  @Test
  void dashboards_showTheAlertingAndOpenTelemetryJvmMetrics() throws Exception {
    Set<String> queried = new TreeSet<>();

    for (String query : dashboardQueries()) queried.addAll(metricNames(query));

    assertThat(queried)
        .contains(
            "book_creator_alerts_firing",
            "book_creator_notifications_total",
            "book_creator_notification_outbox_depth",
            "jvm_memory_used_bytes",
            "jvm_gc_duration_seconds_sum",
            "jvm_thread_count",
            "jvm_class_count",
            "jvm_cpu_time_seconds_total",
            "jvm_cpu_recent_utilization")
        .noneMatch(m -> m.startsWith("jvm_threads_") || m.startsWith("jvm_gc_collection_"));
  }

  @Test
  void metricNamesAndSelectors_ofAQuery_leaveOutFunctionsLabelsGroupingAndStrings() {
    String q =
        "1 - (sum by (gen_ai_provider_name) (increase(x_count{error_type!=\"\"}[5m])) or"
            + " up * 0) / histogram_quantile(0.95, sum by (le) (rate(y_bucket{a=~\"$b\"}[1m])))";

    Set<String> names = metricNames(q);
    Set<String> selectors = selectors(q);

    assertThat(names).containsExactly("up", "x_count", "y_bucket");
    assertThat(selectors).containsExactly("up", "x_count{error_type!=\"\"}", "y_bucket{a=~\"$b\"}");
  }

  @Test
  void dashboards_nameProvisionedDatasources_andEveryQueryParses() throws Exception {
    Set<String> datasources = new HashSet<>();
    for (JsonNode ds :
        YAML.readTree(DEPLOY.resolve("grafana/provisioning/datasources/book-creator.yml").toFile())
            .path("datasources")) datasources.add(ds.path("uid").asString());
    List<String> problems = new ArrayList<>();
    for (Path file : dashboards()) {
      JsonNode dashboard = JSON.readTree(file.toFile());
      if (dashboard.path("uid").asString("").isBlank()) problems.add(file + ": no uid");
      for (JsonNode panel : dashboard.path("panels")) {
        String uid = panel.path("datasource").path("uid").asString("");
        if (!datasources.contains(uid))
          problems.add(file.getFileName() + " / " + panel.path("title").asString() + ": " + uid);
      }
    }
    List<String> queries = dashboardQueries();

    ExternalTool.Result r = promtool().run(tmp, "check", "rules", asRecordingRules(queries));

    assertThat(dashboards()).isNotEmpty();
    assertThat(queries).hasSizeGreaterThanOrEqualTo(70);
    assertThat(problems).isEmpty();
    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  /** promtool checks the PromQL of a rule file: the queries as recording rules. */
  private String asRecordingRules(List<String> queries) throws IOException {
    StringBuilder file = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
    for (int i = 0; i < queries.size(); i++) {
      file.append("      - record: dashboard_query_")
          .append(i)
          .append("\n        expr: ")
          .append(JSON.writeValueAsString(queries.get(i)))
          .append('\n');
    }
    Path rules = tmp.resolve("dashboard-queries.yml");
    Files.writeString(rules, file);
    return rules.toString();
  }

  private static boolean overlap(int[] a, int[] b) {
    return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
  }

  /** Series Prometheus makes itself, which dashboards may query beside Book Creator's. */
  static final Set<String> PROMETHEUS_OWN = Set.of("up", "ALERTS", "scrape_duration_seconds");

  /**
   * The metric names a PromQL expression selects: what is left once strings, label matchers, range
   * selectors and grouping clauses are removed, less function names and keywords.
   */
  static Set<String> metricNames(String promql) {
    String bare =
        promql
            .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ")
            .replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^\\]]*\\]", " ")
            .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)(\\s*\\()?").matcher(bare);
    while (m.find()) {
      if (m.group(2) == null && !PROMQL_KEYWORDS.contains(m.group(1))) out.add(m.group(1));
    }
    return out;
  }

  /**
   * The selectors of a PromQL expression, each metric name with the label matchers that follow it,
   * as Prometheus would select series: {@code count(selector)} says whether the data exists.
   */
  static Set<String> selectors(String promql) {
    Set<String> out = new TreeSet<>();
    for (String name : metricNames(promql)) {
      Matcher m =
          Pattern.compile(
                  "(?<![A-Za-z0-9_:])" + Pattern.quote(name) + "(?![A-Za-z0-9_:])(\\{[^}]*})?")
              .matcher(promql);
      while (m.find()) out.add(m.group());
    }
    return out;
  }

  private static final Set<String> PROMQL_KEYWORDS =
      Set.of("and", "or", "unless", "bool", "offset", "inf", "nan", "Inf", "NaN");

  static List<Path> dashboards() throws IOException {
    try (Stream<Path> files = Files.list(DEPLOY.resolve("grafana/dashboards"))) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
  }

  /**
   * Every panel query of every dashboard, Grafana's variables replaced by values of their kind, as
   * Prometheus would receive them.
   */
  static List<String> dashboardQueries() throws IOException {
    List<String> out = new ArrayList<>();
    for (Path file : dashboards()) {
      for (JsonNode panel : JSON.readTree(file.toFile()).path("panels")) {
        for (JsonNode target : panel.path("targets")) {
          out.add(
              target
                  .path("expr")
                  .asString()
                  .replace("$__rate_interval", "1m")
                  .replace("$__range", "6h")
                  .replace("$__interval", "15s")
                  .replaceAll("\\$[a-z_]+", ".*"));
        }
      }
    }
    return out;
  }

  /**
   * The selector and label of every {@code label_values(selector, label)} variable of every
   * dashboard, as {@code count by (label) (selector)}: a query that lists the variable's values.
   */
  static List<String> variableQueries() throws IOException {
    List<String> out = new ArrayList<>();
    Pattern labelValues = Pattern.compile("label_values\\((.+), *([a-z_]+)\\)");
    for (Path file : dashboards()) {
      for (JsonNode v : JSON.readTree(file.toFile()).path("templating").path("list")) {
        Matcher m = labelValues.matcher(v.path("query").path("query").asString(""));
        if (m.matches())
          out.add(
              "count by (" + m.group(2) + ") (" + m.group(1).replaceAll("\\$[a-z_]+", ".*") + ")");
      }
    }
    return out;
  }

  static List<JsonNode> alertRules() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode group : YAML.readTree(RULES.toFile()).path("groups")) {
      for (JsonNode rule : group.path("rules")) if (rule.has("alert")) out.add(rule);
    }
    return out;
  }

  private static Set<String> alertNames() throws IOException {
    return alertRules().stream()
        .map(r -> r.path("alert").asString())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static List<Path> ruleTestFiles() throws IOException {
    try (Stream<Path> files = Files.list(DEPLOY.resolve("prometheus/rules/tests"))) {
      return files.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
    }
  }
}
