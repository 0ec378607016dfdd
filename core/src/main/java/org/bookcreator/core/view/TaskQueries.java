package org.bookcreator.core.view;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bookcreator.core.cost.CallTranscript;
import org.bookcreator.core.cost.LedgerEntry;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import org.bookcreator.core.support.LineDiff;
import org.bookcreator.telemetry.Redactor;
import tools.jackson.databind.JsonNode;

/**
 * A run's tasks and the agents' conversation for each: the run page's tasks list, its conversation
 * view and its events ({@code GET /api/runs/{id}/tasks}, {@code .../tasks/{task}/conversation},
 * {@code .../events}) and {@code runs conversation}. Every text read from the store passes the
 * redactor again on the way out, so a secret configured after a call was recorded is masked too.
 * Pure reads; thread-safe.
 */
public final class TaskQueries {
  /** Lines of unchanged text shown around each change of a revision's diff. */
  public static final int DIFF_CONTEXT = 2;

  /** The outline's loop: {@code critique/score-N} and {@code critique/revise-N}. */
  private static final Pattern OUTLINE_LOOP = Pattern.compile("critique/(score|revise)-\\d+");

  /** A chapter's loop: {@code chapter-N/critique-J} and {@code chapter-N/draft-J}. */
  private static final Pattern CHAPTER_LOOP =
      Pattern.compile("(chapter-\\d+)/(critique|draft)-\\d+");

  private static final String OUTLINE_DRAFT = "outline/draft";

  private final Store store;
  private final Redactor redactor;

  public TaskQueries(Store store, Redactor redactor) {
    this.store = Objects.requireNonNull(store, "store");
    this.redactor = Objects.requireNonNull(redactor, "redactor");
  }

  /**
   * The run's tasks in the order they were planned; empty when the run has none (or is unknown).
   */
  public List<TaskView> tasks(String runId) {
    Map<String, long[]> calls = new HashMap<>();
    Map<String, BigDecimal> costs = new HashMap<>();
    for (LedgerEntry e : store.calls(runId)) {
      calls.computeIfAbsent(e.taskId(), k -> new long[1])[0]++;
      e.costUsd().ifPresent(c -> costs.merge(e.taskId(), c, BigDecimal::add));
    }
    List<TaskView> out = new ArrayList<>();
    for (Task t : store.taskOutcomes(runId)) {
      out.add(view(t, calls.getOrDefault(t.id(), new long[1])[0], costs.get(t.id())));
    }
    return out;
  }

  /**
   * One task's conversation, the task named by its id or its key ({@code chapter-1/critique-2});
   * empty when the run has no such task.
   */
  public Optional<ConversationView> conversation(String runId, String task) {
    List<Task> all = store.taskOutcomes(runId);
    Optional<Task> found =
        all.stream().filter(t -> t.id().equals(task)).findFirst().or(() -> byKey(all, task));
    if (found.isEmpty()) return Optional.empty();
    Task t = found.get();
    List<ConversationView.Call> calls = new ArrayList<>();
    long n = 0;
    BigDecimal cost = null;
    for (CallTranscript c : store.transcript(t.id())) {
      LedgerEntry e = c.call();
      n++;
      if (e.costUsd().isPresent())
        cost = e.costUsd().get().add(cost == null ? BigDecimal.ZERO : cost);
      calls.add(
          new ConversationView.Call(
              e.callId(),
              e.attempt(),
              e.provider(),
              e.model(),
              e.outcome(),
              e.errorType(),
              e.usage().inputTokens(),
              e.usage().outputTokens(),
              e.costUsd(),
              e.latencyMs(),
              e.at(),
              c.prompt().map(p -> redactor.redact(p.text())),
              c.prompt().map(p -> p.chars()),
              c.prompt().map(p -> p.truncated()).orElse(false),
              e.response().map(redactor::redact)));
    }
    return Optional.of(new ConversationView(runId, view(t, n, cost), calls, loop(t.key(), all)));
  }

  /** The run's events, oldest first, each with the key of its task when it has one. */
  public List<RunEventView> events(String runId) {
    Map<String, String> keys = new HashMap<>();
    List<RunEvent> events = store.events(runId);
    if (events.stream().anyMatch(e -> e.taskId().isPresent())) {
      for (Task t : store.taskOutcomes(runId)) keys.put(t.id(), t.key());
    }
    List<RunEventView> out = new ArrayList<>();
    for (RunEvent e : events) {
      out.add(
          new RunEventView(
              e.at(),
              e.kind(),
              e.taskId(),
              e.taskId().map(keys::get),
              redactor.redact(e.detail())));
    }
    return out;
  }

