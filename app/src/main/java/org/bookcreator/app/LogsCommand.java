package org.bookcreator.app;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bookcreator.core.store.LogQuery;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.store.StoredLog;
import org.bookcreator.core.support.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(
    name = "logs",
    header = "Query the logs: filter by run, stage, role, level, time, text; --follow.",
    description = {
      "Query the indexed copy of the logs (data/logs.db): filter by project, run, stage, agent"
          + " role,",
      "provider, level, time, trace id, request id and message text; newest first, a page at a"
          + " time;",
      "--follow prints new records as they arrive. Text for people, --json for JSON lines."
    },
    mixinStandardHelpOptions = true)
final class LogsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final List<String> EXTRA =
      List.of(
          "provider",
          "model",
          "latency_ms",
          "input_tokens",
          "output_tokens",
          "cost_usd",
          "error_type",
          "request_id",
          "task_id");

  @Spec CommandSpec spec;
  @Mixin Options options = new Options();

  @Option(names = "--project", paramLabel = "ID", description = "Only this project's records.")
  String project;

  @Option(names = "--run", paramLabel = "RUN", description = "Only this run's records.")
  String run;

  @Option(
      names = "--stage",
      paramLabel = "STAGE",
      description = "Only this stage (e.g. chapter_writing).")
  String stage;

  @Option(
      names = "--role",
      paramLabel = "ROLE",
      description = "Only this agent role (e.g. writer, critic).")
  String role;

  @Option(
      names = "--provider",
      paramLabel = "NAME",
      description = "Only model calls to this provider.")
  String provider;

  @Option(
      names = "--level",
      paramLabel = "LEVEL",
      description =
          "Least severe level shown: TRACE, DEBUG, INFO, WARN or ERROR (default: all stored).")
  String level;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description =
          "From this time: 2026-11-28T05:00:00Z, 2026-11-28, or back from now: 30m, 2h, 7d.")
  String since;

  @Option(
      names = "--until",
      paramLabel = "TIME",
      description = "Before this time (same forms as --since).")
  String until;

  @Option(
      names = "--trace",
      paramLabel = "TRACE_ID",
      description = "Only records of this trace (a run's trace id: bin/book-creator trace RUN).")
  String trace;

  @Option(
      names = "--request",
      paramLabel = "REQUEST_ID",
      description = "Only records caused by this API request (its X-Request-Id).")
  String request;

  @Option(
      names = "--grep",
      paramLabel = "TEXT",
      description = "Only records whose message contains TEXT (case-insensitive for ASCII).")
  String grep;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "50",
      description = "Records per page, 1..1000 (default: ${DEFAULT-VALUE}).")
  String limit;

  @Option(
      names = "--before",
      paramLabel = "ID",
      description = "The page before this record id (the next page of a previous query).")
  String before;

  @Option(
      names = "--follow",
      description =
          "After the newest page, keep printing new records as they arrive (Ctrl-C stops).")
  boolean follow;

  @Option(names = "--json", description = "JSON lines: each record as written to the log file.")
  boolean json;

  @Override
  public Integer call() throws InterruptedException {
    Settings settings = options.load(Map.of());
    LogQuery query = query(Instant.now());
    PrintWriter out = spec.commandLine().getOut();
    Optional<Engine> opened = Engine.read(settings);
    if (opened.isEmpty()) {
      if (!json)
        out.println("no logs in " + settings.dataDir() + " yet; try: bin/book-creator demo");
      out.flush();
      return ExitCodes.OK;
    }
    try (Engine engine = opened.get()) {
      Store store = engine.store;
      List<StoredLog> page = store.logs(query);
      if (follow) {
        // Oldest first on screen, then what arrives after the newest.
        for (int i = page.size() - 1; i >= 0; i--) print(out, page.get(i));
        out.flush();
        long last = page.isEmpty() ? 0 : page.get(0).id();
        while (!Thread.currentThread().isInterrupted()) {
          for (StoredLog l :
              store.logs(
                  new LogQuery(
                      query.projectId(),
                      query.runId(),
                      query.stage(),
                      query.agentRole(),
                      query.provider(),
                      query.minLevel(),
                      query.since(),
                      query.until(),
                      query.traceId(),
                      query.requestId(),
                      query.text(),
                      Optional.empty(),
                      Optional.of(last),
                      1000))) {
            print(out, l);
            last = l.id();
          }
          out.flush();
          Thread.sleep(500);
        }
        return ExitCodes.OK;
      }
      for (StoredLog l : page) print(out, l);
      if (page.isEmpty() && !json) out.println("no log records match");
      if (page.size() == query.limit() && !json)
        out.println("-- more: add --before " + page.get(page.size() - 1).id());
    }
    out.flush();
    return ExitCodes.OK;
  }

  LogQuery query(Instant now) {
    int limit = Flags.wholeNumber("--limit", this.limit, 1, 1000);
    if (level != null) {
      try {
        org.bookcreator.telemetry.LogLine.severity(level);
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException("--level: " + e.getMessage());
      }
    }
    return new LogQuery(
        opt(project),
        opt(run),
        opt(stage),
        opt(role),
        opt(provider),
        opt(level).map(l -> l.toUpperCase(java.util.Locale.ROOT)),
        time("--since", since, now),
        time("--until", until, now),
        opt(trace),
        opt(request),
        opt(grep),
        Optional.ofNullable(before).map(b -> Flags.wholeNumber("--before", b, 1, Long.MAX_VALUE)),
        Optional.empty(),
        limit);
  }

  private static Optional<String> opt(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
  }

  private static Optional<Instant> time(String flag, String value, Instant now) {
    if (value == null) return Optional.empty();
    try {
      return Optional.of(LogQuery.time(value, now));
    } catch (IllegalArgumentException e) {
      throw new Main.UsageException(flag + ": " + e.getMessage());
    }
  }

  private void print(PrintWriter out, StoredLog l) {
    if (json) {
      out.println(l.line().json());
      return;
    }
    out.println(render(l));
  }

  /** One line for people: time, level, run, stage, role, message, then the call's figures. */
  static String render(StoredLog l) {
    JsonNode n;
    try {
      n = Json.parse(l.line().json());
    } catch (RuntimeException e) {
      return l.id() + " " + Text.clean(l.line().json());
    }
    StringBuilder sb = new StringBuilder();
    sb.append(TS.format(Instant.ofEpochMilli(l.line().tsMillis())))
        .append(' ')
        .append(String.format("%-5s", l.line().level()))
        .append(' ');
    String ctx =
        String.join(
            " ",
            java.util.stream.Stream.of(l.line().runId(), l.line().stage(), l.line().agentRole())
                .filter(x -> x != null)
                .toList());
    if (!ctx.isEmpty()) sb.append('[').append(Text.clean(ctx)).append("] ");
    sb.append(Text.clean(n.path("message").asString("")));
    StringBuilder extra = new StringBuilder();
    for (String k : EXTRA) {
      JsonNode v = n.get(k);
      if (v != null && !v.isNull())
        extra.append(' ').append(k).append('=').append(Text.clean(v.asString()));
    }
    if (!extra.isEmpty()) sb.append("  {").append(extra.substring(1)).append('}');
    if (n.has("stack_trace")) sb.append("  (stack trace: --json)");
    sb.append("  #").append(l.id());
    return sb.toString();
  }
}
