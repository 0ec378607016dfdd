package org.bookcreator.app;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskState;
import org.bookcreator.core.store.Store;

/** Where a run stands, read from the store: for progress lines and summary tables. */
record RunStatus(
    Run run,
    Project project,
    int chaptersDone,
    RunTotals totals,
    int retries,
    int violations,
    Duration elapsed) {

  /** Chapter task keys look like {@code chapter-3/critique-1} and {@code edit/chapter-3}. */
  private static final Pattern CHAPTER = Pattern.compile("chapter-(\\d+)");

  static RunStatus of(Store store, Run run, Instant now) {
    Project project = store.project(run.projectId()).orElseThrow();
    List<Task> tasks = store.tasks(run.id());
    Stage stage = run.stage().orElse(Stage.INTAKE);
    Set<String> done = new HashSet<>();
    TaskKind counted =
        stage.compareTo(Stage.EDITING) >= 0 ? TaskKind.EDIT_CHAPTER : TaskKind.CRITIQUE_CHAPTER;
    for (Task t : tasks) {
      if (t.kind() == counted && t.state() == TaskState.COMPLETED) {
        Matcher m = CHAPTER.matcher(t.key());
        if (m.find()) done.add(m.group(1));
      }
    }
    int chapters = stage.compareTo(Stage.CHAPTER_WRITING) < 0 ? 0 : done.size();
    if (stage.compareTo(Stage.EDITING) > 0) chapters = project.chapters();
    int retries = 0;
    int violations = 0;
    for (RunEvent e : store.events(run.id())) {
      if (e.kind().equals(RunEvent.RETRY)) retries++;
      if (e.kind().equals(RunEvent.SCHEMA_VIOLATION)) violations++;
    }
    Instant end = run.state().isActive() ? now : run.updatedAt();
    return new RunStatus(
        run,
        project,
        chapters,
        store.totals(run.id()),
        retries,
        violations,
        Duration.between(run.createdAt(), end));
  }

  String stageName() {
    return run.stage().map(Stage::id).orElse("-");
  }

  /** One line: stage, chapter i of n, elapsed, tokens and cost so far. */
  String line() {
    return String.format(
        "%-9s %-18s chapter %d/%d  %8s  %,9d tokens  %s",
        run.state().name().toLowerCase(),
        stageName(),
        chaptersDone,
        project.chapters(),
        Text.duration(elapsed),
        totals.tokens(),
        Text.money(totals.costUsd()));
  }
}