  /** The critique loop a task belongs to, with every round so far. */
  Optional<ConversationView.CritiqueLoop> loop(String key, List<Task> all) {
    Map<String, Task> byKey = new HashMap<>();
    for (Task t : all) byKey.put(t.key(), t);
    if (OUTLINE_LOOP.matcher(key).matches()) {
      return Optional.of(
          rounds(
              "outline",
              byKey,
              i -> "critique/score-" + i,
              i -> "critique/revise-" + i,
              i -> i == 1 ? OUTLINE_DRAFT : "critique/revise-" + (i - 1)));
    }
    Matcher chapter = CHAPTER_LOOP.matcher(key);
    if (chapter.matches()) {
      String prefix = chapter.group(1) + "/";
      return Optional.of(
          rounds(
              chapter.group(1),
              byKey,
              i -> prefix + "critique-" + i,
              i -> prefix + "draft-" + (i + 1),
              i -> prefix + "draft-" + i));
    }
    return Optional.empty();
  }

  private ConversationView.CritiqueLoop rounds(
      String name,
      Map<String, Task> byKey,
      java.util.function.IntFunction<String> critiqueKey,
      java.util.function.IntFunction<String> revisionKey,
      java.util.function.IntFunction<String> draftKey) {
    List<ConversationView.Round> rounds = new ArrayList<>();
    for (int i = 1; ; i++) {
      Optional<Task> critique = Optional.ofNullable(byKey.get(critiqueKey.apply(i)));
      Optional<Task> revision = Optional.ofNullable(byKey.get(revisionKey.apply(i)));
      if (critique.isEmpty() && revision.isEmpty()) break;
      Critique c = critique.flatMap(Task::output).map(Critique::parse).orElse(Critique.NONE);
      Optional<String> before =
          Optional.ofNullable(byKey.get(draftKey.apply(i))).flatMap(Task::output);
      Optional<String> after = revision.flatMap(Task::output);
      Optional<String> diff = Optional.empty();
      int added = 0;
      int removed = 0;
      if (before.isPresent() && after.isPresent()) {
        LineDiff.Result d = LineDiff.of(readable(before.get()), readable(after.get()));
        diff = Optional.of(redactor.redact(d.text(DIFF_CONTEXT)));
        added = d.added();
        removed = d.removed();
      }
      rounds.add(
          new ConversationView.Round(
              i,
              critique.map(Task::id),
              critique.map(t -> lower(t.state().name())),
              c.score(),
              c.verdict(),
              c.issues().stream().map(redactor::redact).toList(),
              revision.map(Task::id),
              revision.map(t -> lower(t.state().name())),
              diff,
              added,
              removed));
    }
    return new ConversationView.CritiqueLoop(name, rounds);
  }

  /**
   * The critic's structured output (the {@code critique} schema: score, verdict, issues), read
   * leniently: what is missing or of the wrong type is left out rather than failing the view.
   */
  record Critique(Optional<Double> score, Optional<String> verdict, List<String> issues) {
    static final Critique NONE = new Critique(Optional.empty(), Optional.empty(), List.of());

    static Critique parse(String output) {
      JsonNode node;
      try {
        node = Json.parse(output);
      } catch (RuntimeException e) {
        return NONE;
      }
      if (node == null || !node.isObject()) return NONE;
      JsonNode score = node.path("score");
      JsonNode verdict = node.path("verdict");
      List<String> issues = new ArrayList<>();
      for (JsonNode issue : node.path("issues")) {
        if (issue.isString()) issues.add(issue.asString());
      }
      return new Critique(
          score.isNumber() ? Optional.of(score.asDouble()) : Optional.empty(),
          verdict.isString() ? Optional.of(verdict.asString()) : Optional.empty(),
          List.copyOf(issues));
    }
  }

  /** JSON indented one field a line (so a line diff says which fields changed); prose as it is. */
  static String readable(String output) {
    String t = output.strip();
    if (!t.startsWith("{") && !t.startsWith("[")) return output;
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Json.parse(t));
    } catch (RuntimeException e) {
      return output;
    }
  }

  private static Optional<Task> byKey(List<Task> all, String key) {
    return all.stream().filter(t -> t.key().equals(key)).findFirst();
  }

  private TaskView view(Task t, long calls, BigDecimal cost) {
    return new TaskView(
        t.id(),
        t.key(),
        t.stage().id(),
        t.kind().id(),
        t.role().id(),
        lower(t.state().name()),
        t.attempt(),
        t.claims(),
        calls,
        cost == null ? BigDecimal.ZERO : cost,
        t.errorType(),
        t.error().map(redactor::redact),
        t.createdAt(),
        t.updatedAt());
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
