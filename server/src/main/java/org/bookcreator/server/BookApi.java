package org.bookcreator.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.bookcreator.core.alert.NotifierTests;
import org.bookcreator.core.alert.ReceivedAlerts;
import org.bookcreator.core.alert.Silence;
import org.bookcreator.core.alert.Silences;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.ops.RunService;
import org.bookcreator.core.project.Brief;
import org.bookcreator.core.project.BriefException;
import org.bookcreator.core.project.BriefParser;
import org.bookcreator.core.project.Categories;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.RestartPlan;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.store.Page;
import org.bookcreator.core.store.ProjectFilter;
import org.bookcreator.core.store.RunFilter;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import org.bookcreator.core.support.Numbers;
import org.bookcreator.core.support.VisibleText;
import org.bookcreator.core.view.AnalyticsQueries;
import org.bookcreator.core.view.CostReports;
import org.bookcreator.core.view.LibraryQueries;
import org.bookcreator.core.view.OperationsQueries;
import org.bookcreator.core.view.RunView;
import org.bookcreator.core.view.SilenceView;
import org.bookcreator.core.view.ViewJson;
import org.bookcreator.telemetry.LogContext;
import org.bookcreator.telemetry.Redactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The endpoints of the JSON API (docs/api.md): projects, reference uploads, runs and their actions,
 * traces, health and readiness.
 */
public final class BookApi {
  private static final Logger log = LoggerFactory.getLogger(BookApi.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");
  private static final Pattern DOCUMENT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._ -]{0,119}");
  private static final Map<String, Set<String>> TYPES_BY_EXTENSION =
      Map.of(
          "md", Set.of("text/markdown", "text/x-markdown", "text/plain"),
          "markdown", Set.of("text/markdown", "text/x-markdown", "text/plain"),
          "txt", Set.of("text/plain"),
          "html", Set.of("text/html"),
          "htm", Set.of("text/html"),
          "pdf", Set.of("application/pdf"));
  private static final Set<String> JSON_TYPES = Set.of("application/json");
  private static final Set<String> BRIEF_TYPES =
      Set.of("application/json", "application/yaml", "application/x-yaml", "text/yaml");

  /**
   * What the API calls: the use cases ({@code runs}), the read models' query services (the same
   * ones the command line and the dashboard read), the store for health checks and uploads, and the
   * redactor that masks credentials in uploaded text documents.
   */
  public record Services(
      Store store,
      RunService runs,
      LibraryQueries library,
      OperationsQueries operations,
      CostReports costs,
      BriefParser briefs,
      Categories categories,
      InstantSource clock,
      Path dataDir,
      Redactor redactor,
      Silences silences,
      ReceivedAlerts receivedAlerts,
      NotifierTests notifierTests) {}

  private final Services s;

  public BookApi(Services services) {
    this.s = services;
  }

  /** Declares the endpoints, grouped by feature. */
  void addRoutes(ApiRoutes routes) {
    health(routes);
    projects(routes);
    new OverviewApi(s).addRoutes(routes);
    runs(routes);
    observability(routes);
    alerting(routes);
    new OperationsApi(s).addRoutes(routes);
    new ConversationApi(s).addRoutes(routes);
    new AnalyticsApi(s.costs(), new AnalyticsQueries(s.store()), s.clock()).addRoutes(routes);
  }

  private void health(ApiRoutes routes) {
    routes
        .get("/healthz", r -> ApiResponse.ok(Json.object().put("status", "ok")))
        .get("/readyz", this::ready);
  }

  private void projects(ApiRoutes routes) {
    routes
        .post("/api/projects", this::createProject)
        .get("/api/projects", this::listProjects)
        .get("/api/projects/{id}", this::getProject)
        .upload("/api/projects/{id}/documents", this::uploadDocument)
        .post("/api/projects/{id}/runs", this::startRun);
  }

