package org.bookcreator.server;

import java.util.List;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.Transition;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import org.bookcreator.telemetry.SpanRecord;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON shapes of projects, runs and traces, shared by the API and the command line's --json.
 */
public final class Views {
  private Views() {}

  public static ObjectNode project(Project p) {
    ObjectNode o = Json.object();
    o.put("id", p.id());
    o.put("title", p.title());
    o.put("category", p.category());
    p.audience().ifPresent(a -> o.put("audience", a));
    o.put("chapters", p.chapters());
    p.budgetUsd().ifPresent(b -> o.put("budget_usd", b.toPlainString()));
    o.put("pause_at_budget", p.pauseAtBudget());
    ArrayNode refs = o.putArray("references");
    p.references().forEach(refs::add);
    o.put("created_at", p.createdAt().toString());
    return o;
  }

  /** A run with its totals, progress, stages and history (task moves left out). */
  public static ObjectNode run(Store store, Run r) {
    ObjectNode o = runSummary(store, r);
    List<StageRecord> stageRecords = store.stages(r.id());
    ObjectNode progress = o.putObject("progress");
    long done = stageRecords.stream().filter(s -> s.state().isDone()).count();
    progress.put("stages_done", done);
    progress.put("stages_total", Stage.values().length);
    ArrayNode stages = o.putArray("stages");
    for (StageRecord s : stageRecords) {
      ObjectNode so = stages.addObject();
      so.put("stage", s.stage().id());
      so.put("state", s.state().name().toLowerCase());
      s.startedAt().ifPresent(x -> so.put("started_at", x.toString()));
      s.finishedAt().ifPresent(x -> so.put("finished_at", x.toString()));
      so.put("iterations", s.iterations());
      s.reason().ifPresent(x -> so.put("reason", x));
    }
    ArrayNode history = o.putArray("history");
    for (Transition tr : store.history(r.id())) {
      if (tr.entity().equals("task")) continue;
      ObjectNode h = history.addObject();
      h.put("entity", tr.entity());
      h.put("id", tr.entityId());
      if (tr.from() != null) h.put("from", tr.from().toLowerCase());
      h.put("to", tr.to().toLowerCase());
      h.put("reason", tr.reason());
      h.put("at", tr.at().toString());
    }
    return o;
  }

  /** A run with its totals, without stages and history: for lists. */
  public static ObjectNode runSummary(Store store, Run r) {
    ObjectNode o = Json.object();
    o.put("id", r.id());
    o.put("project_id", r.projectId());
    o.put("number", r.number());
    o.put("state", r.state().name().toLowerCase());
    r.stage().ifPresent(s -> o.put("stage", s.id()));
    r.reason().ifPresent(s -> o.put("reason", s));
    o.put("created_at", r.createdAt().toString());
    o.put("updated_at", r.updatedAt().toString());
    RunTotals t = store.totals(r.id());
    ObjectNode totals = o.putObject("totals");
    totals.put("calls", t.calls());
    totals.put("failed_calls", t.failedCalls());
    totals.put("input_tokens", t.inputTokens());
    totals.put("output_tokens", t.outputTokens());
    totals.put("cost_usd", t.costUsd().toPlainString());
    return o;
  }

  public static ObjectNode span(SpanRecord s) {
    ObjectNode o = Json.object();
    o.put("trace_id", s.traceId());
    o.put("span_id", s.spanId());
    s.parentSpanId().ifPresent(p -> o.put("parent_span_id", p));
    o.put("name", s.name());
    o.put("kind", s.kind());
    o.put("start_unix_nano", s.startNanos());
    o.put("end_unix_nano", s.endNanos());
    o.put("duration_ms", s.durationNanos() / 1e6);
    o.put("status", s.status());
    s.errorType().ifPresent(e -> o.put("error_type", e));
    ObjectNode a = o.putObject("attributes");
    s.attributes().forEach(a::put);
    return o;
  }

  /**
   * The span tree: each span with its {@code children} by start time; spans whose parent is missing
   * are roots.
   */
  public static ObjectNode trace(String runId, String traceId, List<SpanRecord> spans) {
    java.util.Map<String, ObjectNode> byId = new java.util.LinkedHashMap<>();
    for (SpanRecord s : spans) byId.put(s.spanId(), span(s));
    ObjectNode o = Json.object();
    o.put("run_id", runId);
    o.put("trace_id", traceId);
    o.put("span_count", spans.size());
    ArrayNode roots = o.putArray("spans");
    for (SpanRecord s : spans) {
      ObjectNode node = byId.get(s.spanId());
      ObjectNode parent = s.parentSpanId().map(byId::get).orElse(null);
      if (parent == null) roots.add(node);
      else
        (parent.has("children") ? (ArrayNode) parent.get("children") : parent.putArray("children"))
            .add(node);
    }
    return o;
  }

  /** A diagnosis (see {@link org.bookcreator.core.ops.Diagnosis}) for machines. */
  public static ObjectNode diagnosis(org.bookcreator.core.ops.Diagnosis d) {
    ObjectNode o = Json.object();
    o.put("run_id", d.run().id());
    o.put("project_id", d.project().id());
    o.put("state", d.run().state().name().toLowerCase());
    d.run().stage().ifPresent(s -> o.put("stage", s.id()));
    o.put("elapsed_seconds", d.elapsed().toMillis() / 1000.0);
    o.put("calls", d.totals().calls());
    o.put("failed_calls", d.totals().failedCalls());
    o.put("cost_usd", d.totals().costUsd().toPlainString());
    o.put("cause", d.cause());
    o.put("runbook", d.runbook());
    ArrayNode stages = o.putArray("stages");
    for (var s : d.stages()) {
      stages
          .addObject()
          .put("stage", s.stage())
          .put("state", s.state())
          .put("seconds", s.time().toMillis() / 1000.0)
          .put("share", s.share())
          .put("iterations", s.iterations())
          .put("note", s.note());
    }
    ArrayNode spend = o.putArray("spend_by_stage");
    for (var s : d.spendByStage())
      spend
          .addObject()
          .put("stage", s.name())
          .put("calls", s.calls())
          .put("cost_usd", s.costUsd().toPlainString())
          .put("latency_ms", s.latencyMs());
    ArrayNode models = o.putArray("spend_by_model");
    for (var s : d.spendByModel())
      models
          .addObject()
          .put("model", s.name())
          .put("calls", s.calls())
          .put("cost_usd", s.costUsd().toPlainString())
          .put("latency_ms", s.latencyMs());
    ArrayNode roles = o.putArray("agents");
    for (var a : d.roles())
      roles
          .addObject()
          .put("role", a.role())
          .put("calls", a.calls())
          .put("failed_calls", a.failedCalls())
          .put("schema_violations", a.schemaViolations());
    ArrayNode errors = o.putArray("provider_errors");
    for (var e : d.providerErrors()) {
      errors
          .addObject()
          .put("provider", e.provider())
          .put("error_type", e.errorType())
          .put("count", e.count())
          .put("worst_minute_count", e.worstMinute())
          .put("worst_minute_at", e.worstMinuteAt().toString());
    }
    ArrayNode stalls = o.putArray("stalls");
    for (var s : d.stalls())
      stalls
          .addObject()
          .put("kind", s.kind().id())
          .put("reason", s.reason())
          .put("last_progress", s.lastProgress().toString());
    ArrayNode logs = o.putArray("recent_warnings");
    d.recentErrors().forEach(logs::add);
    return o;
  }
}
