package org.bookcreator.core.pipeline;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the orchestrator and the agent workers. Immutable; validated as a whole so that every
 * bad value is reported at once. Defaults are documented in docs/configuration.md.
 *
 * @param outputDir where manuscripts and run summaries are written (under the data directory)
 * @param workers agent worker threads (virtual threads)
 * @param lease how long a claimed task stays leased without a heartbeat
 * @param heartbeat how often a working worker renews its lease and reports it is alive
 * @param maxAttempts attempts per task for retryable failures, the first included
 * @param backoffBase first retry delay; doubles per attempt, with jitter
 * @param backoffMax the longest retry delay
 * @param repairAttempts repair prompts after a schema violation before the task fails
 * @param outlineThreshold critic score (0..10) an outline must reach to leave structure critique
 * @param outlineMaxIterations critique rounds before structure critique stops anyway
 * @param chapterThreshold critic score (0..10) a chapter draft must reach
 * @param chapterMaxIterations critique rounds per chapter
 * @param idlePoll how long an idle worker waits before looking for work again
 * @param sweep how often the orchestrator re-checks every active run
 * @param callTimeout timeout of one model call
 * @param model the model every role uses ({@code default}: the provider's default)
 * @param roleModels per-role models overriding {@code model} (a cheap model for critique, a strong
 *     one for writing)
 */
public record PipelineConfig(
    Path outputDir,
    int workers,
    Duration lease,
    Duration heartbeat,
    int maxAttempts,
    Duration backoffBase,
    Duration backoffMax,
    int repairAttempts,
    double outlineThreshold,
    int outlineMaxIterations,
    double chapterThreshold,
    int chapterMaxIterations,
    Duration idlePoll,
    Duration sweep,
    Duration callTimeout,
    String model,
    java.util.Map<org.bookcreator.core.run.AgentRole, String> roleModels) {

  public PipelineConfig {
    Objects.requireNonNull(outputDir, "outputDir");
    List<String> problems = new ArrayList<>();
    if (workers < 1 || workers > 1024) problems.add("workers must be 1..1024, was " + workers);
    if (lease.compareTo(Duration.ofMillis(100)) < 0)
      problems.add("lease must be at least 100ms, was " + lease);
    if (heartbeat.isZero() || heartbeat.isNegative() || heartbeat.compareTo(lease) >= 0)
      problems.add(
          "heartbeat must be positive and shorter than the lease ("
              + lease
              + "), was "
              + heartbeat);
    if (maxAttempts < 1 || maxAttempts > 100)
      problems.add("max attempts must be 1..100, was " + maxAttempts);
    if (backoffBase.isNegative())
      problems.add("backoff base must not be negative, was " + backoffBase);
    if (backoffMax.compareTo(backoffBase) < 0)
      problems.add("backoff max must be at least the base, was " + backoffMax);
    if (repairAttempts < 0 || repairAttempts > 10)
      problems.add("repair attempts must be 0..10, was " + repairAttempts);
    if (outlineThreshold < 0 || outlineThreshold > 10)
      problems.add("outline threshold must be 0..10, was " + outlineThreshold);
    if (chapterThreshold < 0 || chapterThreshold > 10)
      problems.add("chapter threshold must be 0..10, was " + chapterThreshold);
    if (outlineMaxIterations < 1 || outlineMaxIterations > 20)
      problems.add("outline max iterations must be 1..20, was " + outlineMaxIterations);
    if (chapterMaxIterations < 1 || chapterMaxIterations > 20)
      problems.add("chapter max iterations must be 1..20, was " + chapterMaxIterations);
    if (idlePoll.isZero() || idlePoll.isNegative())
      problems.add("idle poll must be positive, was " + idlePoll);
    if (sweep.isZero() || sweep.isNegative()) problems.add("sweep must be positive, was " + sweep);
    if (callTimeout.isZero() || callTimeout.isNegative())
      problems.add("call timeout must be positive, was " + callTimeout);
    if (model == null || model.isBlank()) problems.add("model must not be blank");
    roleModels = java.util.Map.copyOf(roleModels == null ? java.util.Map.of() : roleModels);
    roleModels.forEach(
        (r, m) -> {
          if (!r.usesLlm()) problems.add("role " + r.id() + " does not call a model");
          if (m.isBlank()) problems.add("model of role " + r.id() + " must not be blank");
        });
    if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
  }

  /** Where a run's manuscript is written: {@code outputDir/projects/P/runs/R/manuscript.md}. */
  public Path manuscript(String projectId, String runId) {
    return ManuscriptAssembler.runDir(outputDir, projectId, runId).resolve("manuscript.md");
  }

  /** The defaults, writing into {@code outputDir}. */
  public static PipelineConfig defaults(Path outputDir) {
    return new PipelineConfig(
        outputDir,
        8,
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        5,
        Duration.ofMillis(500),
        Duration.ofSeconds(30),
        2,
        8.0,
        3,
        7.5,
        3,
        Duration.ofMillis(50),
        Duration.ofSeconds(1),
        Duration.ofSeconds(120),
        "default",
        java.util.Map.of());
  }

  public PipelineConfig withWorkers(int n) {
    return new PipelineConfig(
        outputDir,
        n,
        lease,
        heartbeat,
        maxAttempts,
        backoffBase,
        backoffMax,
        repairAttempts,
        outlineThreshold,
        outlineMaxIterations,
        chapterThreshold,
        chapterMaxIterations,
        idlePoll,
        sweep,
        callTimeout,
        model,
        roleModels);
  }

  public PipelineConfig withLease(Duration lease, Duration heartbeat) {
    return new PipelineConfig(
        outputDir,
        workers,
        lease,
        heartbeat,
        maxAttempts,
        backoffBase,
        backoffMax,
        repairAttempts,
        outlineThreshold,
        outlineMaxIterations,
        chapterThreshold,
        chapterMaxIterations,
        idlePoll,
        sweep,
        callTimeout,
        model,
        roleModels);
  }

  public PipelineConfig withRetries(int maxAttempts, Duration base, Duration max, int repairs) {
    return new PipelineConfig(
        outputDir,
        workers,
        lease,
        heartbeat,
        maxAttempts,
        base,
        max,
        repairs,
        outlineThreshold,
        outlineMaxIterations,
        chapterThreshold,
        chapterMaxIterations,
        idlePoll,
        sweep,
        callTimeout,
        model,
        roleModels);
  }

  public PipelineConfig withCritique(
      double outlineThreshold, int outlineMax, double chapterThreshold, int chapterMax) {
    return new PipelineConfig(
        outputDir,
        workers,
        lease,
        heartbeat,
        maxAttempts,
        backoffBase,
        backoffMax,
        repairAttempts,
        outlineThreshold,
        outlineMax,
        chapterThreshold,
        chapterMax,
        idlePoll,
        sweep,
        callTimeout,
        model,
        roleModels);
  }

  public PipelineConfig withRoleModels(
      java.util.Map<org.bookcreator.core.run.AgentRole, String> roleModels) {
    return new PipelineConfig(
        outputDir,
        workers,
        lease,
        heartbeat,
        maxAttempts,
        backoffBase,
        backoffMax,
        repairAttempts,
        outlineThreshold,
        outlineMaxIterations,
        chapterThreshold,
        chapterMaxIterations,
        idlePoll,
        sweep,
        callTimeout,
        model,
        roleModels);
  }

  /** The model a role's calls use. */
  public String modelFor(org.bookcreator.core.run.AgentRole role) {
    return roleModels.getOrDefault(role, model);
  }
}
