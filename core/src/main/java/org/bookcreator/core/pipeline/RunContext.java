package org.bookcreator.core.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.run.TaskSpec;
import org.bookcreator.core.run.TaskState;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A snapshot of one run's stored state, given to a stage so it can decide what comes next. Asking
 * for a task's output either returns it (completed), records the task to enqueue (absent), or
 * records a failure (failed).
 */
final class RunContext {
  final Project project;
  final Run run;
  final PipelineConfig config;
  private final Map<String, Task> tasks;
  private final Map<Stage, StageRecord> stages;
  private final List<TaskSpec> enqueue = new ArrayList<>();
  private Optional<String> failure = Optional.empty();

  RunContext(
      Project project,
      Run run,
      PipelineConfig config,
      Map<String, Task> tasks,
      Map<Stage, StageRecord> stages) {
    this.project = project;
    this.run = run;
    this.config = config;
    this.tasks = tasks;
    this.stages = stages;
  }

  /**
   * The task's output text if it completed; otherwise null (and the task is enqueued if absent).
   */
  String text(String key, Stage stage, TaskKind kind, Supplier<ObjectNode> input) {
    Task t = tasks.get(key);
    if (t == null) {
      ObjectNode in = input.get();
      in.set("book", book());
      enqueue.add(new TaskSpec(key, stage, kind, Json.write(in)));
      return null;
    }
    if (t.state() == TaskState.COMPLETED) return t.output().orElse("");
    if (t.state() == TaskState.FAILED || t.state() == TaskState.CANCELLED) {
      if (failure.isEmpty()) {
        failure =
            Optional.of(
                "task "
                    + key
                    + " ("
                    + kind.id()
                    + ") "
                    + t.state().name().toLowerCase()
                    + ": "
                    + t.errorType().orElse("error")
                    + ": "
                    + t.error().orElse("no detail"));
      }
    }
    return null;
  }

  /** Like {@link #text} for tasks whose output is JSON. */
  JsonNode json(String key, Stage stage, TaskKind kind, Supplier<ObjectNode> input) {
    String out = text(key, stage, kind, input);
    return out == null ? null : Json.parse(out);
  }

  /** The output of a completed task (empty text if it has none). */
  String outputOf(String key) {
    Task t = tasks.get(key);
    if (t == null || t.state() != TaskState.COMPLETED) {
      throw new IllegalStateException("task " + key + " of run " + run.id() + " has not completed");
    }
    return t.output().orElse("");
  }

  JsonNode stageResult(Stage stage) {
    StageRecord r = stages.get(stage);
    if (r == null || r.result().isEmpty()) return Json.object();
    return Json.parse(r.result().get());
  }

  ObjectNode book() {
    ObjectNode b = Json.object();
    b.put("title", project.title());
    b.put("category", project.category());
    project.audience().ifPresent(a -> b.put("audience", a));
    b.put("brief", project.brief());
    b.put("chapters", project.chapters());
    return b;
  }

  /** The step to take given what was asked: failure, more work, or waiting (empty work). */
  StageStep pending() {
    if (failure.isPresent()) return new StageStep.Failed(failure.get());
    return new StageStep.Work(List.copyOf(enqueue));
  }

  boolean failed() {
    return failure.isPresent();
  }
}
