package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code bench --dashboard} on a tiny library: every request is timed and answered 2xx. */
class DashboardBenchTest {
  private static final Pattern REQUEST =
      Pattern.compile(
          "^(overview|runs|run|alerts|logs|workers|library|costs|agents|providers)\\s+.+?\\s+(\\d{3})\\s+[\\d.]+\\s");
  private static final Pattern SUMMARY = Pattern.compile("^(\\d+) requests, 2 repetitions each");

  @Test
  void dashboardBench_tinyLibrary_printsEveryRequestWithStatus200() {
    Cli bench =
        Cli.run(
            "bench",
            "--dashboard",
            "--projects",
            "20",
            "--runs",
            "60",
            "--ledger-rows",
            "1000",
            "--log-records",
            "1000",
            "--repeat",
            "2",
            "--warmup",
            "0");

    assertThat(bench.exitCode()).as(bench.out() + bench.err()).isZero();
    List<String> lines = bench.out().lines().toList();
    List<Matcher> requests = lines.stream().map(REQUEST::matcher).filter(Matcher::find).toList();
    int announced =
        lines.stream()
            .map(SUMMARY::matcher)
            .filter(Matcher::find)
            .mapToInt(m -> Integer.parseInt(m.group(1)))
            .findFirst()
            .orElseThrow();
    assertThat(requests).hasSize(announced).hasSizeGreaterThan(25);
    assertThat(requests).allSatisfy(m -> assertThat(m.group(2)).isEqualTo("200"));
    assertThat(lines.stream().map(l -> l.split("\\s+")[0]).distinct())
        .contains(
            "overview",
            "runs",
            "run",
            "alerts",
            "logs",
            "workers",
            "library",
            "costs",
            "agents",
            "providers");
    assertThat(bench.out()).contains("0 failed").doesNotContain("failed:");
  }

  @Test
  void dashboardBench_fewerRunsThanProjects_isAUsageError() {
    Cli bench = Cli.run("bench", "--dashboard", "--projects", "20", "--runs", "10");

    assertThat(bench.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(bench.err()).contains("--runs");
  }
}
