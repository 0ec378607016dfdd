package org.bookcreator.server;

import java.util.regex.Pattern;
import org.bookcreator.core.support.Json;
import org.bookcreator.core.view.TaskQueries;
import org.bookcreator.core.view.ViewJson;

/**
 * The run page's view of the agents' conversation (docs/api.md): {@code GET /api/runs/{id}/tasks},
 * the run's tasks; {@code GET /api/runs/{id}/tasks/{task}/conversation}, one task's model calls
 * with prompt and answer (secrets masked) and its critique loop's rounds; {@code GET
 * /api/runs/{id}/events}, the retries, schema violations, document errors and other events.
 */
final class ConversationApi {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

  /** A task's id, or its key such as {@code chapter-1/critique-2} (the slash sent as %2F). */
  private static final Pattern TASK = Pattern.compile("[A-Za-z0-9_./~-]{1,200}");

  private final BookApi.Services s;
  private final TaskQueries tasks;

  ConversationApi(BookApi.Services services) {
    this.s = services;
    this.tasks = new TaskQueries(services.store(), services.redactor());
  }

  void addRoutes(ApiRoutes routes) {
    routes
        .get("/api/runs/{id}/tasks", this::tasks)
        .get("/api/runs/{id}/tasks/{task}/conversation", this::conversation)
        .get("/api/runs/{id}/events", this::events);
  }

  private ApiResponse tasks(ApiRequest r) {
    String run = run(r.pathParam("id"));
    return ApiResponse.ok(
        Json.object().put("run_id", run).set("items", ViewJson.tree(tasks.tasks(run))));
  }

  private ApiResponse conversation(ApiRequest r) {
    String run = run(r.pathParam("id"));
    String task = r.pathParam("task");
    if (task == null || !TASK.matcher(task).matches()) throw ApiError.notFound("no such task");
    return ApiResponse.ok(
        ViewJson.tree(
            tasks
                .conversation(run, task)
                .orElseThrow(() -> ApiError.notFound("run " + run + " has no task " + task))));
  }

  private ApiResponse events(ApiRequest r) {
    String run = run(r.pathParam("id"));
    return ApiResponse.ok(
        Json.object().put("run_id", run).set("items", ViewJson.tree(tasks.events(run))));
  }

  private String run(String id) {
    if (id == null || !ID.matcher(id).matches()) throw ApiError.notFound("no such run");
    return s.store().run(id).orElseThrow(() -> ApiError.notFound("no run " + id)).id();
  }
}
