package org.bookcreator.app;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import org.bookcreator.telemetry.SpanRecord;
import org.bookcreator.telemetry.Telemetry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "trace", description = {
    "Print a run's span tree from the local span store: run, stages, agent tasks, model calls,",
    "with start offsets, durations and errors. --json prints the spans for machines."},
    mixinStandardHelpOptions = true)
final class TraceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Options options = new Options();

  @Parameters(paramLabel = "RUN", description = "The run id (see bin/book-creator runs).")
  String runId;

  @Option(names = "--json", description = "The spans as a JSON array.")
  boolean json;

  @Override
  public Integer call() {
    Settings settings = options.load(Map.of());
    Observability.start(settings, Observability.Mode.READER);
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = StoreReader.require(settings)) {
      if (store.run(runId).isEmpty()) throw new Main.UsageException("no run " + Text.clean(runId) + " in " + settings.dataDir());
      List<SpanRecord> spans = store.spans(Telemetry.traceIdFor(runId));
      if (json) {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (SpanRecord s : spans) arr.add(toJson(s));
        out.println(Json.write(arr));
      } else if (spans.isEmpty()) {
        out.println("no spans for run " + runId + " (tracing off, not sampled, or the run has not ended a stage yet)");
      } else {
        out.print(render(spans));
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  static ObjectNode toJson(SpanRecord s) {
    ObjectNode o = Json.object();
    o.put("trace_id", s.traceId());
    o.put("span_id", s.spanId());
    s.parentSpanId().ifPresent(p -> o.put("parent_span_id", p));
    o.put("name", s.name());
    o.put("kind", s.kind());
    o.put("start_unix_nano", s.startNanos());
    o.put("end_unix_nano", s.endNanos());
    o.put("status", s.status());
    s.errorType().ifPresent(e -> o.put("error_type", e));
    ObjectNode a = o.putObject("attributes");
    s.attributes().forEach(a::put);
    return o;
  }

  /** The tree, children under parents by start time; spans whose parent is missing are listed at the top level. */
  static String render(List<SpanRecord> spans) {
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
    long t0 = spans.stream().mapToLong(SpanRecord::startNanos).min().orElse(0);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("trace %s, %d spans%n", spans.get(0).traceId(), spans.size()));
    roots.sort(Comparator.comparingLong(SpanRecord::startNanos));
    for (SpanRecord r : roots) draw(r, children, t0, "", sb);
    return sb.toString();
  }

  private static void draw(SpanRecord s, Map<String, List<SpanRecord>> children, long t0, String indent, StringBuilder sb) {
    String label = indent + Text.clip(s.name(), 60);
    sb.append(String.format("%-64s +%9s %9s%s%n", label, ms(s.startNanos() - t0), ms(s.durationNanos()),
        s.errorType().map(e -> "  ERROR " + Text.clean(e)).orElse("")));
    List<SpanRecord> kids = new ArrayList<>(children.getOrDefault(s.spanId(), List.of()));
    kids.sort(Comparator.comparingLong(SpanRecord::startNanos));
    for (SpanRecord k : kids) draw(k, children, t0, indent + "  ", sb);
  }

  private static String ms(long nanos) {
    long n = Math.max(0, nanos);
    if (n < 10_000_000L) return String.format("%.2fms", n / 1e6);
    if (n < 1_000_000_000L) return String.format("%dms", n / 1_000_000L);
    return Text.duration(Duration.ofNanos(n));
  }
}
