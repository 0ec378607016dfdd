package org.bookcreator.providers.simulated;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the simulated provider. Latency is log-normal around {@code latencyMedian} (zero
 * means answers come back at once). Fault rates are probabilities per call (0..1) and together must
 * not exceed 1. Documented in docs/configuration.md.
 */
public record SimulationConfig(
    long seed,
    Duration latencyMedian,
    double latencySigma,
    double timeoutRate,
    double rateLimitRate,
    double serverErrorRate,
    double malformedRate,
    double schemaViolationRate,
    Duration retryAfter,
    int wordsPerChapter) {

  public SimulationConfig {
    List<String> problems = new ArrayList<>();
    if (latencyMedian.isNegative()) problems.add("latency median must not be negative");
    if (latencySigma < 0 || latencySigma > 3)
      problems.add("latency sigma must be 0..3, was " + latencySigma);
    double total = 0;
    for (double r :
        new double[] {
          timeoutRate, rateLimitRate, serverErrorRate, malformedRate, schemaViolationRate
        }) {
      if (r < 0 || r > 1 || Double.isNaN(r)) problems.add("fault rates must be 0..1, got " + r);
      total += r;
    }
    if (total > 1.0000001) problems.add("fault rates add up to " + total + ", more than 1");
    if (retryAfter.isNegative()) problems.add("retry-after must not be negative");
    if (wordsPerChapter < 50 || wordsPerChapter > 20000)
      problems.add("words per chapter must be 50..20000, was " + wordsPerChapter);
    if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
  }

  /** No latency, no faults: what tests and benchmarks use. */
  public static SimulationConfig instant(long seed) {
    return new SimulationConfig(seed, Duration.ZERO, 0, 0, 0, 0, 0, 0, Duration.ofMillis(200), 600);
  }

  /** Realistic latency and fault rates, as in the demo. */
  public static SimulationConfig realistic(long seed) {
    return new SimulationConfig(
        seed,
        Duration.ofMillis(400),
        0.5,
        0.01,
        0.02,
        0.01,
        0.02,
        0.02,
        Duration.ofMillis(800),
        600);
  }

  public SimulationConfig withFaults(
      double timeout, double rateLimit, double server, double malformed, double schema) {
    return new SimulationConfig(
        seed,
        latencyMedian,
        latencySigma,
        timeout,
        rateLimit,
        server,
        malformed,
        schema,
        retryAfter,
        wordsPerChapter);
  }

  public SimulationConfig withLatency(Duration median, double sigma) {
    return new SimulationConfig(
        seed,
        median,
        sigma,
        timeoutRate,
        rateLimitRate,
        serverErrorRate,
        malformedRate,
        schemaViolationRate,
        retryAfter,
        wordsPerChapter);
  }

  public SimulationConfig withSeed(long seed) {
    return new SimulationConfig(
        seed,
        latencyMedian,
        latencySigma,
        timeoutRate,
        rateLimitRate,
        serverErrorRate,
        malformedRate,
        schemaViolationRate,
        retryAfter,
        wordsPerChapter);
  }

  public SimulationConfig withWordsPerChapter(int words) {
    return new SimulationConfig(
        seed,
        latencyMedian,
        latencySigma,
        timeoutRate,
        rateLimitRate,
        serverErrorRate,
        malformedRate,
        schemaViolationRate,
        retryAfter,
        words);
  }
}
