package org.bookcreator.server;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bookcreator.core.cost.CostDimension;
import org.bookcreator.core.cost.CostLine;
import org.bookcreator.core.cost.CostQuery;
import org.bookcreator.core.store.LogQuery;
import org.bookcreator.core.support.Json;
import org.bookcreator.core.view.AnalyticsQueries;
import org.bookcreator.core.view.CostCsv;
import org.bookcreator.core.view.CostReports;
import org.bookcreator.core.view.ViewJson;

/**
 * The endpoints behind the dashboard's analytics pages (docs/dashboard.md): a cost report as CSV
 * (the same lines as {@code GET /api/costs}, exact amounts), budgets with their share used, and the
 * library's history.
 */
final class AnalyticsApi {
  private final CostReports costs;
  private final AnalyticsQueries analytics;
  private final InstantSource clock;

  AnalyticsApi(CostReports costs, AnalyticsQueries analytics, InstantSource clock) {
    this.costs = costs;
    this.analytics = analytics;
    this.clock = clock;
  }

  void addRoutes(ApiRoutes routes) {
    routes.get("/api/budgets", this::budgets);
    routes.get("/api/library", this::library);
    routes.get("/api/agents", this::agents);
    routes.get("/api/providers", this::providers);
    Handler csv = this::costCsv;
    routes.routes().get("/api/costs.csv", csv);
    routes.routes().head("/api/costs.csv", csv);
  }

  /** {@code GET /api/budgets?limit=50&offset=0}: a page of the budgets, most used first. */
  private ApiResponse budgets(ApiRequest r) {
    int limit = r.intParam("limit", 50, 1, 500);
    int offset = r.intParam("offset", 0, 0, 10_000_000);
    return ApiResponse.ok(ViewJson.tree(analytics.budgets(clock.instant(), limit, offset)));
  }

  /**
   * {@code GET /api/library?since=...}: runs per category and stage over time from {@code since}
   * (all recorded history without), and average iterations of completed runs. The per-category
   * figures of "Books by category" are those of {@code GET /api/costs}.
   */
  private ApiResponse library(ApiRequest r) {
    Instant now = clock.instant();
    return ApiResponse.ok(
        Json.object()
            .set("history", ViewJson.tree(analytics.history(time(r, "since", now), now)))
            .set("iterations", ViewJson.tree(analytics.iterations())));
  }

  /** {@code GET /api/agents?since=...}: per agent role, from the ledger's rows since then. */
  private ApiResponse agents(ApiRequest r) {
    Instant since = time(r, "since", clock.instant()).orElse(Instant.EPOCH);
    return ApiResponse.ok(Json.object().set("items", ViewJson.tree(analytics.agents(since))));
  }

  /** {@code GET /api/providers?since=...}: per provider and model, from the ledger's rows. */
  private ApiResponse providers(ApiRequest r) {
    Instant since = time(r, "since", clock.instant()).orElse(Instant.EPOCH);
    return ApiResponse.ok(Json.object().set("items", ViewJson.tree(analytics.providers(since))));
  }

  /**
   * {@code GET /api/costs.csv?by=...&since=...&until=...&category=...}: the report's lines and its
   * total, with the columns of {@code cost report --format csv}.
   */
  private void costCsv(Context ctx) {
    ApiRequest r = ApiRequest.read(ctx, 0);
    CostQuery query = costQuery(r, clock.instant());
    List<CostLine> lines = costs.lines(query);
    CostLine total = lines.stream().reduce(CostLine.zero(), CostLine::plus);
    String name =
        "costs"
            + (query.by().isEmpty()
                ? ""
                : "-by-" + String.join("-", query.by().stream().map(CostDimension::id).toList()))
            + ".csv";
    ctx.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
    ctx.contentType("text/csv; charset=utf-8")
        .result(CostCsv.of(query.by(), lines, total).getBytes(StandardCharsets.UTF_8));
  }

  /** The cost query of a request: {@code by}, {@code since}, {@code until}, {@code category}. */
  static CostQuery costQuery(ApiRequest r, Instant now) {
    Optional<String> category =
        r.queryParam("category").map(c -> c.strip().toLowerCase(Locale.ROOT));
    List<CostDimension> by = new ArrayList<>();
    for (String d :
        r.queryParam("by").filter(b -> !b.isBlank()).map(b -> b.split(",")).orElse(new String[0])) {
      CostDimension dim;
      try {
        dim = CostDimension.parse(d.strip());
      } catch (IllegalArgumentException e) {
        throw ApiError.invalidField("by", e.getMessage());
      }
      if (by.contains(dim))
        throw ApiError.invalidField("by", "the dimension " + dim.id() + " is repeated");
      by.add(dim);
    }
    return new CostQuery(
        Optional.empty(),
        Optional.empty(),
        category,
        time(r, "since", now),
        time(r, "until", now),
        by);
  }

  private static Optional<Instant> time(ApiRequest r, String name, Instant now) {
    return r.queryParam(name)
        .map(
            t -> {
              try {
                return LogQuery.time(t, now);
              } catch (IllegalArgumentException e) {
                throw ApiError.invalidField(name, e.getMessage());
              }
            });
  }
}
