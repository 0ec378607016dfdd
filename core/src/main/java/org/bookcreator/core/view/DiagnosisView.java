package org.bookcreator.core.view;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bookcreator.core.ops.Diagnosis;
import org.bookcreator.core.run.Stage;

/** A run's diagnosis (see {@link Diagnosis}) as the product shows it. */
public record DiagnosisView(
    String runId,
    String projectId,
    String state,
    Optional<String> stage,
    double elapsedSeconds,
    long calls,
    long failedCalls,
    BigDecimal costUsd,
    String cause,
    String runbook,
    List<StageTime> stages,
    List<StageSpend> spendByStage,
    List<ModelSpend> spendByModel,
    List<Diagnosis.RoleTrouble> agents,
    List<ProviderErrors> providerErrors,
    List<Stall> stalls,
    List<String> recentWarnings) {

  public record StageTime(
      String stage, String state, double seconds, double share, int iterations, String note) {}

  public record StageSpend(String stage, long calls, BigDecimal costUsd, long latencyMs) {}

  public record ModelSpend(String model, long calls, BigDecimal costUsd, long latencyMs) {}

  public record ProviderErrors(
      String provider,
      String errorType,
      long count,
      long worstMinuteCount,
      Instant worstMinuteAt) {}

  public record Stall(String kind, String reason, Instant lastProgress) {}

  public static DiagnosisView of(Diagnosis d) {
    return new DiagnosisView(
        d.run().id(),
        d.project().id(),
        RunView.lower(d.run().state().name()),
        d.run().stage().map(Stage::id),
        d.elapsed().toMillis() / 1000.0,
        d.totals().calls(),
        d.totals().failedCalls(),
        d.totals().costUsd(),
        d.cause(),
        d.runbook(),
        d.stages().stream()
            .map(
                s ->
                    new StageTime(
                        s.stage(),
                        s.state(),
                        s.time().toMillis() / 1000.0,
                        s.share(),
                        s.iterations(),
                        s.note()))
            .toList(),
        d.spendByStage().stream()
            .map(s -> new StageSpend(s.name(), s.calls(), s.costUsd(), s.latencyMs()))
            .toList(),
        d.spendByModel().stream()
            .map(s -> new ModelSpend(s.name(), s.calls(), s.costUsd(), s.latencyMs()))
            .toList(),
        d.roles(),
        d.providerErrors().stream()
            .map(
                e ->
                    new ProviderErrors(
                        e.provider(), e.errorType(), e.count(), e.worstMinute(), e.worstMinuteAt()))
            .toList(),
        d.stalls().stream()
            .map(s -> new Stall(s.kind().id(), s.reason(), s.lastProgress()))
            .toList(),
        d.recentErrors());
  }
}
