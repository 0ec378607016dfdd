package org.bookcreator.core.view;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.store.Page;
import org.bookcreator.core.store.ProjectFilter;
import org.bookcreator.core.store.RunFilter;
import org.bookcreator.core.store.Store;

/**
 * Projects and runs as the product shows them (the API, the command line's {@code --json}, the
 * dashboard): filtered and paged in the store, a fixed number of queries per page whatever its
 * size. Thread-safe.
 */
public final class LibraryQueries {
  private final Store store;

  public LibraryQueries(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** A page of projects, each with its latest run. */
  public Page<ProjectView> projects(ProjectFilter filter) {
    Page<Project> page = store.projectPage(filter);
    Map<String, Run> latest = store.latestRuns(page.items().stream().map(Project::id).toList());
    Map<String, RunTotals> totals = store.totals(latest.values().stream().map(Run::id).toList());
    return page.map(
        p ->
            ProjectView.of(
                p,
                Optional.ofNullable(latest.get(p.id()))
                    .map(r -> RunView.summary(r, totals.get(r.id()))),
                Optional.empty()));
  }

  /** One project with all its runs, oldest first. */
  public Optional<ProjectView> project(String projectId) {
    return store
        .project(projectId)
        .map(p -> ProjectView.of(p, Optional.empty(), Optional.of(summaries(runsOf(p.id())))));
  }

  /** Every project with its runs, oldest project first: the command line's {@code --json}. */
  public List<ProjectView> allProjects() {
    List<Project> projects = store.projects();
    List<Run> runs = store.runs(Optional.empty());
    Map<String, RunTotals> totals = store.totals(runs.stream().map(Run::id).toList());
    List<ProjectView> out = new ArrayList<>();
    for (Project p : projects) {
      List<RunView> own =
          runs.stream()
              .filter(r -> r.projectId().equals(p.id()))
              .map(r -> RunView.summary(r, totals.get(r.id())))
              .toList();
      out.add(ProjectView.of(p, Optional.empty(), Optional.of(own)));
    }
    return out;
  }

  /** A page of runs, newest first, with their totals. */
  public Page<RunView> runs(RunFilter filter) {
    Page<Run> page = store.runPage(filter);
    Map<String, RunTotals> totals = store.totals(page.items().stream().map(Run::id).toList());
    return page.map(r -> RunView.summary(r, totals.get(r.id())));
  }

  /**
   * The titles of the projects of these runs, by project id: what a list of runs shows beside each
   * run. One read per distinct project; a page holds at most {@link RunFilter#MAX_LIMIT} runs.
   */
  public Map<String, String> titles(List<RunView> runs) {
    Map<String, String> out = new java.util.TreeMap<>();
    for (RunView r : runs) {
      if (!out.containsKey(r.projectId()))
        store.project(r.projectId()).ifPresent(p -> out.put(p.id(), p.title()));
    }
    return out;
  }

  /** One run with its progress, stages and history. */
  public Optional<RunView> run(String runId) {
    return store.run(runId).map(this::detail);
  }

  /** A run already read, with its progress, stages and history. */
  public RunView detail(Run run) {
    return RunView.detail(
        run, store.totals(run.id()), store.stages(run.id()), store.history(run.id()));
  }

  private List<Run> runsOf(String projectId) {
    return store.runs(Optional.of(projectId));
  }

  private List<RunView> summaries(List<Run> runs) {
    Map<String, RunTotals> totals = store.totals(runs.stream().map(Run::id).toList());
    return runs.stream().map(r -> RunView.summary(r, totals.get(r.id()))).toList();
  }
}
