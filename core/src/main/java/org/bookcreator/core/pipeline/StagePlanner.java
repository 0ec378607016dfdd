package org.bookcreator.core.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.bookcreator.core.run.Stage;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What each stage does, written as a replay: every call looks at the tasks already stored and
 * returns the next step. Task keys are deterministic, so asking again after a crash enqueues
 * nothing twice and reruns nothing that completed.
 */
final class StagePlanner {

  StageStep step(Stage stage, RunContext c) {
    return switch (stage) {
      case INTAKE -> intake(c);
      case DOCUMENT_PARSING -> documents(c);
      case OUTLINE -> outline(c);
      case STRUCTURE_CRITIQUE -> structureCritique(c);
      case RESEARCH -> research(c);
      case CHAPTER_WRITING -> chapters(c);
      case EDITING -> editing(c);
      case FACT_CHECK -> factCheck(c);
      case ASSEMBLY -> assembly(c);
    };
  }

  private StageStep intake(RunContext c) {
    JsonNode plan = c.json("intake/plan", Stage.INTAKE, TaskKind.PLAN, Json::object);
    if (plan == null) return c.pending();
    return new StageStep.Done(Json.write(plan), 1, "plan accepted");
  }

  private StageStep documents(RunContext c) {
    if (c.project.references().isEmpty()) return new StageStep.Skip("no reference documents");
    JsonNode parsed =
        c.json(
            "documents/parse",
            Stage.DOCUMENT_PARSING,
            TaskKind.PARSE_DOCUMENTS,
            () -> {
              ObjectNode in = Json.object();
              ArrayNode refs = in.putArray("references");
              c.project.references().forEach(refs::add);
              return in;
            });
    if (parsed == null) return c.pending();
    int ok = 0;
    for (JsonNode d : parsed.path("documents"))
      if ("parsed".equals(d.path("status").asString())) ok++;
    return new StageStep.Done(
        Json.write(parsed), 1, ok + " of " + c.project.references().size() + " documents parsed");
  }

  private StageStep outline(RunContext c) {
    JsonNode plan = c.stageResult(Stage.INTAKE);
    JsonNode outline =
        c.json(
            "outline/draft",
            Stage.OUTLINE,
            TaskKind.OUTLINE,
            () -> {
              ObjectNode in = Json.object();
              in.set("plan", plan);
              return in;
            });
    if (outline == null) return c.pending();
    return new StageStep.Done(
        Json.write(outline), 1, "outline of " + outline.path("chapters").size() + " chapters");
  }

  private StageStep structureCritique(RunContext c) {
    JsonNode outline = c.stageResult(Stage.OUTLINE);
    for (int i = 1; ; i++) {
      final JsonNode current = outline;
      final int iteration = i;
      JsonNode critique =
          c.json(
              "critique/score-" + i,
              Stage.STRUCTURE_CRITIQUE,
              TaskKind.CRITIQUE_OUTLINE,
              () -> {
                ObjectNode in = Json.object();
                in.set("outline", current);
                in.put("iteration", iteration);
                return in;
              });
      if (critique == null) return c.pending();
      double score = critique.path("score").asDouble();
      boolean passed = score >= c.config.outlineThreshold();
      if (passed || i >= c.config.outlineMaxIterations()) {
        ObjectNode result = Json.object();
        result.set("outline", current);
        result.put("iterations", i);
        result.put("score", score);
        result.put("passed", passed);
        String reason =
            passed
                ? "score "
                    + score
                    + " reached threshold "
                    + c.config.outlineThreshold()
                    + " after "
                    + i
                    + " round(s)"
                : "iteration cap "
                    + i
                    + " reached with score "
                    + score
                    + " below "
                    + c.config.outlineThreshold();
        return new StageStep.Done(Json.write(result), i, reason);
      }
      JsonNode revised =
          c.json(
              "critique/revise-" + i,
              Stage.STRUCTURE_CRITIQUE,
              TaskKind.REVISE_OUTLINE,
              () -> {
                ObjectNode in = Json.object();
                in.set("outline", current);
                in.set("issues", critique.path("issues"));
                in.put("iteration", iteration);
                return in;
              });
      if (revised == null) return c.pending();
      outline = revised;
    }
  }

  private StageStep research(RunContext c) {
    JsonNode outline = c.stageResult(Stage.STRUCTURE_CRITIQUE).path("outline");
    JsonNode docs = c.stageResult(Stage.DOCUMENT_PARSING);
    JsonNode facts =
        c.json(
            "research/facts",
            Stage.RESEARCH,
            TaskKind.RESEARCH,
            () -> {
              ObjectNode in = Json.object();
              in.set("outline", outline);
              ArrayNode sections = in.putArray("sections");
              for (JsonNode d : docs.path("documents")) {
                for (JsonNode s : d.path("sections")) {
                  if (sections.size() < 200) sections.add(s);
                }
              }
              return in;
            });
    if (facts == null) return c.pending();
    JsonNode map =
        c.json(
            "research/fact-map",
            Stage.RESEARCH,
            TaskKind.MAP_FACTS,
            () -> {
              ObjectNode in = Json.object();
              in.set("outline", outline);
              in.set("facts", facts.path("facts"));
              return in;
            });
    if (map == null) return c.pending();
    ObjectNode result = Json.object();
    result.set("facts", facts.path("facts"));
    result.set("map", map.path("chapters"));
    return new StageStep.Done(Json.write(result), 1, facts.path("facts").size() + " facts mapped");
  }

