package org.bookcreator.core.view;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.run.Transition;

/**
 * A run as the product shows it: state, current stage, totals from the ledger and, for a single
 * run, its progress, stages and history (task moves left out: they are many and in the trace).
 */
public record RunView(
    String id,
    String projectId,
    int number,
    String state,
    Optional<String> stage,
    Optional<String> reason,
    Instant createdAt,
    Instant updatedAt,
    Totals totals,
    Optional<Progress> progress,
    Optional<List<StageView>> stages,
    Optional<List<HistoryEntry>> history) {

  /** Sums over the run's ledger rows; {@code costUsd} is exact. */
  public record Totals(
      long calls, long failedCalls, long inputTokens, long outputTokens, BigDecimal costUsd) {
    static Totals of(RunTotals t) {
      return new Totals(t.calls(), t.failedCalls(), t.inputTokens(), t.outputTokens(), t.costUsd());
    }
  }

  public record Progress(long stagesDone, int stagesTotal) {}

  public record StageView(
      String stage,
      String state,
      Optional<Instant> startedAt,
      Optional<Instant> finishedAt,
      int iterations,
      Optional<String> reason) {}

  /** One recorded move of the run or a stage: {@code id} is the run id or the stage id. */
  public record HistoryEntry(
      String entity, String id, Optional<String> from, String to, String reason, Instant at) {}

  /** A run in a list: no progress, stages or history. */
  static RunView summary(Run r, RunTotals totals) {
    return of(r, totals, Optional.empty(), Optional.empty(), Optional.empty());
  }

  static RunView detail(
      Run r, RunTotals totals, List<StageRecord> stages, List<Transition> history) {
    long done = stages.stream().filter(s -> s.state().isDone()).count();
    return of(
        r,
        totals,
        Optional.of(new Progress(done, Stage.values().length)),
        Optional.of(
            stages.stream()
                .map(
                    s ->
                        new StageView(
                            s.stage().id(),
                            lower(s.state().name()),
                            s.startedAt(),
                            s.finishedAt(),
                            s.iterations(),
                            s.reason()))
                .toList()),
        Optional.of(
            history.stream()
                .filter(t -> !t.entity().equals("task"))
                .map(
                    t ->
                        new HistoryEntry(
                            t.entity(),
                            t.entityId(),
                            Optional.ofNullable(t.from()).map(RunView::lower),
                            lower(t.to()),
                            t.reason(),
                            t.at()))
                .toList()));
  }

  private static RunView of(
      Run r,
      RunTotals totals,
      Optional<Progress> progress,
      Optional<List<StageView>> stages,
      Optional<List<HistoryEntry>> history) {
    return new RunView(
        r.id(),
        r.projectId(),
        r.number(),
        lower(r.state().name()),
        r.stage().map(Stage::id),
        r.reason(),
        r.createdAt(),
        r.updatedAt(),
        Totals.of(totals),
        progress,
        stages,
        history);
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
