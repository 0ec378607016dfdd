package org.bookcreator.core.run;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What restarting a run changes, computed before anything changes (and all that {@code --dry-run}
 * shows): leases taken back from workers, ended tasks queued again, tasks of re-run stages
 * superseded by new ones, stages rewound to pending, and the run set running. Completed tasks that
 * stay keep their outputs, and their recorded calls are replayed, never paid again.
 *
 * @param revoke tasks held by a worker, queued again (their recorded calls are replayed)
 * @param requeue failed or cancelled tasks, queued again
 * @param supersede tasks of {@code fromStage} and later, replaced by new tasks (new calls)
 * @param rewind stage records set back to pending
 * @param budgetUsd the project's new budget, set in the same transaction (empty: unchanged)
 */
public record RestartPlan(
    Run run,
    Optional<Stage> fromStage,
    List<Task> revoke,
    List<Task> requeue,
    List<Task> supersede,
    List<StageRecord> rewind,
    Optional<BigDecimal> budgetUsd) {
  public RestartPlan {
    Objects.requireNonNull(run, "run");
    fromStage = Objects.requireNonNullElse(fromStage, Optional.empty());
    budgetUsd = Objects.requireNonNullElse(budgetUsd, Optional.empty());
    budgetUsd.ifPresent(
        b -> {
          if (b.signum() <= 0) throw new IllegalArgumentException("budget must be greater than 0");
        });
    revoke = List.copyOf(revoke);
    requeue = List.copyOf(requeue);
    supersede = List.copyOf(supersede);
    rewind = List.copyOf(rewind);
  }

  /** The same plan, also setting the project's budget. */
  public RestartPlan withBudget(Optional<BigDecimal> budget) {
    return new RestartPlan(run, fromStage, revoke, requeue, supersede, rewind, budget);
  }

  /** One line per kind of change, for people. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    out.add(
        "run "
            + run.id()
            + ": "
            + run.state().name().toLowerCase()
            + " -> running"
            + fromStage
                .map(s -> ", re-running from stage " + s.id())
                .orElse(", from its last completed task"));
    if (!revoke.isEmpty()) {
      out.add(
          "take back "
              + revoke.size()
              + " lease(s) and queue the task(s) again: "
              + String.join(
                  ", ",
                  revoke.stream()
                      .map(t -> t.key() + " (held by " + t.leaseOwner().orElse("?") + ")")
                      .toList()));
    }
    if (!requeue.isEmpty())
      out.add("queue " + requeue.size() + " failed or cancelled task(s) again: " + keys(requeue));
    if (!supersede.isEmpty()) {
      long completed = supersede.stream().filter(t -> t.state() == TaskState.COMPLETED).count();
      out.add(
          "supersede "
              + supersede.size()
              + " task(s) of the re-run stages ("
              + completed
              + " completed; their calls stay in the ledger, the new tasks make new calls)");
    }
    if (!rewind.isEmpty())
      out.add(
          "rewind "
              + rewind.size()
              + " stage(s) to pending: "
              + String.join(", ", rewind.stream().map(s -> s.stage().id()).toList()));
    budgetUsd.ifPresent(
        b -> out.add("set the budget of project " + run.projectId() + " to $" + b.toPlainString()));
    if (revoke.isEmpty() && requeue.isEmpty() && supersede.isEmpty() && rewind.isEmpty())
      out.add("no task or stage needs to change");
    return out;
  }

  private static String keys(List<Task> tasks) {
    List<String> keys = tasks.stream().map(Task::key).toList();
    return keys.size() <= 8
        ? String.join(", ", keys)
        : String.join(", ", keys.subList(0, 8)) + " and " + (keys.size() - 8) + " more";
  }
}
