package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bookcreator.core.alert.AlertRule;
import org.bookcreator.core.alert.BuiltInRules;
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
    // An empty env file, so a developer's own deploy/compose/.env does not decide the outcome.
    Path envFile = Files.createFile(tmp.resolve("empty.env"));
    List<String> args =
        List.of(
            "--env-file",
            envFile.toString(),
            "-f",
            DEPLOY.resolve("compose/docker-compose.yml").toString(),
            "config",
            "-q");
    Map<String, String> secrets = new HashMap<>();
    secrets.put("BOOK_CREATOR_HTTP_TOKEN", "test-token-0123456789abcdef");
    secrets.put("GRAFANA_ADMIN_PASSWORD", "test-password");

    ExternalTool.Result ok = compose.run(tmp, secrets, args);
    secrets.put("BOOK_CREATOR_HTTP_TOKEN", "");
    ExternalTool.Result noToken = compose.run(tmp, secrets, args);

    assertThat(ok.exitCode()).as(ok.output()).isZero();
    assertThat(noToken.exitCode()).isNotZero();
    assertThat(noToken.output()).contains("set BOOK_CREATOR_HTTP_TOKEN in deploy/compose/.env");
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
    JsonNode services =
        YAML.readTree(DEPLOY.resolve("compose/docker-compose.yml").toFile()).path("services");
    List<String> problems = new ArrayList<>();

    for (var service : services.properties()) {
      String name = service.getKey();
      for (JsonNode port : service.getValue().path("ports")) {
        if (!port.asString().startsWith("127.0.0.1:"))
          problems.add(name + ": port " + port.asString() + " is not bound to 127.0.0.1");
      }
      String image = service.getValue().path("image").asString("");
      boolean built = service.getValue().has("build");
      if (!built && !image.matches("[a-z0-9./_-]+:v?[0-9]+\\.[0-9]+\\.[0-9]+[A-Za-z0-9._-]*"))
        problems.add(name + ": image '" + image + "' is not pinned to a version");
    }
    String dockerfile = Files.readString(DEPLOY.resolve("compose/Dockerfile"));

    assertThat(services.properties().stream().map(Map.Entry::getKey).toList())
        .containsExactlyInAnyOrder(
            "book-creator", "prometheus", "alertmanager", "grafana", "jaeger");
    assertThat(problems).isEmpty();
    assertThat(dockerfile)
        .containsPattern("(?m)^FROM eclipse-temurin:21\\.[0-9.]+_[0-9]+-jre")
        .containsPattern("(?m)^USER bookcreator")
        .containsPattern("(?m)^HEALTHCHECK .*")
        .contains("/readyz");
    assertThat(Files.readString(ROOT.resolve(".gitignore"))).contains("/deploy/compose/.env");
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
    assertThat(queries).hasSizeGreaterThanOrEqualTo(10);
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
