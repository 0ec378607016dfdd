package org.bookcreator.core.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the manuscript: a title page, a table of contents and the chapters, as one Markdown file.
 * The file is written beside its final name and moved into place, so a crash never leaves half a
 * manuscript behind.
 */
final class ManuscriptAssembler {
  private final Path outputDir;

  ManuscriptAssembler(Path outputDir) {
    this.outputDir = outputDir;
  }

  static Path runDir(Path outputDir, String projectId, String runId) {
    return outputDir.resolve("projects").resolve(projectId).resolve("runs").resolve(runId);
  }

  ObjectNode assemble(JsonNode input) throws IOException {
    JsonNode book = input.path("book");
    StringBuilder md = new StringBuilder();
    md.append("# ").append(book.path("title").asString()).append("\n\n");
    md.append("*A ").append(book.path("category").asString()).append(" book");
    if (book.has("audience")) md.append(" for ").append(book.path("audience").asString());
    md.append("*\n\n");
    String premise = input.path("plan").path("premise").asString();
    if (!premise.isBlank()) md.append("> ").append(premise.replace("\n", " ")).append("\n\n");
    md.append("## Contents\n\n");
    for (JsonNode ch : input.path("chapters")) {
      String heading = heading(ch);
      md.append("1. [").append(heading).append("](#").append(anchor(heading)).append(")\n");
    }
    md.append('\n');
    long words = 0;
    int count = 0;
    for (JsonNode ch : input.path("chapters")) {
      String text = ch.path("text").asString().strip();
      md.append("## ").append(heading(ch)).append("\n\n").append(text).append("\n\n");
      words += AgentExecutor.wordCount(text);
      count++;
    }
    Path dir =
        runDir(outputDir, input.path("project_id").asString(), input.path("run_id").asString());
    Files.createDirectories(dir);
    Path target = dir.resolve("manuscript.md"); // PipelineConfig#manuscript
    Path tmp = dir.resolve("manuscript.md.tmp");
    Files.writeString(tmp, md, StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    ObjectNode out = Json.object();
    out.put("path", target.toAbsolutePath().normalize().toString());
    out.put("chapters", count);
    out.put("words", words);
    return out;
  }

  private static String heading(JsonNode ch) {
    return "Chapter " + ch.path("number").asInt() + ": " + ch.path("title").asString();
  }

  static String anchor(String heading) {
    return heading
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{N} -]", "")
        .trim()
        .replace(' ', '-');
  }
}
