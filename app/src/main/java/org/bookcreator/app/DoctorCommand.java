package org.bookcreator.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.bookcreator.core.alert.Notifier;
import org.bookcreator.core.store.StoreDamagedException;
import org.bookcreator.core.store.StoreException;
import org.bookcreator.core.store.StoreLockedException;
import org.bookcreator.core.support.Json;
import org.bookcreator.notify.DesktopNotifier;
import org.bookcreator.notify.EmailNotifier;
import org.bookcreator.notify.WebhookNotifier;
import org.bookcreator.providers.HttpProviderSettings;
import org.bookcreator.providers.ProviderSettings;
import org.bookcreator.store.postgres.PostgresDatabase;
import org.bookcreator.store.sqlite.SqliteStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ArrayNode;

@Command(
    name = "doctor",
    header = "Check configuration, store, ports, providers and notifiers, and say what to fix.",
    description = {
      "Check what Book Creator needs, and say what to fix: the configuration (unknown keys, bad",
      "values, missing secrets), the store (reachable, migrated, writable, locked, disk space, and",
      "SQLite's integrity check of book-creator.db, logs.db and spans.db),",
      "the ports of serve, whether each configured provider answers, and each notifier (the SMTP",
      "server takes a login, a webhook's host a connection, the desktop has a session and",
      "notify-send; nothing is sent). Secrets are never printed.",
      "Exit code 0 when nothing failed (warnings allowed), 2 for configuration, 3 for the store,",
      "1 for anything else."
    },
    mixinStandardHelpOptions = true)
