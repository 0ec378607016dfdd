package org.bookcreator.app;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.view.ViewJson;
import org.bookcreator.telemetry.SpanRecord;
import org.bookcreator.telemetry.Telemetry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "trace",
    header = "Draw a run's trace as a waterfall (slowest path, errors, retries).",
    description = {
      "Draw a run's trace from the local span store as a waterfall: run, stages, agent tasks and",
      "model calls as bars on the run's time axis, with durations, retries and errors marked and"
          + " the",
      "slowest path starred. --depth 2 shows only the stages; --json prints the spans for machines."
    },
    mixinStandardHelpOptions = true)
final class TraceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();

  @Parameters(paramLabel = "RUN", description = "The run id (see bin/book-creator runs).")
  String runId;

  @Option(names = "--json", description = "The spans as a JSON array.")
  boolean json;

  @Option(
      names = "--depth",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Levels drawn, 0..20: 1 the run, 2 with its stages, 3 with agent tasks; 0 all"
              + " (default).")
  String depth;

  @Override
  public Integer call() {
    int depth = Flags.wholeNumber("--depth", this.depth, 0, 20);
    Settings settings = options.load(Map.of());
    PrintWriter out = spec.commandLine().getOut();
    try (Engine engine = Engine.require(settings)) {
      Store store = engine.store;
      if (store.run(runId).isEmpty())
        throw new Main.UsageException("no run " + Text.clean(runId) + " in " + settings.dataDir());
      if (json) {
        out.println(ViewJson.write(engine.operations.trace(runId)));
        out.flush();
        return ExitCodes.OK;
      }
      List<SpanRecord> spans = store.spans(Telemetry.traceIdFor(runId));
      if (spans.isEmpty()) {
        out.println(
            "no spans for run "
                + runId
                + " (tracing off, not sampled, or the run has not ended a stage yet)");
      } else {
        out.print(render(spans, depth));
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  /**
   * The trace as a terminal waterfall: each span a bar on the run's time axis, children under
   * parents by start time (spans whose parent is missing at the top level), with its duration;
   * {@code *} marks the slowest path (from the root, always the child that ended last), {@code !}
   * an error (with its type), and {@code retry N} a later attempt of a task. {@code maxDepth} 0
   * means all.
   */
  static String render(List<SpanRecord> spans, int maxDepth) {
    Map<String, List<SpanRecord>> children = new HashMap<>();
    Set<String> ids = new HashSet<>();
    spans.forEach(s -> ids.add(s.spanId()));
    List<SpanRecord> roots = new ArrayList<>();
    for (SpanRecord s : spans) {
      if (s.parentSpanId().isPresent() && ids.contains(s.parentSpanId().get())) {
        children.computeIfAbsent(s.parentSpanId().get(), k -> new ArrayList<>()).add(s);
      } else {
        roots.add(s);
      }
    }
    children.values().forEach(l -> l.sort(Comparator.comparingLong(SpanRecord::startNanos)));
    roots.sort(Comparator.comparingLong(SpanRecord::startNanos));
    long t0 = spans.stream().mapToLong(SpanRecord::startNanos).min().orElse(0);
    long t1 = spans.stream().mapToLong(SpanRecord::endNanos).max().orElse(t0);
    Set<String> slowest = new HashSet<>();
    roots.stream()
        .max(Comparator.comparingLong(SpanRecord::endNanos))
        .ifPresent(r -> markSlowest(r, children, slowest));
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "trace %s, %d spans, %s; * slowest path, ! error, retry N = the task's attempt N after"
                + " failures%n",
            spans.get(0).traceId(), spans.size(), ms(t1 - t0)));
    sb.append(
        String.format(
            "%-" + (LABEL + 2) + "s%-" + (BAR / 2 + 1) + "s%" + (BAR / 2 + 1) + "s%n",
            "",
            "0",
            ms(t1 - t0)));
    for (SpanRecord r : roots)
      draw(r, children, slowest, t0, Math.max(1, t1 - t0), 0, maxDepth, sb);
    return sb.toString();
  }

  /**
   * The critical path under a span: walking back from its end, the child that ended last, then the
   * child that ended last before that one started, and so on, each followed down the same way.
   */
  private static void markSlowest(
      SpanRecord span, Map<String, List<SpanRecord>> children, Set<String> marked) {
    marked.add(span.spanId());
    long t = span.endNanos();
    List<SpanRecord> kids = children.getOrDefault(span.spanId(), List.of());
    while (true) {
      long limit = t;
      SpanRecord last =
          kids.stream()
              .filter(k -> !marked.contains(k.spanId()) && k.endNanos() <= limit)
              .max(Comparator.comparingLong(SpanRecord::endNanos))
              .orElse(null);
      if (last == null) return;
      markSlowest(last, children, marked);
      t = last.startNanos();
    }
  }

  static String render(List<SpanRecord> spans) {
    return render(spans, 0);
  }

  private static final int LABEL = 52;
  private static final int BAR = 48;

  private static void draw(
      SpanRecord s,
      Map<String, List<SpanRecord>> children,
      Set<String> slowest,
      long t0,
      long total,
      int depth,
      int maxDepth,
      StringBuilder sb) {
    String key = s.attributes().getOrDefault("book_creator.task.key", "");
    String label =
        "  ".repeat(depth)
            + Text.clip(s.name() + (key.isEmpty() ? "" : " " + key), LABEL - 2 * depth);
    int from = (int) Math.min(BAR - 1, (s.startNanos() - t0) * BAR / total);
    int to = (int) Math.max(from + 1, Math.min(BAR, (s.endNanos() - t0) * BAR / total));
    char[] bar = " ".repeat(BAR).toCharArray();
    for (int i = from; i < to; i++) bar[i] = slowest.contains(s.spanId()) ? '=' : '#';
    String attempt = s.attributes().getOrDefault("book_creator.attempt", "");
    String notes =
        (attempt.matches("\\d+") && Integer.parseInt(attempt) > 0 ? "  retry " + attempt : "")
            + s.errorType().map(e -> "  ! " + Text.clean(e)).orElse("");
    sb.append(slowest.contains(s.spanId()) ? '*' : ' ')
        .append(' ')
        .append(
            String.format(
                "%-" + LABEL + "s|%s| %9s%s%n",
                label,
                new String(bar),
                ms(s.durationNanos()),
                notes));
    if (maxDepth > 0 && depth + 1 >= maxDepth) return;
    for (SpanRecord k : children.getOrDefault(s.spanId(), List.of()))
      draw(k, children, slowest, t0, total, depth + 1, maxDepth, sb);
  }

  private static String ms(long nanos) {
    long n = Math.max(0, nanos);
    if (n < 10_000_000L) return String.format("%.2fms", n / 1e6);
    if (n < 1_000_000_000L) return String.format("%dms", n / 1_000_000L);
    return Text.duration(Duration.ofNanos(n));
  }
}
