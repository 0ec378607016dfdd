package org.bookcreator.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link TelemetryBenchmark}'s three methods timed by the calling thread's CPU time instead of wall
 * time, interleaved in rounds (the order rotating each round): on a shared machine whose run queue
 * is many times its cores, wall-time averages measure the scheduler as much as the code, while the
 * CPU time a thread spends per operation still compares the paths. Run with {@code java -cp
 * bench/target/benchmarks.jar org.bookcreator.bench.TelemetryCpuTime [rounds] [opsPerRound]}.
 */
public final class TelemetryCpuTime {
  private TelemetryCpuTime() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int ops = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    TelemetryBenchmark bench = new TelemetryBenchmark();
    bench.setUp();
    try {
      Map<String, Runnable> paths = new LinkedHashMap<>();
      paths.put("modelCallTelemetry", bench::modelCallTelemetry);
      paths.put("modelCallTelemetryInline", bench::modelCallTelemetryInline);
      paths.put("rawOpenTelemetryAndLogback", bench::rawOpenTelemetryAndLogback);
      List<String> names = new ArrayList<>(paths.keySet());
      Map<String, double[]> perOp = new LinkedHashMap<>();
      names.forEach(n -> perOp.put(n, new double[rounds]));
      for (int warmup = 0; warmup < 5; warmup++) {
        for (Runnable path : paths.values()) repeat(path, ops);
      }
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < names.size(); i++) {
          String name = names.get((round + i) % names.size());
          long start = threads.getCurrentThreadCpuTime();
          repeat(paths.get(name), ops);
          perOp.get(name)[round] = (threads.getCurrentThreadCpuTime() - start) / (double) ops;
        }
      }
      System.out.printf("%d rounds of %,d operations each; CPU ns per operation%n", rounds, ops);
      System.out.printf("%-28s %8s %8s %8s%n", "path", "median", "min", "max");
      perOp.forEach(
          (name, values) -> {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            System.out.printf(
                "%-28s %8.0f %8.0f %8.0f%n",
                name, sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
          });
    } finally {
      bench.tearDown();
    }
  }

  private static void repeat(Runnable path, int times) {
    for (int i = 0; i < times; i++) path.run();
  }
}
