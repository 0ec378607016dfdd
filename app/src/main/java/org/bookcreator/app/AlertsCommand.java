package org.bookcreator.app;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bookcreator.core.alert.AlertRule;
import org.bookcreator.core.view.AlertView;
import org.bookcreator.core.view.ViewJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code alerts}: what is firing and pending now, what fired before, and the rules. The alerts are
 * evaluated by the process that drives runs (serve, run, demo, resume); this command reads what
 * that process recorded.
 */
@Command(
    name = "alerts",
    description = {
      "Alerts firing and pending now (evaluated every alerts.interval by the process that drives",
      "runs: serve, run, demo, resume). docs/alerts.md lists the rules and their runbooks."
    },
    mixinStandardHelpOptions = true,
    subcommands = {AlertsCommand.History.class, AlertsCommand.Rules.class})
final class AlertsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();

  @Option(names = "--json", description = "One JSON document for machines.")
  boolean json;

  @Override
  public Integer call() {
    Settings settings = options.load(Map.of());
    List<AlertView> open = Engine.read(settings).map(AlertsCommand::open).orElse(List.of());
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(ViewJson.write(Map.of("alerts", open)));
    } else if (open.isEmpty()) {
      out.println(
          "no alerts firing or pending in "
              + settings.dataDir()
              + (settings.get(Setting.ALERTS_ENABLED) ? "" : " (alerts.enabled is false)"));
    } else {
      Instant now = Instant.now();
      List<List<String>> rows = new ArrayList<>();
      for (AlertView a : open) {
        rows.add(
            List.of(
                a.state(),
                a.severity(),
                a.name(),
                Text.duration(Duration.between(a.activeSince(), now)),
                Text.clip(Text.clean(a.summary()), 70)));
      }
      out.print(Text.table(List.of("state", "severity", "alert", "for", "summary"), rows));
      for (AlertView a : open) {
        out.println();
        out.println(a.name() + " " + labels(a.labels()));
        out.println("  " + Text.clean(a.description()));
        out.println("  runbook: " + a.runbook());
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static List<AlertView> open(Engine engine) {
    try (engine) {
      return engine.operations.alerts();
    }
  }

  static String labels(Map<String, String> labels) {
    List<String> parts = new ArrayList<>();
    labels.forEach((k, v) -> parts.add(k + "=" + Text.clean(v)));
    return "{" + String.join(", ", parts) + "}";
  }

  @Command(
      name = "history",
      description = "Alerts that moved (pending, firing, resolved), newest first.",
      mixinStandardHelpOptions = true)
  static final class History implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();

    @Option(
        names = "--since",
        description = "YYYY-MM-DD (UTC) or an ISO instant; default: 7 days ago.")
    String since;

    @Option(
        names = "--limit",
        description = "At most this many moves (1..10000, default ${DEFAULT-VALUE}).",
        defaultValue = "100")
    String limit;

    @Option(names = "--json", description = "One JSON document for machines.")
    boolean json;

    @Override
    public Integer call() {
      int limit = Flags.wholeNumber("--limit", this.limit, 1, 10_000);
      Instant from =
          since == null
              ? Instant.now().minus(Duration.ofDays(7))
              : CostCommand.Report.time("--since", since);
      Settings settings = options.load(Map.of());
      List<AlertView> moves =
          Engine.read(settings)
              .map(
                  e -> {
                    try (e) {
                      return e.operations.alertHistory(from, limit);
                    }
                  })
              .orElse(List.of());
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(ViewJson.write(Map.of("history", moves)));
      } else if (moves.isEmpty()) {
        out.println("no alert moved since " + from);
      } else {
        List<List<String>> rows = new ArrayList<>();
        for (AlertView a : moves) {
          AlertView.Change c = a.change().orElseThrow();
          rows.add(
              List.of(
                  c.at().toString().substring(0, 19).replace('T', ' '),
                  c.from().orElse("-") + " -> " + c.to(),
                  a.severity(),
                  a.name(),
                  Text.clip(Text.clean(a.summary()), 60)));
        }
        out.print(Text.table(List.of("at (UTC)", "move", "severity", "alert", "summary"), rows));
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "rules",
      description = "The alert rules this configuration evaluates, with their thresholds.",
      mixinStandardHelpOptions = true)
  static final class Rules implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();

    @Option(names = "--json", description = "One JSON document for machines.")
    boolean json;

    /** A rule as {@code alerts rules --json} shows it. */
    record RuleView(
        String name,
        String severity,
        String holdFor,
        String condition,
        String runbook,
        boolean enabled) {}

    @Override
    public Integer call() {
      Settings settings = options.load(Map.of());
      List<String> enabled = settings.alertRules().stream().map(AlertRule::name).toList();
      List<RuleView> rules = new ArrayList<>();
      for (AlertRule r : org.bookcreator.core.alert.BuiltInRules.defaults()) {
        rules.add(
            new RuleView(
                r.name(),
                r.severity().id(),
                r.holdFor().isZero() ? "0s" : Text.duration(r.holdFor()),
                r.condition(),
                "docs/runbooks/" + r.runbook() + ".md",
                settings.get(Setting.ALERTS_ENABLED) && enabled.contains(r.name())));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(ViewJson.write(Map.of("rules", rules)));
      } else {
        List<List<String>> rows = new ArrayList<>();
        for (RuleView r : rules) {
          rows.add(
              List.of(
                  r.name(), r.severity(), r.holdFor(), r.enabled() ? "on" : "off", r.condition()));
        }
        out.print(Text.table(List.of("rule", "severity", "for", "state", "fires when"), rows));
        out.println("evaluated every " + Text.duration(settings.get(Setting.ALERTS_INTERVAL)));
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
