package org.bookcreator.server;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import org.bookcreator.core.store.LogQuery;
import org.bookcreator.core.view.OverviewQueries;
import org.bookcreator.core.view.ViewJson;

/**
 * The Overview's endpoints (docs/api.md): {@code GET /api/throughput}, books completed and failed
 * per hour, day or week with the cost per book, and {@code GET /api/runs/active}, each open run's
 * progress and forecast. Both read {@link OverviewQueries}, as {@code runs --active} does.
 */
final class OverviewApi {
  private final BookApi.Services s;
  private final OverviewQueries overview;

  OverviewApi(BookApi.Services services) {
    this.s = services;
    this.overview = new OverviewQueries(services.store());
  }

  /** Declared before {@code /api/runs/{id}}, so that {@code active} is not taken for a run id. */
  void addRoutes(ApiRoutes routes) {
    routes.get("/api/throughput", this::throughput).get("/api/runs/active", this::activeRuns);
  }

  /**
   * {@code GET /api/throughput?since=...&bucket=hour|day|week&zone=Europe/Paris&category=...}:
   * without since, from the first run that ended (at least 30 days back); the bucket defaults to
   * {@code hour} up to 7 days and {@code day} beyond, the zone to UTC.
   */
  private ApiResponse throughput(ApiRequest r) {
    Instant now = s.clock().instant();
    Optional<Instant> since =
        r.queryParam("since")
            .map(
                t -> {
                  try {
                    return LogQuery.time(t, now);
                  } catch (IllegalArgumentException e) {
                    throw ApiError.invalidField("since", e.getMessage());
                  }
                });
    if (since.isPresent() && since.get().isAfter(now)) {
      throw ApiError.invalidField("since", "must not be in the future");
    }
    Optional<OverviewQueries.Bucket> bucket =
        r.queryParam("bucket")
            .map(
                b -> {
                  try {
                    return OverviewQueries.Bucket.parse(b.strip());
                  } catch (IllegalArgumentException e) {
                    throw ApiError.invalidField("bucket", e.getMessage());
                  }
                });
    ZoneId zone =
        r.queryParam("zone")
            .map(
                z -> {
                  try {
                    return ZoneId.of(z.strip());
                  } catch (DateTimeException e) {
                    throw ApiError.invalidField(
                        "zone", "must be a time zone such as Europe/Paris or UTC, got '" + z + "'");
                  }
                })
            .orElse(ZoneOffset.UTC);
    Optional<String> category =
        r.queryParam("category").map(c -> c.strip().toLowerCase(Locale.ROOT));
    try {
      return ApiResponse.ok(ViewJson.tree(overview.throughput(since, bucket, zone, category, now)));
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidField("bucket", e.getMessage());
    }
  }

  /**
   * {@code GET /api/runs/active?limit=50&offset=0}: a page of what {@code runs --active --json}
   * prints, with the total.
   */
  private ApiResponse activeRuns(ApiRequest r) {
    int limit = r.intParam("limit", 50, 1, 500);
    int offset = r.intParam("offset", 0, 0, 10_000_000);
    return ApiResponse.ok(ViewJson.tree(overview.activeRuns(s.clock().instant(), limit, offset)));
  }
}
