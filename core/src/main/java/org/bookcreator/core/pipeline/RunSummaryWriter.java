package org.bookcreator.core.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.bookcreator.core.cost.RunTotals;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.StageRecord;
import org.bookcreator.core.store.DiskFullException;
import org.bookcreator.core.store.Store;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Writes {@code summary.json} and {@code summary.md} beside the manuscript when a run ends. */
public final class RunSummaryWriter {
  private final Store store;
  private final Path outputDir;

  public RunSummaryWriter(Store store, Path outputDir) {
    this.store = store;
    this.outputDir = outputDir;
  }

  public static Path runDir(Path outputDir, String projectId, String runId) {
    return ManuscriptAssembler.runDir(outputDir, projectId, runId);
  }

  /** The summary as JSON: outcome, stages with durations and iterations, tokens, cost, events. */
  public ObjectNode summary(Run run) {
    ObjectNode root = Json.object();
    root.put("run_id", run.id());
    root.put("project_id", run.projectId());
    root.put("state", run.state().name().toLowerCase());
    run.reason().ifPresent(r -> root.put("reason", r));
    root.put("created_at", run.createdAt().toString());
    root.put("updated_at", run.updatedAt().toString());
    root.put("duration_ms", Duration.between(run.createdAt(), run.updatedAt()).toMillis());
    ArrayNode stages = root.putArray("stages");
    for (StageRecord s : store.stages(run.id())) {
      ObjectNode o = stages.addObject();
      o.put("stage", s.stage().id());
      o.put("state", s.state().name().toLowerCase());
      s.startedAt().ifPresent(t -> o.put("started_at", t.toString()));
      s.finishedAt().ifPresent(t -> o.put("finished_at", t.toString()));
      if (s.startedAt().isPresent() && s.finishedAt().isPresent()) {
        o.put(
            "duration_ms", Duration.between(s.startedAt().get(), s.finishedAt().get()).toMillis());
      }
      o.put("iterations", s.iterations());
      s.reason().ifPresent(r -> o.put("reason", r));
    }
    RunTotals t = store.totals(run.id());
    ObjectNode totals = root.putObject("totals");
    totals.put("calls", t.calls());
    totals.put("failed_calls", t.failedCalls());
    totals.put("unpriced_calls", t.unpricedCalls());
    totals.put("input_tokens", t.inputTokens());
    totals.put("output_tokens", t.outputTokens());
    totals.put("cost_usd", t.costUsd().toPlainString());
    Map<String, Integer> events = new TreeMap<>();
    for (RunEvent e : store.events(run.id())) events.merge(e.kind(), 1, Integer::sum);
    ObjectNode ev = root.putObject("events");
    events.forEach(ev::put);
    return root;
  }

  void write(Run run) {
    ObjectNode s = summary(run);
    Path dir = runDir(outputDir, run.projectId(), run.id());
    try {
      Files.createDirectories(dir);
      atomicWrite(
          dir.resolve("summary.json"),
          Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(s));
      atomicWrite(dir.resolve("summary.md"), markdown(s));
    } catch (IOException e) {
      if (DiskFullException.isNoSpace(e)) throw DiskFullException.in(outputDir, e);
      throw new UncheckedIOException("could not write the run summary to " + dir, e);
    }
  }

  private static String markdown(ObjectNode s) {
    StringBuilder md = new StringBuilder();
    md.append("# Run ").append(s.path("run_id").asString()).append("\n\n");
    md.append("- state: ").append(s.path("state").asString());
    if (s.has("reason")) md.append(" (").append(s.path("reason").asString()).append(')');
    md.append("\n- duration: ").append(s.path("duration_ms").asLong()).append(" ms\n");
    ObjectNode t = (ObjectNode) s.path("totals");
    md.append("- model calls: ")
        .append(t.path("calls").asLong())
        .append(" (")
        .append(t.path("failed_calls").asLong())
        .append(" failed)\n");
    md.append("- tokens: ")
        .append(t.path("input_tokens").asLong())
        .append(" in, ")
        .append(t.path("output_tokens").asLong())
        .append(" out\n");
    md.append("- cost: $").append(t.path("cost_usd").asString()).append("\n\n");
    md.append("| stage | state | duration ms | iterations | note |\n|---|---|---:|---:|---|\n");
    for (var st : s.path("stages")) {
      md.append("| ")
          .append(st.path("stage").asString())
          .append(" | ")
          .append(st.path("state").asString())
          .append(" | ")
          .append(st.has("duration_ms") ? st.path("duration_ms").asLong() : "")
          .append(" | ")
          .append(st.path("iterations").asInt())
          .append(" | ")
          .append(st.path("reason").asString("").replace("|", "\\|"))
          .append(" |\n");
    }
    return md.toString();
  }

  private static void atomicWrite(Path target, String content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
