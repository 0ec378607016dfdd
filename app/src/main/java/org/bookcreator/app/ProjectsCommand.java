package org.bookcreator.app;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.view.ProjectView;
import org.bookcreator.core.view.ViewJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "projects",
    description = "List the book projects in the store.",
    mixinStandardHelpOptions = true)
final class ProjectsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();

  @Option(names = "--json", description = "One JSON document for machines.")
  boolean json;

  @Override
  public Integer call() {
    Settings settings = options.load(Map.of());
    PrintWriter out = spec.commandLine().getOut();
    Optional<Engine> opened = Engine.read(settings);
    List<Project> projects = new ArrayList<>();
    Map<String, List<Run>> runs = Map.of();
    List<ProjectView> views = List.of();
    if (opened.isPresent()) {
      try (Engine engine = opened.get()) {
        Store store = engine.store;
        if (json) {
          views = engine.library.allProjects();
        } else {
          projects = store.projects();
          runs =
              store.runs(Optional.empty()).stream().collect(Collectors.groupingBy(Run::projectId));
        }
      }
    }
    if (json) {
      out.println(ViewJson.write(views));
    } else if (projects.isEmpty()) {
      out.println("no projects in " + settings.dataDir() + " yet; try: bin/book-creator demo");
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (Project p : projects) {
        List<Run> rs = runs.getOrDefault(p.id(), List.of());
        rows.add(
            List.of(
                p.id(),
                Text.clip(p.title(), 40),
                p.category(),
                Integer.toString(p.chapters()),
                Integer.toString(rs.size()),
                rs.isEmpty() ? "-" : rs.get(rs.size() - 1).state().name().toLowerCase(),
                p.createdAt().toString().substring(0, 19).replace('T', ' ')));
      }
      out.print(
          Text.table(
              List.of("id", "title", "category", "chapters", "runs", "latest", "created (UTC)"),
              rows));
    }
    out.flush();
    return ExitCodes.OK;
  }
}
