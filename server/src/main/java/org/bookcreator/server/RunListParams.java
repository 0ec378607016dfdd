package org.bookcreator.server;

import java.util.Locale;
import java.util.Optional;
import org.bookcreator.core.project.Categories;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.store.RunFilter;

/**
 * The query of {@code GET /api/runs} beyond project, state and paging: {@code category}, {@code
 * stage}, {@code q} (a run id or text of the title), {@code sort} (started, updated, cost) and
 * {@code order} (desc, asc). A value outside these is a 400 naming the parameter.
 */
final class RunListParams {
  private RunListParams() {}

  static RunFilter filter(
      ApiRequest r, Optional<RunState> state, Categories categories, int limit, int offset) {
    Optional<String> category =
        r.queryParam("category").map(c -> c.strip().toLowerCase(Locale.ROOT));
    if (category.isPresent() && !categories.contains(category.get())) {
      throw ApiError.invalidField(
          "category",
          "unknown category '"
              + category.get()
              + "' (one of: "
              + String.join(", ", categories.sorted())
              + ")");
    }
    Optional<Stage> stage =
        r.queryParam("stage")
            .map(
                st -> {
                  try {
                    return Stage.fromId(st.strip().toLowerCase(Locale.ROOT));
                  } catch (IllegalArgumentException e) {
                    throw ApiError.invalidField(
                        "stage", "unknown stage (one of: " + Stage.ids() + ")");
                  }
                });
    Optional<String> search = r.queryParam("q").map(String::strip).filter(q -> !q.isEmpty());
    if (search.isPresent() && search.get().length() > RunFilter.MAX_SEARCH)
      throw ApiError.invalidField(
          "q", "at most " + RunFilter.MAX_SEARCH + " characters, got " + search.get().length());
    RunFilter.Sort sort =
        r.queryParam("sort")
            .map(
                v -> {
                  try {
                    return RunFilter.Sort.parse(v);
                  } catch (IllegalArgumentException e) {
                    throw ApiError.invalidField("sort", e.getMessage());
                  }
                })
            .orElse(RunFilter.Sort.STARTED);
    boolean ascending =
        r.queryParam("order")
            .map(
                v ->
                    switch (v.strip().toLowerCase(Locale.ROOT)) {
                      case "asc" -> true;
                      case "desc" -> false;
                      default ->
                          throw ApiError.invalidField(
                              "order", "unknown order '" + v + "' (one of: desc, asc)");
                    })
            .orElse(false);
    return new RunFilter(
        r.queryParam("project"), state, category, stage, search, sort, ascending, limit, offset);
  }
}
