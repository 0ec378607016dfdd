package org.bookcreator.core.store;

import java.util.Arrays;

/**
 * The fixed latency buckets of the {@code call_latency_hourly} rollup (V20): bucket {@code i} holds
 * the latencies above {@code BOUNDS_MS[i - 1]} up to {@code BOUNDS_MS[i]} (inclusive), the last
 * bucket ({@code BOUNDS_MS.length}) every latency above the last bound. The migrations hold the
 * same bounds (a CASE expression in SQLite, {@code latency_bucket} in PostgreSQL); a test checks
 * that they agree with {@link #bucketOf}. The SQL is the store's business; the bounds and the
 * quantile rule are the store contract's, so every store reads the same figures.
 *
 * <p>A quantile read from the buckets is exact to a bucket: the upper bound of the bucket that
 * holds the nearest-rank latency (the last bound for the overflow bucket). The bounds are about 25%
 * apart from 100 ms to a minute, so a p95 of 3,200 ms reads as 3,500 ms.
 */
public final class LatencyBuckets {
  private LatencyBuckets() {}

  private static final long[] BOUNDS_MS = {
    5, 10, 25, 50, 75, 100, 125, 150, 175, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900,
    1000, 1250, 1500, 1750, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 6000, 7000, 8000, 9000, 10000,
    12500, 15000, 17500, 20000, 25000, 30000, 35000, 40000, 45000, 50000, 60000, 75000, 90000,
    120000, 150000, 180000, 240000, 300000, 450000, 600000
  };

  /** How many buckets there are: one per bound and the overflow bucket. */
  public static int count() {
    return BOUNDS_MS.length + 1;
  }

  /** The bucket of a latency. */
  public static int bucketOf(long latencyMs) {
    for (int i = 0; i < BOUNDS_MS.length; i++) if (latencyMs <= BOUNDS_MS[i]) return i;
    return BOUNDS_MS.length;
  }

  /** What a quantile in this bucket reads as: its upper bound (the last bound for overflow). */
  public static long upperBoundMs(int bucket) {
    return BOUNDS_MS[Math.min(bucket, BOUNDS_MS.length - 1)];
  }

  /**
   * The nearest-rank quantile of a histogram ({@code counts[i]} latencies in bucket {@code i}), as
   * the upper bound of the bucket that holds the {@code ceil(percent * n / 100)}-th smallest; 0
   * when the histogram is empty.
   */
  public static long quantileMs(long[] counts, int percent) {
    long n = 0;
    for (long c : counts) n += c;
    if (n <= 0) return 0;
    long rank = Math.max(1, (n * percent + 99) / 100);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) return upperBoundMs(i);
    }
    return upperBoundMs(counts.length - 1);
  }

  /** The bounds, in milliseconds, ascending: bucket {@code i}'s upper bound is the {@code i}-th. */
  public static long[] boundsMs() {
    return Arrays.copyOf(BOUNDS_MS, BOUNDS_MS.length);
  }
}
