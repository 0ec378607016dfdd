package org.bookcreator.app;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bookcreator.core.support.Json;
import org.bookcreator.store.jdbc.StoreCopy;
import org.bookcreator.store.postgres.PostgresDatabase;
import org.bookcreator.store.sqlite.SqliteStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "store",
    description = "Work on the store as a whole: move a library to PostgreSQL.",
    mixinStandardHelpOptions = true,
    subcommands = {StoreCommand.Copy.class})
final class StoreCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "copy",
      header = "Copy the SQLite library of the data directory into an empty PostgreSQL database.",
      mixinStandardHelpOptions = true,
      description = {
        "Copies everything in the data directory's store (projects, runs and their history,"
            + " tasks",
        "with their outputs, the ledger, events, alerts, the logs' copy and the spans) into an"
            + " empty",
        "PostgreSQL database, in one transaction that commits only when every table's count and",
        "the ledger's cost totals equal the source's. A database that holds anything is refused.",
        "The sign-in comes from store.user and store.password or store.password_file (or their",
        "BOOK_CREATOR_STORE_* variables), never from the URL. Stop the pipeline first: the copy",
        "takes the data directory's lock. Afterwards set store.url to the same URL, and every",
        "command, resume included, works on the copy. See docs/scaling.md."
      })
  static final class Copy implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Options options = new Options();

    @Option(
        names = "--to",
        paramLabel = "URL",
        description =
            "The target, jdbc:postgresql://HOST[:PORT]/DATABASE (default: the store.url setting).")
    String to;

    @Option(names = "--json", description = "One JSON document for machines.")
    boolean json;

    @Override
    public Integer call() {
      Map<Setting<?>, String> more = new HashMap<>();
      if (to != null) more.put(Setting.STORE_URL, to);
      Settings settings = options.load(more);
      PostgresDatabase.Settings target =
          settings
              .postgresStore()
              .orElseThrow(
                  () ->
                      new Main.UsageException(
                          "store copy needs a target: --to jdbc:postgresql://HOST/DATABASE (or"
                              + " the store.url setting)"));
      Path dataDir = settings.dataDir();
      if (!Files.exists(dataDir.resolve(SqliteStore.DB_FILE))) {
        throw new Main.UsageException(
            "no store in " + dataDir + " to copy; name the data directory with --data-dir");
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      long started = System.nanoTime();
      if (!json) out.println("copying " + dataDir + " into " + target.where());
      StoreCopy.Report report =
          Engine.copyStore(
              settings,
              target,
              line -> {
                if (!json) {
                  out.println("  " + line);
                  out.flush();
                }
              });
      long millis = (System.nanoTime() - started) / 1_000_000;
      String cost = report.ledgerCostUsd().toPlainString();
      if (json) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("source", dataDir.toString());
        doc.put("target", target.where());
        Map<String, Long> tables = new LinkedHashMap<>();
        report.tables().forEach(t -> tables.put(t.name(), t.rows()));
        doc.put("tables", tables);
        doc.put("rows", report.rows());
        doc.put("ledger_calls", report.ledgerRows());
        doc.put("ledger_cost_usd", cost);
        doc.put("millis", millis);
        out.println(Json.write(doc));
      } else {
        out.println(
            "verified: "
                + report.tables().size()
                + " tables, "
                + report.rows()
                + " rows; ledger "
                + report.ledgerRows()
                + " calls, $"
                + cost
                + " on both sides ("
                + millis
                + " ms)");
        out.println("next: set store.url (or BOOK_CREATOR_STORE_URL) to " + target.url());
      }
      out.flush();
      err.flush();
      return ExitCodes.OK;
    }
  }
}
