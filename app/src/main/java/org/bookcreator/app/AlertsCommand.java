package org.bookcreator.app;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.bookcreator.core.alert.AlertRule;
import org.bookcreator.core.alert.NotifierTests;
import org.bookcreator.core.alert.Silences;
import org.bookcreator.core.view.AlertView;
import org.bookcreator.core.view.SilenceView;
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
    subcommands = {
      AlertsCommand.History.class,
      AlertsCommand.Rules.class,
      AlertsCommand.Silence.class,
      AlertsCommand.SilenceList.class,
      AlertsCommand.Unsilence.class,
      AlertsCommand.Test.class
    })
final class AlertsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();

  @Option(names = "--json", description = "One JSON document for machines.")
  boolean json;

  @Override
  public Integer call() {
    Settings settings = options.load(Map.of());
    List<AlertView> open = read(settings, e -> e.operations.alerts(e.clock.instant()));
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
                a.silencedBy().isEmpty() ? a.state() : a.state() + ", silenced",
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
        if (!a.silencedBy().isEmpty())
          out.println(
              "  silenced by "
                  + String.join(", ", a.silencedBy())
                  + ": recorded, not notified (bin/book-creator alerts silences)");
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** What {@code query} finds in the store; nothing when nothing has run there yet. */
  private static <T> List<T> read(Settings settings, Function<Engine, List<T>> query) {
    return Engine.read(settings)
        .map(
            engine -> {
              try (engine) {
                return query.apply(engine);
              }
            })
        .orElse(List.of());
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
      List<AlertView> moves = read(settings, e -> e.operations.alertHistory(from, limit));
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
        boolean enabled,
        Map<String, String> thresholds) {}

    @Override
    public Integer call() {
      Settings settings = options.load(Map.of());
      List<String> enabled = settings.alertRules().stream().map(AlertRule::name).toList();
      List<RuleView> rules = new ArrayList<>();
      var configured = settings.configuredAlertRules();
      for (AlertRule r : configured.rules()) {
        rules.add(
            new RuleView(
                r.name(),
                r.severity().id(),
                r.holdFor().isZero() ? "0s" : Text.duration(r.holdFor()),
                r.condition(),
                "docs/runbooks/" + r.runbook() + ".md",
                settings.get(Setting.ALERTS_ENABLED) && enabled.contains(r.name()),
                configured.thresholds().get(r.name())));
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
        out.println(
            "thresholds: alerts rules --json lists them; change one with alerts.thresholds,"
                + " e.g. ProviderDown.for=1m (docs/alerts.md)");
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "silence",
      description = {
        "Silence the alerts that match every --match for a while: they are still evaluated and",
        "recorded (alerts shows them as silenced), but nobody is notified of them until the",
        "silence ends (by itself, or with alerts unsilence)."
      },
      mixinStandardHelpOptions = true)
  static final class Silence implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();

    @Option(
        names = "--match",
        paramLabel = "K=V",
        required = true,
        description = {
          "A label matcher, as Alertmanager writes them: NAME=VALUE, NAME!=VALUE, NAME=~REGEX or",
          "NAME!~REGEX (the whole value); alertname is the alert's name. Repeat for more."
        })
    List<String> matchers;

    @Option(
        names = "--for",
        paramLabel = "DURATION",
        required = true,
        description = "How long it lasts: 30m, 2h, 7d (at most 365d).")
    String duration;

    @Option(
        names = "--reason",
        paramLabel = "TEXT",
        required = true,
        description = "Why; shown with the silence.")
    String reason;

    @Option(names = "--json", description = "The silence as JSON.")
    boolean json;

    @Override
    public Integer call() {
      Settings settings = options.load(Map.of());
      try (Engine engine = Engine.open(settings, Observability.Mode.READER, Engine.Use.SHARED)) {
        org.bookcreator.core.alert.Silence s;
        try {
          s =
              engine.silences.create(
                  new Silences.Request(
                      matchers, Optional.of(duration), Optional.empty(), reason, "cli"));
        } catch (Silences.Invalid e) {
          String flag =
              switch (e.field()) {
                case "matchers" -> "--match";
                case "reason" -> "--reason";
                default -> "--for";
              };
          throw new Main.UsageException(flag + ": " + e.problem());
        }
        List<AlertView> silenced =
            engine.operations.alerts(engine.clock.instant()).stream()
                .filter(a -> a.silencedBy().contains(s.id()))
                .toList();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(ViewJson.write(SilenceView.of(s)));
        } else {
          out.println(
              "silence "
                  + s.id()
                  + " until "
                  + s.endsAt()
                  + ": "
                  + Text.clean(matchers(SilenceView.of(s))));
          out.println("  reason: " + Text.clean(s.reason()));
          out.println(
              "  silences "
                  + silenced.size()
                  + " alert(s) open now"
                  + (silenced.isEmpty()
                      ? ""
                      : ": "
                          + String.join(
                              ", ",
                              silenced.stream().map(a -> a.name() + labels(a.labels())).toList())));
          out.println("  end it early: bin/book-creator alerts unsilence " + s.id());
        }
        out.flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "silences",
      description = "The silences that apply now, ending soonest first.",
      mixinStandardHelpOptions = true)
  static final class SilenceList implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();

    @Option(names = "--json", description = "One JSON document for machines.")
    boolean json;

    @Override
    public Integer call() {
      Settings settings = options.load(Map.of());
      List<SilenceView> active = read(settings, e -> e.operations.silences(e.clock.instant()));
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(ViewJson.write(Map.of("silences", active)));
      } else if (active.isEmpty()) {
        out.println("no silence applies now");
      } else {
        List<List<String>> rows = new ArrayList<>();
        for (SilenceView s : active) {
          rows.add(
              List.of(
                  s.id(),
                  s.endsAt().toString().substring(0, 19).replace('T', ' '),
                  Text.clip(Text.clean(matchers(s)), 50),
                  Text.clean(s.createdBy()),
                  Text.clip(Text.clean(s.reason()), 40)));
        }
        out.print(Text.table(List.of("id", "until (UTC)", "matchers", "by", "reason"), rows));
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "unsilence",
      description =
          "End a silence now: what it matches is notified again from the next evaluation.",
      mixinStandardHelpOptions = true)
  static final class Unsilence implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();

    @picocli.CommandLine.Parameters(paramLabel = "ID", description = "The silence's id.")
    String id;

    @Override
    public Integer call() {
      Settings settings = options.load(Map.of());
      try (Engine engine = Engine.require(settings)) {
        Instant before = engine.clock.instant().truncatedTo(ChronoUnit.MILLIS); // as stored
        org.bookcreator.core.alert.Silence s =
            engine
                .silences
                .end(id)
                .orElseThrow(
                    () ->
                        new Main.UsageException(
                            "no silence "
                                + Text.clean(id)
                                + " in "
                                + settings.dataDir()
                                + " (bin/book-creator alerts silences lists them)"));
        PrintWriter out = spec.commandLine().getOut();
        out.println(
            s.endsAt().isBefore(before)
                ? "silence " + s.id() + " had already ended at " + s.endsAt()
                : "silence " + s.id() + " ended");
        out.flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "test",
      description = {
        "Send a test notification (alert " + NotifierTests.ALERT_NAME + ", a warning marked as a",
        "test) through one notifier now, not through the outbox, and say whether it arrived:",
        "exit 0 delivered, 1 not (with the notifier's reason), 2 for a notifier not configured."
      },
      mixinStandardHelpOptions = true)
  static final class Test implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();

    @Option(
        names = "--notifier",
        paramLabel = "NAME",
        required = true,
        description = "The notifier: webhook (webhook-1, ...), email, desktop, alertmanager, ...")
    String notifier;

    @Option(names = "--json", description = "The outcome as JSON.")
    boolean json;

    @Override
    public Integer call() {
      Settings settings = options.load(Map.of());
      NotifierTests.Result result;
      try {
        result = Engine.notifierTests(settings, java.time.InstantSource.system()).send(notifier);
      } catch (NotifierTests.Unknown e) {
        throw new Main.UsageException("--notifier: " + e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(ViewJson.write(result));
      } else if (result.delivered()) {
        out.println(
            "test notification "
                + result.id()
                + " delivered to "
                + result.notifier()
                + ": its receiver took it");
      } else {
        out.println(
            "test notification "
                + result.id()
                + " to "
                + result.notifier()
                + " failed: "
                + Text.clean(result.reason().orElse("no reason given")));
      }
      out.flush();
      return result.delivered() ? ExitCodes.OK : ExitCodes.RUN_FAILED;
    }
  }

  private static String matchers(SilenceView s) {
    return String.join(", ", s.matchers());
  }
}