  private StageStep chapters(RunContext c) {
    JsonNode outline = c.stageResult(Stage.STRUCTURE_CRITIQUE).path("outline");
    JsonNode research = c.stageResult(Stage.RESEARCH);
    ArrayNode done = Json.MAPPER.createArrayNode();
    int maxIterations = 0;
    boolean waiting = false;
    for (JsonNode chapter : outline.path("chapters")) {
      int n = chapter.path("number").asInt();
      ArrayNode facts = factsFor(research, n);
      String prefix = "chapter-" + n + "/";
      String text =
          c.text(
              prefix + "draft-1",
              Stage.CHAPTER_WRITING,
              TaskKind.DRAFT_CHAPTER,
              () -> chapterInput(chapter, facts, 1));
      String finalKey = null;
      int iterations = 0;
      double score = 0;
      for (int j = 1; text != null; j++) {
        final String draft = text;
        final int iteration = j;
        JsonNode critique =
            c.json(
                prefix + "critique-" + j,
                Stage.CHAPTER_WRITING,
                TaskKind.CRITIQUE_CHAPTER,
                () -> {
                  ObjectNode in = chapterInput(chapter, facts, iteration);
                  in.put("text", draft);
                  return in;
                });
        if (critique == null) break;
        score = critique.path("score").asDouble();
        if (score >= c.config.chapterThreshold() || j >= c.config.chapterMaxIterations()) {
          finalKey = prefix + "draft-" + j;
          iterations = j;
          break;
        }
        text =
            c.text(
                prefix + "draft-" + (j + 1),
                Stage.CHAPTER_WRITING,
                TaskKind.REVISE_CHAPTER,
                () -> {
                  ObjectNode in = chapterInput(chapter, facts, iteration + 1);
                  in.put("text", draft);
                  in.set("issues", critique.path("issues"));
                  return in;
                });
      }
      if (finalKey == null) {
        waiting = true;
        continue;
      }
      maxIterations = Math.max(maxIterations, iterations);
      ObjectNode d = done.addObject();
      d.put("number", n);
      d.put("title", chapter.path("title").asString());
      d.put("text_key", finalKey);
      d.put("iterations", iterations);
      d.put("score", score);
    }
    if (waiting || c.failed()) return c.pending();
    ObjectNode result = Json.object();
    result.set("chapters", done);
    return new StageStep.Done(Json.write(result), maxIterations, done.size() + " chapters drafted");
  }

  private static ObjectNode chapterInput(JsonNode chapter, ArrayNode facts, int iteration) {
    ObjectNode in = Json.object();
    in.set("chapter", chapter);
    in.set("facts", facts);
    in.put("iteration", iteration);
    return in;
  }

  private static ArrayNode factsFor(JsonNode research, int chapter) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    List<String> ids = new ArrayList<>();
    for (JsonNode m : research.path("map")) {
      if (m.path("number").asInt() == chapter)
        m.path("fact_ids").forEach(id -> ids.add(id.asString()));
    }
    for (JsonNode f : research.path("facts")) {
      if (ids.contains(f.path("id").asString())) out.add(f);
    }
    return out;
  }

  private StageStep editing(RunContext c) {
    JsonNode written = c.stageResult(Stage.CHAPTER_WRITING);
    ArrayNode done = Json.MAPPER.createArrayNode();
    boolean waiting = false;
    for (JsonNode ch : written.path("chapters")) {
      int n = ch.path("number").asInt();
      String key = "edit/chapter-" + n;
      String edited =
          c.text(
              key,
              Stage.EDITING,
              TaskKind.EDIT_CHAPTER,
              () -> {
                ObjectNode in = Json.object();
                in.put("number", n);
                in.put("title", ch.path("title").asString());
                in.put("text", c.outputOf(ch.path("text_key").asString()));
                return in;
              });
      if (edited == null) {
        waiting = true;
        continue;
      }
      ObjectNode d = done.addObject();
      d.put("number", n);
      d.put("title", ch.path("title").asString());
      d.put("text_key", key);
    }
    if (waiting || c.failed()) return c.pending();
    ObjectNode result = Json.object();
    result.set("chapters", done);
    return new StageStep.Done(Json.write(result), 1, done.size() + " chapters edited");
  }

  private StageStep factCheck(RunContext c) {
    JsonNode research = c.stageResult(Stage.RESEARCH);
    JsonNode edited = c.stageResult(Stage.EDITING);
    JsonNode check =
        c.json(
            "fact-check/all",
            Stage.FACT_CHECK,
            TaskKind.FACT_CHECK,
            () -> {
              ObjectNode in = Json.object();
              in.set("facts", research.path("facts"));
              in.set("chapters", edited.path("chapters"));
              return in;
            });
    if (check == null) return c.pending();
    return new StageStep.Done(
        Json.write(check), 1, check.path("unsupported").size() + " unsupported claim(s) flagged");
  }

  private StageStep assembly(RunContext c) {
    JsonNode edited = c.stageResult(Stage.EDITING);
    JsonNode out =
        c.json(
            "assembly/manuscript",
            Stage.ASSEMBLY,
            TaskKind.ASSEMBLE,
            () -> {
              ObjectNode in = Json.object();
              in.put("project_id", c.project.id());
              in.put("run_id", c.run.id());
              in.set("plan", c.stageResult(Stage.INTAKE));
              in.set("fact_check", c.stageResult(Stage.FACT_CHECK));
              ArrayNode chapters = in.putArray("chapters");
              for (JsonNode ch : edited.path("chapters")) {
                ObjectNode o = chapters.addObject();
                o.put("number", ch.path("number").asInt());
                o.put("title", ch.path("title").asString());
                o.put("text", c.outputOf(ch.path("text_key").asString()));
              }
              return in;
            });
    if (out == null) return c.pending();
    return new StageStep.Done(
        Json.write(out), 1, "manuscript written to " + out.path("path").asString());
  }
}