  private void runs(ApiRoutes routes) {
    routes
        .get("/api/runs", this::listRuns)
        .get("/api/runs/{id}", this::getRun)
        .post("/api/runs/{id}/cancel", this::cancelRun)
        .post("/api/runs/{id}/restart", this::restartRun)
        .events(
            "/api/events",
            LiveEvents.of(s.store(), s.operations(), s.clock(), routes.streams().timing().poll())
                ::feed);
  }

  private void observability(ApiRoutes routes) {
    routes
        .get("/api/runs/{id}/trace", this::trace)
        .get("/api/runs/{id}/diagnosis", this::diagnosis)
        .get("/api/stalls", this::stalls)
        .get("/api/alerts", this::alerts)
        .get("/api/alerts/history", this::alertHistory)
        .get("/api/costs", this::costReport)
        .get("/api/logs", this::logs);
  }

  private void alerting(ApiRoutes routes) {
    routes
        .get("/api/silences", this::silences)
        .post("/api/silences", this::silence)
        .delete("/api/silences/{id}", this::unsilence)
        .post("/api/alertmanager", this::fromAlertmanager)
        .post("/api/alerts/test", this::testNotification);
  }

  private ApiResponse ready(ApiRequest r) {
    Optional<String> why = s.store().unavailable();
    if (why.isPresent()) return notReady(why.get());
    return ApiResponse.ok(
        Json.object().put("status", "ready").put("schema_version", s.store().schemaVersion()));
  }

  /**
   * The answer of {@code /readyz} while the store cannot be used: 503, naming the store, with why
   * ({@code reason}) in the message.
   */
  static ApiResponse notReady(String reason) {
    return new ApiResponse(
        503,
        Json.object()
            .put("error", "not_ready")
            .put("message", "the store is not usable: " + reason)
            .set(
                "details",
                Json.MAPPER
                    .createArrayNode()
                    .add(Json.object().put("component", "store").put("reason", reason))),
        Map.of());
  }

  // ---- projects

  private ApiResponse createProject(ApiRequest r) {
    String type = mediaType(r, BRIEF_TYPES);
    String text = utf8(r.body(), "the brief");
    if (text.isBlank())
      throw ApiError.badRequest("the request body is empty: send a brief (see docs/briefs.md)");
    Brief brief;
    try {
      brief = s.briefs().parse(text, type.equals("application/json"), s.dataDir(), "request body");
    } catch (BriefException e) {
      List<Map<String, String>> details = new ArrayList<>();
      for (String p : e.problems()) {
        int colon = p.indexOf(':');
        // "chapters: ..." or "references[2]: ...": the field is the name before any index.
        String field =
            colon > 0 && p.substring(0, colon).matches("[a-z_]+(\\[[0-9]+])?")
                ? p.substring(0, colon).replaceFirst("\\[[0-9]+]$", "")
                : "";
        details.add(
            field.isEmpty()
                ? Map.of("problem", p)
                : Map.of("field", field, "problem", p.substring(colon + 1).strip()));
      }
      throw new ApiError(
          400,
          "invalid_request",
          "the brief is invalid: " + String.join("; ", e.problems()),
          details);
    }
    if (!brief.references().isEmpty()) {
      throw ApiError.invalidField(
          "references",
          "upload reference documents with POST /api/projects/{id}/documents instead");
    }
    Project p = s.runs().createProject(brief, "over the API");
    return ApiResponse.created(view(s.library().project(p.id())), "/api/projects/" + p.id());
  }

  private ApiResponse listProjects(ApiRequest r) {
    Optional<String> category =
        r.queryParam("category").map(c -> c.strip().toLowerCase(Locale.ROOT));
    if (category.isPresent() && !s.categories().contains(category.get())) {
      throw ApiError.invalidField(
          "category",
          "unknown category '"
              + category.get()
              + "' (one of: "
              + String.join(", ", s.categories().sorted())
              + ")");
    }
    Optional<Stage> stage = r.queryParam("stage").map(BookApi::stage);
    Optional<String> status = r.queryParam("status").map(BookApi::status);
    int limit = r.intParam("limit", 50, 1, ProjectFilter.MAX_LIMIT);
    int offset = r.intParam("offset", 0, 0, 10_000_000);
    boolean noRun = status.filter("none"::equals).isPresent();
    ProjectFilter filter =
        new ProjectFilter(
            category,
            stage,
            status.filter(v -> !noRun).map(v -> RunState.valueOf(v.toUpperCase(Locale.ROOT))),
            noRun,
            limit,
            offset);
    return ApiResponse.ok(ViewJson.tree(s.library().projects(filter)));
  }

