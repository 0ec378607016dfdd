package org.bookcreator.app;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bookcreator.core.cost.CategoryStats;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostLine;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.cost.UnpricedModel;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.view.CostCsv;
import org.bookcreator.core.view.CostReports;
import org.bookcreator.core.view.PriceCatalogueView;
import org.bookcreator.core.view.ViewJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "cost",
    description = "Cost reports from the ledger (one row per model call).",
    mixinStandardHelpOptions = true,
    subcommands = {CostCommand.Report.class, CostCommand.Reprice.class, CostCommand.Prices.class})
final class CostCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "report",
      header = "Exact cost, calls and tokens from the ledger, grouped and filtered.",
      mixinStandardHelpOptions = true,
      description = {
        "Cost, calls and tokens from the ledger, grouped and filtered, with library analytics:",
        "books per stage, average completion time, cost per book and per 1,000 words by category.",
        "Totals equal the exact sum of the ledger rows covered; unpriced calls are counted and"
            + " flagged."
      })
  static final class Report implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();

    @Option(names = "--project", paramLabel = "ID", description = "Only this project.")
    String project;

    @Option(names = "--run", paramLabel = "ID", description = "Only this run.")
    String run;

    @Option(
        names = "--category",
        paramLabel = "NAME",
        description = "Only projects of this category.")
    String category;

    @Option(
        names = "--since",
        paramLabel = "DATE",
        description = "Calls at or after: YYYY-MM-DD (UTC) or an ISO instant.")
    String since;

    @Option(
        names = "--until",
        paramLabel = "DATE",
        description = "Calls before: YYYY-MM-DD (UTC) or an ISO instant.")
    String until;

    @Option(
        names = "--by",
        paramLabel = "DIM",
        split = ",",
        description =
            "Group by stage, agent, provider, model, category, day, project or run; combine with"
                + " commas.")
    List<String> by = new ArrayList<>();

    @Option(
        names = "--format",
        paramLabel = "FMT",
        defaultValue = "table",
        description = "table, csv, json or markdown (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
      List<CostDimension> dims;
      try {
        dims = by.stream().map(CostDimension::parse).toList();
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException("--by: " + e.getMessage());
      }
      if (dims.stream().distinct().count() != dims.size())
        throw new Main.UsageException("--by: a dimension is repeated");
      if (!List.of("table", "csv", "json", "markdown").contains(format)) {
        throw new Main.UsageException(
            "--format must be table, csv, json or markdown, got '" + Text.clean(format) + "'");
      }
      CostQuery query =
          new CostQuery(
              Optional.ofNullable(project),
              Optional.ofNullable(run),
              Optional.ofNullable(category),
              Optional.ofNullable(since).map(s -> time("--since", s)),
              Optional.ofNullable(until).map(s -> time("--until", s)),
              dims);
      Settings settings = options.load(Map.of());
      PrintWriter out = spec.commandLine().getOut();
      try (Engine engine = Engine.require(settings)) {
        Store store = engine.store;
        CostReports reports = engine.costs;
        if (project != null && store.project(project).isEmpty())
          throw new Main.UsageException("no project " + Text.clean(project));
        if (format.equals("json")) {
          out.print(ViewJson.writePretty(reports.report(query)) + "\n");
        } else {
          // The same query service as --json and the API, so their figures cannot disagree.
          List<CostLine> lines = reports.lines(query);
          CostLine total = lines.stream().reduce(CostLine.zero(), CostLine::plus);
          boolean library = CostReports.coversLibrary(query);
          List<CategoryStats> categories = library ? reports.categories() : List.of();
          reports.budget(query).ifPresent(b -> out.println(budgetLine(b)));
          out.print(
              switch (format) {
                case "csv" -> csv(dims, lines, total);
                case "markdown" -> markdown(dims, lines, total, categories);
                default ->
                    table(dims, lines, total, categories, library ? reports.booksPerStage() : null);
              });
        }
      }
      out.flush();
      return ExitCodes.OK;
    }

    static Instant time(String flag, String s) {
      try {
        if (s.length() == 10) return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        throw new Main.UsageException(
            flag
                + ": expected YYYY-MM-DD or an ISO instant such as 2026-11-28T10:00:00Z, got '"
                + Text.clean(s)
                + "'");
      }
    }

    private static List<String> header(List<CostDimension> dims) {
      return CostCsv.header(dims);
    }

    private static List<String> row(CostLine l, List<String> keys, boolean exact) {
      List<String> r = new ArrayList<>(keys);
      r.addAll(CostCsv.figures(l, exact ? java.math.BigDecimal::toPlainString : Text::money));
      return r;
    }

    private static List<String> totalKeys(List<CostDimension> dims) {
      List<String> k = new ArrayList<>();
      for (int i = 0; i < dims.size(); i++) k.add(i == 0 ? "TOTAL" : "");
      return k;
    }

    private static String table(
        List<CostDimension> dims,
        List<CostLine> lines,
        CostLine total,
        List<CategoryStats> cats,
        List<Store.StageCount> stages) {
      StringBuilder sb = new StringBuilder();
      List<List<String>> rows = new ArrayList<>();
      for (CostLine l : lines)
        rows.add(row(l, l.keys().stream().map(k -> Text.clip(k, 30)).toList(), false));
      if (!dims.isEmpty()) rows.add(row(total, totalKeys(dims), false));
      sb.append(Text.table(header(dims), rows));
      sb.append("total cost $")
          .append(total.costUsd().toPlainString())
          .append(" (exact) over ")
          .append(total.calls())
          .append(" calls");
      sb.append(spendNotes(total));
      if (total.unpricedCalls() > 0) {
        sb.append("\nWARNING: ")
            .append(total.unpricedCalls())
            .append(
                " call(s) have no price (unknown model) and are not included in the cost; add them"
                    + " to a price file (prices.file)");
      }
      if (stages == null) return sb.append('\n').toString(); // one project's or run's report
      sb.append("\n\nBooks by category\n");
      List<List<String>> crows = new ArrayList<>();
      for (CategoryStats c : cats) {
        crows.add(
            List.of(
                c.category(),
                Long.toString(c.projects()),
                Long.toString(c.activeRuns()),
                Long.toString(c.completedRuns()),
                Long.toString(c.failedRuns()),
                c.completedRuns() == 0
                    ? "-"
                    : Text.duration(
                        Duration.ofMillis((long) (c.averageCompletionSeconds() * 1000))),
                Text.money(c.averageCostUsd()),
                Text.money(c.costPerThousandWords())));
      }
      sb.append(
          Text.table(
              List.of(
                  "category",
                  "projects",
                  "active",
                  "completed",
                  "failed",
                  "avg time",
                  "avg cost/book",
                  "cost/1k words"),
              crows));
      List<List<String>> srows = new ArrayList<>();
      for (Store.StageCount s : stages)
        if (s.runs() > 0) srows.add(List.of(s.category(), s.stage(), Long.toString(s.runs())));
      sb.append("\nBooks in progress by stage\n");
      sb.append(
          srows.isEmpty() ? "none\n" : Text.table(List.of("category", "stage", "books"), srows));
      return sb.toString();
    }

    /**
     * What the total does and does not hold: wasted calls are in it, interrupted ones are not
     * (their estimate is a lower bound of what the provider may bill).
     */
    private static String spendNotes(CostLine total) {
      StringBuilder sb = new StringBuilder();
      if (total.wastedCalls() > 0) {
        sb.append("\n")
            .append(total.wastedCalls())
            .append(" call(s) were answered after their worker lost the task: paid, not used ($")
            .append(total.wastedCostUsd().toPlainString())
            .append(", included above)");
      }
      if (total.interruptedCalls() > 0) {
        sb.append("\n")
            .append(total.interruptedCalls())
            .append(
                " call(s) were sent but never answered (process killed or lease lost): not in the"
                    + " total; their input alone is estimated at $")
            .append(total.interruptedEstimatedCostUsd().toPlainString())
            .append(", and the provider may bill them");
      }
      return sb.toString();
    }

    private static String csv(List<CostDimension> dims, List<CostLine> lines, CostLine total) {
      return CostCsv.of(dims, lines, total);
    }

    static String csvCell(String s) {
      return CostCsv.cell(s);
    }

    private static String markdown(
        List<CostDimension> dims, List<CostLine> lines, CostLine total, List<CategoryStats> cats) {
      StringBuilder sb = new StringBuilder("# Cost report\n\n");
      List<String> h = header(dims);
      sb.append("| ")
          .append(String.join(" | ", h))
          .append(" |\n|")
          .append("---|".repeat(h.size()))
          .append('\n');
      for (CostLine l : lines)
        sb.append("| ")
            .append(
                String.join(
                    " | ",
                    row(
                        l,
                        l.keys().stream().map(k -> Text.clean(k).replace("|", "\\|")).toList(),
                        true)))
            .append(" |\n");
      sb.append("| ")
          .append(
              String.join(" | ", row(total, dims.isEmpty() ? List.of() : totalKeys(dims), true)))
          .append(" |\n\n");
      String notes = spendNotes(total);
      if (!notes.isEmpty()) sb.append(notes.strip().replace("\n", "\n\n")).append("\n\n");
      if (total.unpricedCalls() > 0)
        sb.append("**")
            .append(total.unpricedCalls())
            .append(" unpriced call(s) are not in the cost.**\n\n");
      if (cats.isEmpty()) return sb.toString(); // one project's or run's report
      sb.append(
          "## Books by category\n\n"
              + "| category | projects | completed | failed | avg seconds | avg cost per book |"
              + " cost per 1k words |\n"
              + "|---|---|---|---|---|---|---|\n");
      for (CategoryStats c : cats) {
        sb.append("| ")
            .append(c.category())
            .append(" | ")
            .append(c.projects())
            .append(" | ")
            .append(c.completedRuns())
            .append(" | ")
            .append(c.failedRuns())
            .append(" | ")
            .append(String.format("%.1f", c.averageCompletionSeconds()))
            .append(" | ")
            .append(c.averageCostUsd().setScale(6, RoundingMode.HALF_EVEN).toPlainString())
            .append(" | ")
            .append(c.costPerThousandWords().setScale(6, RoundingMode.HALF_EVEN).toPlainString())
            .append(" |\n");
      }
      return sb.toString();
    }

    static String budgetLine(org.bookcreator.core.cost.BudgetStatus b) {
      String spent = Text.money(b.spentUsd());
      if (b.budgetUsd().isEmpty())
        return "budget: none; spent " + spent + ", projected " + Text.money(b.projectedUsd());
      return String.format(
          "budget: %s; spent %s (%.1f%%), projected %s, remaining %s",
          Text.money(b.budgetUsd().get()),
          spent,
          b.spentShare().orElse(0.0) * 100,
          Text.money(b.projectedUsd()),
          Text.money(b.remainingUsd().orElseThrow()));
    }
  }

  @Command(
      name = "reprice",
      header = "Recompute past costs from corrected prices, keeping the old values.",
      mixinStandardHelpOptions = true,
      description = {
        "Recompute the cost of past calls from the current price table (shipped prices plus",
        "prices.file), keeping each changed row's previous cost and price version in the ledger",
        "history, and print the difference. --dry-run shows the difference and changes nothing."
      })
  static final class Reprice implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();

    @Option(
        names = "--since",
        paramLabel = "DATE",
        required = true,
        description = "Calls at or after: YYYY-MM-DD (UTC) or an ISO instant.")
    String since;

    @Option(names = "--until", paramLabel = "DATE", description = "Calls before (default: now).")
    String until;

    @Option(names = "--dry-run", description = "Show what would change; write nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
      java.time.Instant from = Report.time("--since", since);
      java.time.Instant to =
          until == null ? java.time.Instant.now() : Report.time("--until", until);
      if (!from.isBefore(to)) throw new Main.UsageException("--since must be before --until");
      Settings settings = options.load(Map.of());
      PrintWriter out = spec.commandLine().getOut();
      Engine.requireStore(settings);
      // Writing the ledger takes the lock, so no pipeline prices calls meanwhile.
      try (Engine engine =
          Engine.open(
              settings,
              Observability.Mode.READER,
              dryRun ? Engine.Use.SHARED : Engine.Use.EXCLUSIVE)) {
        Store store = engine.store;
        var plan =
            org.bookcreator.core.cost.Repricing.plan(
                store.callsBetween(from, to), settings.prices());
        out.printf(
            "%d call(s) from %s to %s; %d would change%n",
            plan.rowsSeen(), from, to, plan.changes().size());
        out.printf(
            "total before $%s, after $%s, difference %s$%s%n",
            plan.totalBefore().toPlainString(),
            plan.totalAfter().toPlainString(),
            plan.difference().signum() >= 0 ? "+" : "-",
            plan.difference().abs().toPlainString());
        List<List<String>> rows = new ArrayList<>();
        for (var c : plan.changes().stream().limit(20).toList()) {
          rows.add(
              List.of(
                  c.callId(),
                  c.oldVersion().orElse("unpriced"),
                  c.oldCost().map(BigDecimal::toPlainString).orElse("-"),
                  c.newVersion().orElse("unpriced"),
                  c.newCost().map(BigDecimal::toPlainString).orElse("-")));
        }
        if (!rows.isEmpty())
          out.print(
              Text.table(List.of("call", "old price", "old cost", "new price", "new cost"), rows));
        if (plan.changes().size() > 20) out.printf("... and %d more%n", plan.changes().size() - 20);
        if (dryRun) {
          out.println("dry run: nothing changed");
        } else if (!plan.changes().isEmpty()) {
          store.applyRepricing(
              plan.changes(), "cost reprice --since " + Text.clean(since), java.time.Instant.now());
          out.println(
              "repriced "
                  + plan.changes().size()
                  + " call(s); previous values kept in the ledger history");
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "prices",
      header = "The price catalogue, and the models in the ledger that have no price.",
      mixinStandardHelpOptions = true,
      description = {
        "Lists every price in force (shipped prices plus prices.file): provider, model, aliases,",
        "USD per million input, output, cache-read and cache-write tokens, effective date, whether",
        "the model is declared free, and the source of the figures. Then the models the ledger",
        "holds calls of without a price, and the cost reprice command that prices those calls",
        "once their prices are added."
      })
  static final class Prices implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();

    @Option(
        names = "--format",
        paramLabel = "FMT",
        defaultValue = "table",
        description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
      if (!List.of("table", "csv", "json").contains(format)) {
        throw new Main.UsageException(
            "--format must be table, csv or json, got '" + Text.clean(format) + "'");
      }
      Settings settings = options.load(Map.of());
      List<UnpricedModel> unpriced;
      Optional<Engine> engine = Engine.read(settings);
      try {
        unpriced = engine.map(e -> e.store.unpricedModels()).orElse(List.of());
      } finally {
        engine.ifPresent(Engine::close);
      }
      PriceCatalogueView view =
          PriceCatalogueView.of(settings.prices(), unpriced, since -> reprice(settings, since));
      PrintWriter out = spec.commandLine().getOut();
      out.print(
          switch (format) {
            case "json" -> ViewJson.writePretty(view) + "\n";
            case "csv" -> csv(view);
            default -> table(view, engine.isPresent());
          });
      out.flush();
      return ExitCodes.OK;
    }

    /** The reprice command for this data directory and config, from {@code since} on. */
    private String reprice(Settings settings, LocalDate since) {
      StringBuilder c =
          new StringBuilder("bin/book-creator cost reprice --since ")
              .append(since)
              .append(" --data-dir ")
              .append(shellWord(settings.dataDir().toString()));
      if (options.config != null)
        c.append(" --config ").append(shellWord(options.config.toString()));
      return c.toString();
    }

    private static String shellWord(String s) {
      String c = Text.clean(s);
      return c.matches("[A-Za-z0-9_./:=@%+,-]+") ? c : "'" + c.replace("'", "'\\''") + "'";
    }

    private static final List<String> CATALOGUE =
        List.of(
            "provider",
            "model",
            "aliases",
            "input_per_million",
            "output_per_million",
            "cache_read_per_million",
            "cache_write_per_million",
            "effective_from",
            "free",
            "source");

    private static final List<String> UNPRICED =
        List.of("provider", "model", "calls", "first_seen", "last_seen", "priced_now_as");

    /** An entry's cells, in the order of {@link #CATALOGUE}; empty where there is nothing. */
    private static List<String> cells(PriceCatalogueView.Entry e) {
      return List.of(
          e.provider(),
          e.model(),
          String.join(" ", e.aliases()),
          e.inputPerMillion().toPlainString(),
          e.outputPerMillion().toPlainString(),
          e.cacheReadPerMillion().toPlainString(),
          e.cacheWritePerMillion().toPlainString(),
          e.effectiveFrom().toString(),
          e.free() ? "free" : "",
          e.source().orElse(""));
    }

    /** A model's cells, in the order of {@link #UNPRICED}; empty where there is nothing. */
    private static List<String> cells(PriceCatalogueView.Unpriced u) {
      return List.of(
          u.provider(),
          u.model(),
          Long.toString(u.calls()),
          u.firstSeen().toString(),
          u.lastSeen().toString(),
          u.pricedNowAs().orElse(""));
    }

    private static String table(PriceCatalogueView view, boolean ledger) {
      StringBuilder sb =
          new StringBuilder(
              "Price catalogue (USD per million tokens; shipped prices and prices.file)\n");
      sb.append(textTable(CATALOGUE, view.catalogue().stream().map(Prices::cells).toList()));
      sb.append("\nModels in the ledger without a price\n");
      if (view.unpriced().isEmpty()) {
        return sb.append(ledger ? "none: every call has a price\n" : "none: no ledger yet\n")
            .toString();
      }
      sb.append(textTable(UNPRICED, view.unpriced().stream().map(Prices::cells).toList()));
      return sb.append(
              "\nAdd a price for each model not priced now to the price file (prices.file, see"
                  + " docs/costs.md),\nthen price their past calls with:\n  ")
          .append(view.repriceCommand().orElseThrow())
          .append('\n')
          .toString();
    }

    private static String textTable(List<String> header, List<List<String>> rows) {
      return Text.table(
          header.stream().map(h -> h.replace('_', ' ')).toList(),
          rows.stream()
              .map(r -> r.stream().map(c -> c.isEmpty() ? "-" : Text.clip(c, 60)).toList())
              .toList());
    }

    private static String csv(PriceCatalogueView view) {
      StringBuilder sb = new StringBuilder(String.join(",", CATALOGUE)).append('\n');
      for (PriceCatalogueView.Entry e : view.catalogue()) sb.append(csvRow(cells(e))).append('\n');
      sb.append('\n').append(String.join(",", UNPRICED)).append(",reprice_command\n");
      for (PriceCatalogueView.Unpriced u : view.unpriced()) {
        List<String> row = new ArrayList<>(cells(u));
        row.add(view.repriceCommand().orElseThrow());
        sb.append(csvRow(row)).append('\n');
      }
      return sb.toString();
    }

    private static String csvRow(List<String> cells) {
      return String.join(",", cells.stream().map(Report::csvCell).toList());
    }
  }
}