final class DoctorCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();

  @Option(names = "--json", description = "The checks as JSON for machines.")
  boolean json;

  @Option(
      names = "--offline",
      description = "Skip the checks that need the network: providers, OTLP, SMTP, webhooks.")
  boolean offline;

  enum Status {
    OK,
    WARN,
    FAIL
  }

  record Check(String area, Status status, String what, String fix) {}

  private static final String DAMAGED = "docs/runbooks/damaged-store.md";

  @Override
  public Integer call() {
    List<Check> checks = new ArrayList<>();
    Settings settings;
    try {
      settings = options.load(Map.of());
      checks.add(
          new Check(
              "config",
              Status.OK,
              "configuration valid ("
                  + (options.config != null ? options.config : "defaults and environment")
                  + ")",
              ""));
    } catch (Settings.ConfigException e) {
      for (String p : e.problems)
        checks.add(
            new Check(
                "config", Status.FAIL, p, "fix the value named (keys: docs/configuration.md)"));
      return report(checks, ExitCodes.BAD_INPUT);
    }
    Observability.Observed observed = Observability.start(settings, Observability.Mode.READER);
    int failCode = ExitCodes.OK;
    failCode = Math.max(failCode, store(settings, observed, checks));
    ports(settings, checks);
    if (!offline) {
      providers(settings, checks);
      otlp(checks);
    }
    notifiers(settings, checks, offline);
    boolean anyFail = checks.stream().anyMatch(c -> c.status() == Status.FAIL);
    return report(
        checks,
        !anyFail ? ExitCodes.OK : failCode != ExitCodes.OK ? failCode : ExitCodes.RUN_FAILED);
  }

  private int report(List<Check> checks, int code) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ArrayNode arr = Json.MAPPER.createArrayNode();
      for (Check c : checks)
        arr.addObject()
            .put("area", c.area())
            .put("status", c.status().name().toLowerCase())
            .put("check", c.what())
            .put("fix", c.fix());
      out.println(Json.write(arr));
    } else {
      for (Check c : checks) {
        out.printf("%-4s %-9s %s%n", c.status(), c.area(), Text.clean(c.what()));
        if (!c.fix().isEmpty() && c.status() != Status.OK)
          out.printf("%-14s fix: %s%n", "", c.fix());
      }
      long fails = checks.stream().filter(c -> c.status() == Status.FAIL).count();
      long warns = checks.stream().filter(c -> c.status() == Status.WARN).count();
      out.printf("%n%d check(s): %d failed, %d warning(s)%n", checks.size(), fails, warns);
    }
    out.flush();
    return code;
  }

  /**
   * The data directory, then the store through the composition root as a reading command opens it
   * and as a pipeline process does (exclusively, closed at once: whether another process holds the
   * lock is the question). The reader telemetry is a no-op, so closing each engine costs nothing.
   */
  private static int store(Settings settings, Observability.Observed observed, List<Check> checks) {
    Optional<PostgresDatabase.Settings> postgres;
    try {
      postgres = settings.postgresStore();
    } catch (StoreException e) {
      checks.add(new Check("store", Status.FAIL, e.getMessage(), "fix store.password_file"));
      return ExitCodes.STORE;
    }
    if (postgres.isPresent()) return postgres(postgres.get(), checks);
    Path dir = settings.dataDir();
    if (!Files.exists(dir)) {
      checks.add(
          new Check(
              "store",
              Status.WARN,
              "data directory " + dir + " does not exist yet",
              "it is created on first use; or choose one with --data-dir"));
      return ExitCodes.OK;
    }
    if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
      checks.add(
          new Check(
              "store",
              Status.FAIL,
              "data directory " + dir + " is not a writable directory",
              "fix its permissions or choose another with --data-dir"));
      return ExitCodes.STORE;
    }
    try {
      Path probe = Files.createTempFile(dir, ".doctor-", ".tmp");
      Files.delete(probe);
      checks.add(
          new Check(
              "store", Status.OK, "data directory " + dir.toAbsolutePath() + " is writable", ""));
    } catch (IOException e) {
      checks.add(
          new Check(
              "store",
              Status.FAIL,
              "cannot write in " + dir + ": " + e.getMessage(),
              "fix its permissions or free space"));
      return ExitCodes.STORE;
    }
    try {
      FileStore fs = Files.getFileStore(dir);
      long free = fs.getUsableSpace();
      Status st = free < 100L << 20 ? Status.FAIL : free < 1L << 30 ? Status.WARN : Status.OK;
      checks.add(
          new Check(
              "store",
              st,
              String.format("%,d MiB free on the data directory's disk", free >> 20),
              "free space: delete old logs (logging.store_max_age), old manuscripts, or move"
                  + " --data-dir"));
      if (st == Status.FAIL) return ExitCodes.STORE;
    } catch (IOException e) {
      checks.add(
          new Check("store", Status.WARN, "cannot tell the free space: " + e.getMessage(), ""));
    }
    List<String> damaged = damagedFiles(dir, checks);
    if (damaged.contains(SqliteStore.DB_FILE)) return ExitCodes.STORE; // opening says no more
    if (!Engine.storeExists(settings)) {
      checks.add(
          new Check(
              "store",
              Status.OK,
              "no store yet in " + dir + " (created and migrated on first use)",
              ""));
      return damaged.isEmpty() ? ExitCodes.OK : ExitCodes.STORE;
    }
    try (Engine engine = Engine.open(settings, observed, Engine.Use.SHARED)) {
      checks.add(
          new Check(
              "store",
              Status.OK,
              "store opens and is migrated (schema version "
                  + engine.store.schemaVersion()
                  + "), "
                  + engine.store.projects().size()
                  + " project(s)",
              ""));
    } catch (StoreException e) {
      checks.add(new Check("store", Status.FAIL, "store unusable: " + e.getMessage(), runbook(e)));
      return ExitCodes.STORE;
    }
    try (Engine exclusive = Engine.open(settings, observed, Engine.Use.EXCLUSIVE)) {
      checks.add(
          new Check(
              "store", Status.OK, "no other Book Creator process holds the data directory", ""));
    } catch (StoreLockedException e) {
      checks.add(
          new Check(
              "store",
              Status.WARN,
              e.getMessage(),
              "fine while serve runs; run, demo and resume need it free"));
    } catch (StoreException e) {
      checks.add(new Check("store", Status.FAIL, e.getMessage(), runbook(e)));
      return ExitCodes.STORE;
    }
    return damaged.isEmpty() ? ExitCodes.OK : ExitCodes.STORE;
  }

  /**
   * A PostgreSQL store: reachable with the sign-in given, its schema version against this build's,
   * and whether the role may create the tables a new store needs. Nothing is changed.
   */
  private static int postgres(PostgresDatabase.Settings pg, List<Check> checks) {
    PostgresDatabase.Health health;
    try {
      health = PostgresDatabase.check(pg);
    } catch (StoreException e) {
      checks.add(
          new Check(
              "store", Status.FAIL, e.getMessage(), "see docs/runbooks/store-unreachable.md"));
      return ExitCodes.STORE;
    }
    checks.add(
        new Check(
            "store",
            Status.OK,
            "PostgreSQL "
                + health.server()
                + " at "
                + pg.where()
                + " answers; signed in as "
                + health.user(),
            ""));
    if (health.schemaVersion() > health.latestVersion()) {
      checks.add(
          new Check(
              "store",
              Status.FAIL,
              "the database's schema is version "
                  + health.schemaVersion()
                  + ", newer than this build's "
                  + health.latestVersion(),
              "use a newer Book Creator with this database"));
      return ExitCodes.STORE;
    }
    boolean current = health.schemaVersion() == health.latestVersion();
    checks.add(
        new Check(
            "store",
            Status.OK,
            health.schemaVersion() == 0
                ? "no store in the database yet (created and migrated on first use)"
                : "schema version "
                    + health.schemaVersion()
                    + (current
                        ? " (current)"
                        : ", migrated to " + health.latestVersion() + " on first use"),
            ""));
    if (!current && !health.canCreate()) {
      checks.add(
          new Check(
              "store",
              Status.FAIL,
              "role " + health.user() + " may not create tables in the database's schema",
              "GRANT CREATE ON SCHEMA to it, or migrate once as the schema's owner"));
      return ExitCodes.STORE;
    }
    upkeep(pg, health, checks);
    return ExitCodes.OK;
  }

  /**
   * What keeps a PostgreSQL store quick: autovacuum clears the rows every claim and completion
   * leaves dead (the queue's indexes keep them until a vacuum, and each claim steps over them) and
   * keeps the planner's statistics; and the pool must fit in the connections the server allows.
   */
  private static void upkeep(
      PostgresDatabase.Settings pg, PostgresDatabase.Health health, List<Check> checks) {
    if (!health.autovacuum()) {
      checks.add(
          new Check(
              "store",
              Status.WARN,
              "autovacuum is off on the server: nothing clears the rows claims and completions"
                  + " leave dead or refreshes the planner's statistics, and claims slow down as"
                  + " they pile up",
              "turn it on (autovacuum = on in postgresql.conf, or ALTER SYSTEM SET autovacuum = on"
                  + " and SELECT pg_reload_conf()), or run VACUUM ANALYZE on a schedule"));
    } else if (!health.tablesWithoutAutovacuum().isEmpty()) {
      checks.add(
          new Check(
              "store",
              Status.WARN,
              "autovacuum is off for table(s) "
                  + String.join(", ", health.tablesWithoutAutovacuum()),
              "ALTER TABLE <table> RESET (autovacuum_enabled) for each"));
    } else {
      checks.add(new Check("store", Status.OK, "autovacuum on", ""));
    }
    if (pg.poolSize() > health.connections()) {
      checks.add(
          new Check(
              "store",
              Status.WARN,
              "store.pool_size "
                  + pg.poolSize()
                  + " is more than the "
                  + health.connections()
                  + " connections the server allows (max_connections less"
                  + " superuser_reserved_connections)",
              "lower store.pool_size, or raise max_connections; every process of the store has a"
                  + " pool of its own"));
    } else {
      checks.add(
          new Check(
              "store",
              Status.OK,
              "a pool of up to "
                  + pg.poolSize()
                  + " connection(s) of the "
                  + health.connections()
                  + " the server allows, for this process",
              ""));
    }
  }

  /**
   * SQLite's integrity check of each database file there is (the store, logs.db, spans.db), each
   * reported by name; returns the names of the damaged ones.
   */
  private static List<String> damagedFiles(Path dir, List<Check> checks) {
    List<String> damaged = new ArrayList<>();
    for (SqliteStore.FileCheck f : SqliteStore.checkIntegrity(dir)) {
      if (f.damage().isPresent()) {
        damaged.add(f.file());
        checks.add(new Check("store", Status.FAIL, f.damage().get(), "see " + DAMAGED));
      } else {
        checks.add(
            new Check(
                "store",
                Status.OK,
                String.format(
                    "%s passes SQLite's integrity check (%,d KiB)", f.file(), f.bytes() >> 10),
                ""));
      }
    }
    return damaged;
  }

  private static String runbook(StoreException e) {
    return "see "
        + (e instanceof StoreDamagedException ? DAMAGED : "docs/runbooks/store-full-or-locked.md");
  }

  private static void ports(Settings settings, List<Check> checks) {
    String host = settings.get(Setting.HTTP_HOST);
    if (!host.equals("127.0.0.1")
        && !host.equals("localhost")
        && !host.equals("::1")
        && settings.get(Setting.HTTP_TOKEN).isEmpty()) {
      checks.add(
          new Check(
              "ports",
              Status.FAIL,
              "http.host is "
                  + host
                  + " (not loopback) and http.token is not set: serve will refuse to start",
              "set BOOK_CREATOR_HTTP_TOKEN (16+ characters) or bind to 127.0.0.1"));
    }
    port(checks, host, settings.get(Setting.HTTP_PORT), "http.port (API and /metrics)");
    int worker = settings.get(Setting.WORKER_PORT);
    if (worker >= 0) {
      port(
          checks,
          settings.get(Setting.WORKER_HOST),
          worker,
          "worker.metrics_port (/metrics of serve --role worker)");
    }
  }

  private static void port(List<Check> checks, String host, int port, String what) {
    if (port == 0) {
      checks.add(new Check("ports", Status.OK, what + " is 0: a free port is picked at start", ""));
      return;
    }
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(host, port));
      checks.add(new Check("ports", Status.OK, what + " " + host + ":" + port + " is free", ""));
    } catch (IOException e) {
      boolean ours = answers("http://" + host + ":" + port + "/healthz");
      checks.add(
          new Check(
              "ports",
              Status.WARN,
              what
                  + " "
                  + host
                  + ":"
                  + port
                  + " is in use"
                  + (ours ? " by a Book Creator serve (it answers /healthz)" : ""),
              ours
                  ? "nothing to do if that is your serve; else start serve with --port 0 /"
                      + " --worker-port 0 for free ports, or pick others"
                  : "stop what holds it, or start serve with --port 0 / --worker-port 0 for free"
                      + " ports, or pick others"));
    }
  }

  private static boolean answers(String url) {
    try {
      HttpResponse<Void> r =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(2))
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException | InterruptedException | IllegalArgumentException e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The OTLP endpoint of the standard variables, when set: can a connection be opened? */
  private static void otlp(List<Check> checks) {
    Map<String, String> env =
        Options.ENVIRONMENT.get() != null ? Options.ENVIRONMENT.get() : System.getenv();
    String endpoint =
        env.getOrDefault(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", env.get("OTEL_EXPORTER_OTLP_ENDPOINT"));
    if (endpoint == null || endpoint.isBlank()) return;
    try {
      URI u = URI.create(endpoint.strip());
      int port = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(new InetSocketAddress(u.getHost(), port), 3000);
      }
      checks.add(
          new Check(
              "telemetry",
              Status.OK,
              "OTLP endpoint " + u.getHost() + ":" + port + " accepts connections",
              ""));
    } catch (IOException | IllegalArgumentException e) {
      checks.add(
          new Check(
              "telemetry",
              Status.WARN,
              "OTLP endpoint "
                  + Text.clean(endpoint)
                  + " is unreachable: "
                  + e.getClass().getSimpleName(),
              "start the collector, or unset OTEL_EXPORTER_OTLP_ENDPOINT (spans are still kept in"
                  + " data/spans.db)"));
    }
  }

  /**
   * Each configured notifier, by name, without notifying anyone: the e-mail one connects, starts
   * TLS and logs in, then quits; a webhook's host accepts a connection (both skipped with
   * --offline); the desktop one has a session and its tool.
   */
  private static void notifiers(Settings settings, List<Check> checks, boolean offline) {
    for (Notifier n : settings.notifiers()) {
      switch (n) {
        case EmailNotifier e when !offline -> checks.add(email(e));
        case WebhookNotifier w when !offline -> checks.add(webhook(w));
        case DesktopNotifier d -> checks.add(desktop(d));
        default -> {}
      }
    }
  }

  private static Check email(EmailNotifier e) {
    return notifier(
        e,
        e.connectionProblem(),
        Status.FAIL,
        "check notify.email.* (docs/alerts.md, Email); the password is never printed",
        () ->
            "SMTP "
                + e.server()
                + " accepts the connection"
                + e.username().map(u -> " and the login of " + u).orElse("")
                + "; no mail sent");
  }

  private static Check webhook(WebhookNotifier w) {
    return notifier(
        w,
        w.connectionProblem(),
        Status.FAIL,
        "check the URL in notify.webhooks and the network",
        () -> w.target() + " accepts connections; nothing sent");
  }

  private static Check desktop(DesktopNotifier d) {
    return notifier(
        d,
        d.unavailable().map(p -> p + "; its notifications will not show"),
        Status.WARN,
        "run on a desktop session, install notify-send (libnotify-bin), or set notify.desktop:"
            + " false",
        () -> d.tool().orElseThrow() + " is there, with a desktop session");
  }

  /** A notifier's check, named by the notifier: its problem with the fix, else what is fine. */
  private static Check notifier(
      Notifier n, Optional<String> problem, Status bad, String fix, Supplier<String> fine) {
    String who = n.name() + " notifier: ";
    return problem
        .map(p -> new Check("notify", bad, who + p, fix))
        .orElseGet(() -> new Check("notify", Status.OK, who + fine.get(), ""));
  }

  private static void providers(Settings settings, List<Check> checks) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ProviderSettings providers = settings.providers();
    for (String name : providers.inUse()) {
      Optional<HttpProviderSettings> remote = providers.http(name);
      if (remote.isEmpty()) {
        checks.add(
            new Check("provider", Status.OK, name + " provider: built in, nothing to reach", ""));
        continue;
      }
      HttpProviderSettings p = remote.get();
      String base = p.baseUrl().toString().replaceAll("/+$", "");
      HttpRequest.Builder req =
          HttpRequest.newBuilder(
                  URI.create(
                      p.provider().equals("anthropic") ? base + "/v1/models" : base + "/models"))
              .timeout(Duration.ofSeconds(10))
              .GET();
      if (p.provider().equals("anthropic")) {
        p.apiKey().ifPresent(k -> req.header("x-api-key", k));
        req.header("anthropic-version", "2023-06-01");
      } else {
        p.apiKey().ifPresent(k -> req.header("Authorization", "Bearer " + k));
      }
      String env = p.provider().equals("anthropic") ? "ANTHROPIC" : "OPENAI";
      try {
        HttpResponse<Void> r = http.send(req.build(), HttpResponse.BodyHandlers.discarding());
        int code = r.statusCode();
        if (code / 100 == 2) {
          checks.add(
              new Check(
                  "provider",
                  Status.OK,
                  p.provider() + " at " + base + " answers (HTTP " + code + ")",
                  ""));
        } else if (code == 401 || code == 403) {
          checks.add(
              new Check(
                  "provider",
                  Status.FAIL,
                  p.provider() + " at " + base + " refuses the key (HTTP " + code + ")",
                  "check " + env + "_API_KEY (it is never printed here)"));
        } else if (code == 404) {
          checks.add(
              new Check(
                  "provider",
                  Status.WARN,
                  p.provider() + " at " + base + " answers, but has no models endpoint (HTTP 404)",
                  "fine for some compatible servers; check " + env + "_BASE_URL if calls fail"));
        } else {
          checks.add(
              new Check(
                  "provider",
                  Status.WARN,
                  p.provider() + " at " + base + " answers HTTP " + code,
                  "see docs/runbooks/provider-errors.md"));
        }
      } catch (IOException e) {
        checks.add(
            new Check(
                "provider",
                Status.FAIL,
                p.provider()
                    + " at "
                    + base
                    + " is unreachable: "
                    + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()),
                "check " + env + "_BASE_URL and the network"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