  private ApiResponse getProject(ApiRequest r) {
    return ApiResponse.ok(view(s.library().project(project(r.pathParam("id")).id())));
  }

  private ApiResponse uploadDocument(ApiRequest r) {
    Project p = project(r.pathParam("id"));
    String name =
        r.queryParam("name")
            .map(String::strip)
            .orElseThrow(
                () ->
                    ApiError.invalidField(
                        "name", "required: the document's file name, e.g. ?name=notes.md"));
    if (!DOCUMENT_NAME.matcher(name).matches() || name.contains("..")) {
      throw ApiError.invalidField(
          "name",
          "use 1 to 120 letters, digits, spaces, dots, dashes and underscores, starting with a"
              + " letter or digit");
    }
    int dot = name.lastIndexOf('.');
    String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    Set<String> types = TYPES_BY_EXTENSION.get(extension);
    if (types == null) {
      throw new ApiError(
          415,
          "unsupported_media_type",
          "unsupported document type '."
              + extension
              + "' (supported: .md, .markdown, .txt, .html, .htm, .pdf)");
    }
    String type = mediaType(r, types);
    byte[] body = r.body();
    if (body.length == 0)
      throw ApiError.badRequest("the request body is empty: send the document's bytes");
    if (type.equals("application/pdf")) {
      if (body.length < 5 || !new String(body, 0, 5, StandardCharsets.ISO_8859_1).equals("%PDF-")) {
        throw new ApiError(
            415, "unsupported_media_type", "the body is not a PDF: it does not start with %PDF-");
      }
    } else {
      for (byte b : body) {
        if (b == 0)
          throw new ApiError(
              415,
              "unsupported_media_type",
              "the body is binary (it holds NUL bytes), not " + type);
      }
      // A text document is kept with its credentials masked, as a brief is; a PDF's text is
      // masked when the run parses it.
      body = s.redactor().redact(utf8(body, "the document")).getBytes(StandardCharsets.UTF_8);
    }
    Path folder =
        s.dataDir()
            .toAbsolutePath()
            .normalize()
            .resolve("projects")
            .resolve(p.id())
            .resolve("references");
    Path target = folder.resolve(name);
    try {
      Files.createDirectories(folder);
      if (Files.exists(target))
        throw ApiError.conflict("project " + p.id() + " already has a document named " + name);
      Path tmp = Files.createTempFile(folder, ".upload-", ".part");
      try {
        Files.write(tmp, body);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not store the document " + name + " of project " + p.id(), e);
    }
    s.store().addReference(p.id(), target.toAbsolutePath().toString());
    ObjectNode o = Json.object();
    o.put("project_id", p.id());
    o.put("name", name);
    o.put("content_type", type);
    o.put("bytes", body.length);
    o.put("path", target.toAbsolutePath().toString());
    return ApiResponse.created(o, "/api/projects/" + p.id());
  }

  // ---- runs

  private ApiResponse startRun(ApiRequest r) {
    Project p = project(r.pathParam("id"));
    JsonNode body = jsonBody(r, false);
    String reason = text(body, "reason").orElse("started over the API");
    Run run;
    try {
      run = s.runs().start(p.id(), reason + " (request " + r.requestId() + ")");
    } catch (RunService.Conflict e) {
      throw ApiError.conflict(e.getMessage());
    }
    try (LogContext.Scope ignored =
        LogContext.with(LogContext.PROJECT_ID, p.id(), LogContext.RUN_ID, run.id())) {
      // The request's lines carry request_id, the run's lines carry run_id: this line carries both.
      log.info("run {} of project {} started over the API", run.id(), p.id());
    }
    return ApiResponse.accepted(runView(run.id()), "/api/runs/" + run.id());
  }

  private ApiResponse listRuns(ApiRequest r) {
    Optional<String> projectId = r.queryParam("project");
    projectId.ifPresent(this::project);
    Optional<String> state = r.queryParam("state").map(BookApi::status);
    int limit = r.intParam("limit", 50, 1, RunFilter.MAX_LIMIT);
    int offset = r.intParam("offset", 0, 0, 10_000_000);
    if (state.filter("none"::equals).isPresent()) {
      // "none" filters projects without runs; as a run state it matches nothing.
      return ApiResponse.ok(ViewJson.tree(new Page<RunView>(List.of(), 0, limit, offset)));
    }
    RunFilter filter =
        RunListParams.filter(
            r,
            state.map(v -> RunState.valueOf(v.toUpperCase(Locale.ROOT))),
            s.categories(),
            limit,
            offset);
    Page<RunView> page = s.library().runs(filter);
    ObjectNode body = (ObjectNode) ViewJson.tree(page);
    body.set("project_titles", ViewJson.tree(s.library().titles(page.items())));
    return ApiResponse.ok(body);
  }

  private ApiResponse getRun(ApiRequest r) {
    return ApiResponse.ok(runView(run(r.pathParam("id")).id()));
  }

  private ApiResponse cancelRun(ApiRequest r) {
    Run run = run(r.pathParam("id"));
    String reason = requiredReason(jsonBody(r, true));
    try (LogContext.Scope ignored =
        LogContext.with(LogContext.PROJECT_ID, run.projectId(), LogContext.RUN_ID, run.id())) {
      RunService.Cancelled c = s.runs().cancel(run.id(), reason);
      log.info(
          "run {} cancelled over the API (was {}; {} queued task(s) cancelled): {}",
          run.id(),
          c.was().name().toLowerCase(Locale.ROOT),
          c.tasksCancelled(),
          reason);
      ObjectNode o = (ObjectNode) ViewJson.tree(s.library().detail(c.run()));
      o.put("tasks_cancelled", c.tasksCancelled());
      return ApiResponse.ok(o);
    } catch (RunService.Conflict e) {
      throw ApiError.conflict(e.getMessage());
    }
  }

  private ApiResponse restartRun(ApiRequest r) {
    Run run = run(r.pathParam("id"));
    JsonNode body = jsonBody(r, true);
    String reason = requiredReason(body);
    Optional<BigDecimal> budget =
        text(body, "budget_usd")
            .map(b -> ApiRequest.number("budget_usd", () -> Numbers.budgetUsd(b)));
    Optional<Stage> fromStage =
        text(body, "from_stage")
            .map(
                st -> {
                  try {
                    return Stage.fromId(st.strip().toLowerCase(Locale.ROOT));
                  } catch (IllegalArgumentException e) {
                    throw ApiError.invalidField(
                        "from_stage", "unknown stage (one of: " + Stage.ids() + ")");
                  }
                });
    JsonNode dry = body.get("dry_run");
    if (dry != null && !dry.isBoolean() && !dry.isNull())
      throw ApiError.invalidField("dry_run", "must be true or false");
    boolean dryRun = dry != null && dry.asBoolean(false);
    try (LogContext.Scope ignored =
        LogContext.with(LogContext.PROJECT_ID, run.projectId(), LogContext.RUN_ID, run.id())) {
      RunService.Restarted done =
          s.runs()
              .restart(new RunService.RestartRequest(run.id(), fromStage, budget, reason, dryRun));
      if (done.dryRun()) {
        RestartPlan plan = done.plan();
        ObjectNode o = Json.object();
        o.put("run_id", run.id());
        o.put("dry_run", true);
        ArrayNode changes = o.putArray("changes");
        plan.describe().forEach(changes::add);
        o.put("revoke", plan.revoke().size());
        o.put("requeue", plan.requeue().size());
        o.put("supersede", plan.supersede().size());
        o.put("rewind", plan.rewind().size());
        return ApiResponse.ok(o);
      }
      Run restarted = done.run().orElseThrow();
      log.info(
          "run {} restarted over the API: {}", run.id(), String.join("; ", done.plan().describe()));
      return ApiResponse.accepted(runView(restarted.id()), "/api/runs/" + run.id());
    } catch (RunService.Conflict e) {
      throw ApiError.conflict(e.getMessage());
    }
  }

  private ApiResponse diagnosis(ApiRequest r) {
    Run run = run(r.pathParam("id"));
    return ApiResponse.ok(ViewJson.tree(s.operations().diagnosis(run, s.clock().instant())));
  }

  private ApiResponse stalls(ApiRequest r) {
    ObjectNode body = Json.object();
    body.set("items", ViewJson.tree(s.operations().stalls(s.clock().instant())));
    return ApiResponse.ok(body);
  }

  private ApiResponse alerts(ApiRequest r) {
    ObjectNode body = Json.object();
    body.set("items", ViewJson.tree(s.operations().alerts(s.clock().instant())));
    return ApiResponse.ok(body);
  }

  // ---- silences and alerts from Alertmanager

  private ApiResponse silences(ApiRequest r) {
    ObjectNode body = Json.object();
    body.set("items", ViewJson.tree(s.operations().silences(s.clock().instant())));
    return ApiResponse.ok(body);
  }

  private ApiResponse silence(ApiRequest r) {
    JsonNode body = jsonBody(r, true);
    JsonNode matchers = body.get("matchers");
    List<String> texts = new ArrayList<>();
    if (matchers != null && !matchers.isNull()) {
      if (!matchers.isArray())
        throw ApiError.invalidField(
            "matchers", "must be a list of strings such as \"alertname=RunFailed\"");
      for (JsonNode m : matchers) {
        if (!m.isString())
          throw ApiError.invalidField(
              "matchers", "must be a list of strings such as \"alertname=RunFailed\"");
        texts.add(m.asString());
      }
    }
    Silence silence;
    try {
      silence =
          s.silences()
              .create(
                  new Silences.Request(
                      texts,
                      text(body, "duration"),
                      text(body, "ends_at"),
                      text(body, "reason").orElse(""),
                      "api " + r.remoteAddress()));
    } catch (Silences.Invalid e) {
      throw ApiError.invalidField(e.field(), e.problem());
    }
    log.info(
        "silence {} created over the API until {}: {} ({})",
        silence.id(),
        silence.endsAt(),
        silence.matchers(),
        silence.reason());
    return ApiResponse.created(
        ViewJson.tree(SilenceView.of(silence)), "/api/silences/" + silence.id());
  }

  private ApiResponse unsilence(ApiRequest r) {
    String id = r.pathParam("id");
    if (id == null || !ID.matcher(id).matches()) throw ApiError.notFound("no such silence");
    Silence ended = s.silences().end(id).orElseThrow(() -> ApiError.notFound("no silence " + id));
    log.info("silence {} ended over the API", ended.id());
    return ApiResponse.ok(ViewJson.tree(SilenceView.of(ended)));
  }

  /** {@code {"notifier": NAME}}: a test notification through it now; 400 for an unknown one. */
  private ApiResponse testNotification(ApiRequest r) {
    JsonNode name = jsonBody(r, true).get("notifier");
    if (name == null || !name.isString() || name.asString().isBlank())
      throw ApiError.invalidField(
          "notifier",
          "required: the name of a configured notifier ("
              + String.join(", ", s.notifierTests().names())
              + ")");
    NotifierTests.Result result;
    try {
      result = s.notifierTests().send(name.asString());
    } catch (NotifierTests.Unknown e) {
      throw ApiError.invalidField("notifier", e.getMessage());
    }
    return ApiResponse.ok(ViewJson.tree(result));
  }

  private ApiResponse fromAlertmanager(ApiRequest r) {
    ReceivedAlerts.Group group = AlertmanagerWebhook.parse(jsonBody(r, true));
    ReceivedAlerts.Outcome outcome = s.receivedAlerts().receive(group);
    ObjectNode o = Json.object();
    if (outcome.duplicate()) {
      log.info("alerts from Alertmanager received again, nothing changed: {}", group.groupKey());
      return ApiResponse.ok(o.put("status", "duplicate"));
    }
    log.info(
        "{} {} alert(s) from Alertmanager recorded ({} move(s), {} notification(s)): {}",
        group.alerts().size(),
        group.status(),
        outcome.moves(),
        outcome.notifications(),
        group.groupKey());
    o.put("status", "recorded");
    o.put("alerts", group.alerts().size());
    o.put("notifications", outcome.notifications());
    return ApiResponse.ok(o);
  }

  private ApiResponse alertHistory(ApiRequest r) {
    java.time.Instant now = s.clock().instant();
    java.time.Instant since = time(r, "since", now).orElse(now.minus(java.time.Duration.ofDays(7)));
    ObjectNode body = Json.object();
    body.set(
        "items",
        ViewJson.tree(s.operations().alertHistory(since, r.intParam("limit", 100, 1, 10_000))));
    return ApiResponse.ok(body);
  }

  private ApiResponse trace(ApiRequest r) {
    return ApiResponse.ok(ViewJson.tree(s.operations().trace(run(r.pathParam("id")).id())));
  }

  // ---- costs

  private ApiResponse costReport(ApiRequest r) {
    Optional<String> projectId = r.queryParam("project");
    projectId.ifPresent(this::project);
    Optional<String> runId = r.queryParam("run");
    runId.ifPresent(this::run);
    Optional<String> category =
        r.queryParam("category").map(c -> c.strip().toLowerCase(Locale.ROOT));
    List<CostDimension> by = new ArrayList<>();
    for (String d :
        r.queryParam("by").filter(b -> !b.isBlank()).map(b -> b.split(",")).orElse(new String[0])) {
      try {
        CostDimension dim = CostDimension.parse(d.strip());
        if (by.contains(dim))
          throw ApiError.invalidField("by", "the dimension " + dim.id() + " is repeated");
        by.add(dim);
      } catch (IllegalArgumentException e) {
        throw ApiError.invalidField("by", e.getMessage());
      }
    }
    java.time.Instant now = s.clock().instant();
    CostQuery query =
        new CostQuery(projectId, runId, category, time(r, "since", now), time(r, "until", now), by);
    return ApiResponse.ok(ViewJson.tree(s.costs().report(query)));
  }

  // ---- logs

  private ApiResponse logs(ApiRequest r) {
    java.time.Instant now = s.clock().instant();
    Optional<String> level = r.queryParam("level").map(l -> l.strip().toUpperCase(Locale.ROOT));
    level.ifPresent(
        l -> {
          try {
            org.bookcreator.telemetry.LogLine.severity(l);
          } catch (IllegalArgumentException e) {
            throw ApiError.invalidField("level", e.getMessage());
          }
        });
    Optional<Long> before = r.longParam("before", 1, Long.MAX_VALUE);
    int limit = r.intParam("limit", 100, 1, 1000);
    org.bookcreator.core.store.LogQuery q =
        new org.bookcreator.core.store.LogQuery(
            r.queryParam("project"),
            r.queryParam("run"),
            r.queryParam("stage"),
            r.queryParam("role"),
            r.queryParam("provider"),
            level,
            time(r, "since", now),
            time(r, "until", now),
            r.queryParam("trace"),
            r.queryParam("request"),
            r.queryParam("q").filter(t -> !t.isBlank()),
            before,
            Optional.empty(),
            limit);
    return ApiResponse.ok(ViewJson.tree(s.operations().logs(q)));
  }

  private static Optional<java.time.Instant> time(
      ApiRequest r, String name, java.time.Instant now) {
    return r.queryParam(name)
        .map(
            t -> {
              try {
                return org.bookcreator.core.store.LogQuery.time(t, now);
              } catch (IllegalArgumentException e) {
                throw ApiError.invalidField(name, e.getMessage());
              }
            });
  }

  // ---- helpers

  private JsonNode runView(String runId) {
    return view(s.library().run(runId));
  }

  /** A view that must exist: it was found a moment ago. */
  private static JsonNode view(Optional<?> view) {
    return ViewJson.tree(view.orElseThrow(() -> ApiError.notFound("gone meanwhile")));
  }

  private Project project(String id) {
    if (id == null || !ID.matcher(id).matches()) throw ApiError.notFound("no such project");
    return s.store().project(id).orElseThrow(() -> ApiError.notFound("no project " + id));
  }

  private Run run(String id) {
    if (id == null || !ID.matcher(id).matches()) throw ApiError.notFound("no such run");
    return s.store().run(id).orElseThrow(() -> ApiError.notFound("no run " + id));
  }

  private static Stage stage(String raw) {
    try {
      return Stage.fromId(raw.strip().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidField("stage", "unknown stage (one of: " + Stage.ids() + ")");
    }
  }

  private static String status(String raw) {
    String v = raw.strip().toLowerCase(Locale.ROOT);
    for (RunState st : RunState.values()) {
      if (st.name().toLowerCase(Locale.ROOT).equals(v)) return v;
    }
    if (v.equals("none")) return v;
    List<String> known = new ArrayList<>();
    for (RunState st : RunState.values()) known.add(st.name().toLowerCase(Locale.ROOT));
    throw ApiError.invalidField(
        "status", "unknown state (one of: " + String.join(", ", known) + ", none)");
  }

  /**
   * The request's media type, lower case without parameters; 415 unless it is one of {@code
   * allowed}.
   */
  private static String mediaType(ApiRequest r, Set<String> allowed) {
    String type =
        r.contentType().map(t -> t.split(";", 2)[0].strip().toLowerCase(Locale.ROOT)).orElse("");
    if (!allowed.contains(type)) {
      throw new ApiError(
          415,
          "unsupported_media_type",
          (type.isEmpty() ? "no Content-Type" : "Content-Type " + clip(type))
              + "; this endpoint takes "
              + String.join(" or ", allowed.stream().sorted().toList()));
    }
    return type;
  }

  /** The body as a JSON object; an empty body is an empty object unless {@code required}. */
  private static JsonNode jsonBody(ApiRequest r, boolean required) {
    if (r.body().length == 0) {
      if (required) throw ApiError.badRequest("the request body is empty: send a JSON object");
      return Json.object();
    }
    mediaType(r, JSON_TYPES);
    JsonNode node;
    try {
      node = Json.parse(utf8(r.body(), "the request body"));
    } catch (JacksonException e) {
      throw ApiError.badRequest(
          "the request body is not valid JSON: " + clip(e.getOriginalMessage()));
    }
    if (node == null || !node.isObject())
      throw ApiError.badRequest("the request body must be a JSON object");
    return node;
  }

  private static String requiredReason(JsonNode body) {
    String reason = text(body, "reason").map(String::strip).orElse("");
    if (reason.isEmpty())
      throw ApiError.invalidField(
          "reason", "required: say why, it is recorded in the run's history");
    if (reason.length() > 500) throw ApiError.invalidField("reason", "at most 500 characters");
    // One line in the history and the logs, shown as it is, whatever the caller sent.
    return VisibleText.clean(reason);
  }

  private static Optional<String> text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) return Optional.empty();
    if (!v.isString() && !v.isNumber()) throw ApiError.invalidField(field, "must be a string");
    return Optional.of(v.asString());
  }

  private static String utf8(byte[] bytes, String what) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ApiError(415, "unsupported_media_type", what + " is not UTF-8 text");
    }
  }

  private static String clip(String s) {
    String one = s == null ? "" : s.replaceAll("\\p{Cntrl}", " ");
    return one.length() <= 120 ? one : one.substring(0, 120) + "...";
  }
}
