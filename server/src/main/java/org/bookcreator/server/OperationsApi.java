package org.bookcreator.server;

import org.bookcreator.core.view.ViewJson;
import org.bookcreator.core.view.WorkQueueQueries;

/**
 * The endpoints of the dashboard's operations pages that the rest of the API does not already serve
 * (docs/api.md): {@code GET /api/workers}, the workers with their heartbeats and current tasks, the
 * queue per agent role and the leases.
 */
final class OperationsApi {
  private final BookApi.Services s;
  private final WorkQueueQueries work;

  OperationsApi(BookApi.Services services) {
    this.s = services;
    this.work = new WorkQueueQueries(services.store());
  }

  void addRoutes(ApiRoutes routes) {
    routes.get("/api/workers", this::workers);
  }

  private ApiResponse workers(ApiRequest r) {
    return ApiResponse.ok(ViewJson.tree(work.now(s.clock().instant())));
  }
}
