package org.bookcreator.core.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bookcreator.core.llm.Message;
import org.bookcreator.core.run.TaskKind;
import tools.jackson.databind.JsonNode;

/**
 * The prompts each agent role sends. A prompt is built from the task's stored input only, so the
 * same task always sends the same prompt (which keeps retries and resumes comparable).
 */
public final class Prompts {
  public static final String TEXT_START = "---BEGIN TEXT---";
  public static final String TEXT_END = "---END TEXT---";

  private Prompts() {}

  public static List<Message> build(TaskKind kind, JsonNode input, String schemaText) {
    JsonNode book = input.path("book");
    List<Message> m = new ArrayList<>();
    m.add(Message.system(system(kind)));
    StringBuilder u = new StringBuilder();
    u.append("Book: \"")
        .append(book.path("title").asString())
        .append("\" (")
        .append(book.path("category").asString())
        .append(", ")
        .append(book.path("chapters").asInt())
        .append(" chapters");
    if (book.has("audience")) u.append(", for ").append(book.path("audience").asString());
    u.append(").\nBrief:\n").append(book.path("brief").asString()).append("\n\n");
    switch (kind) {
      case PLAN ->
          u.append(
              "Write the book's plan: premise, tone, themes, chapter count and target words per"
                  + " chapter.");
      case OUTLINE ->
          u.append("Plan:\n")
              .append(input.path("plan"))
              .append("\n\nWrite an outline with exactly ")
              .append(book.path("chapters").asInt())
              .append(" chapters, each with a title and a summary.");
      case CRITIQUE_OUTLINE ->
          u.append("Outline (round ")
              .append(input.path("iteration").asInt())
              .append("):\n")
              .append(input.path("outline"))
              .append("\n\nScore the structure from 0 to 10 and list concrete issues.");
      case REVISE_OUTLINE ->
          u.append("Outline:\n")
              .append(input.path("outline"))
              .append("\n\nIssues raised:\n")
              .append(input.path("issues"))
              .append("\n\nRevise the outline to fix these issues; keep exactly ")
              .append(book.path("chapters").asInt())
              .append(" chapters.");
      case RESEARCH ->
          u.append("Outline:\n")
              .append(input.path("outline"))
              .append("\n\nReference sections:\n")
              .append(input.path("sections"))
              .append("\n\nList the facts the book can rely on, each with its source.");
      case MAP_FACTS ->
          u.append("Outline:\n")
              .append(input.path("outline"))
              .append("\n\nFacts:\n")
              .append(input.path("facts"))
              .append("\n\nAssign each fact to the chapters that should use it.");
      case DRAFT_CHAPTER, REVISE_CHAPTER -> {
        JsonNode ch = input.path("chapter");
        u.append("Chapter ")
            .append(ch.path("number").asInt())
            .append(": ")
            .append(ch.path("title").asString())
            .append("\nSummary: ")
            .append(ch.path("summary").asString())
            .append("\nFacts to use:\n")
            .append(input.path("facts"))
            .append('\n');
        if (kind == TaskKind.REVISE_CHAPTER) {
          u.append("\nThe critic raised:\n")
              .append(input.path("issues"))
              .append("\nRevise the draft below to address them.\n")
              .append(TEXT_START)
              .append('\n')
              .append(input.path("text").asString())
              .append('\n')
              .append(TEXT_END);
        } else {
          u.append("\nWrite the chapter in Markdown prose, without its heading.");
        }
      }
      case CRITIQUE_CHAPTER -> {
        JsonNode ch = input.path("chapter");
        u.append("Chapter ")
            .append(ch.path("number").asInt())
            .append(": ")
            .append(ch.path("title").asString())
            .append(" (round ")
            .append(input.path("iteration").asInt())
            .append(")\n")
            .append(TEXT_START)
            .append('\n')
            .append(input.path("text").asString())
            .append('\n')
            .append(TEXT_END)
            .append("\nScore the chapter from 0 to 10 and list concrete issues.");
      }
      case EDIT_CHAPTER ->
          u.append("Chapter ")
              .append(input.path("number").asInt())
              .append(": ")
              .append(input.path("title").asString())
              .append('\n')
              .append("Edit for consistency, clarity and style; return the full edited chapter.\n")
              .append(TEXT_START)
              .append('\n')
              .append(input.path("text").asString())
              .append('\n')
              .append(TEXT_END);
      case FACT_CHECK ->
          u.append("Facts:\n")
              .append(input.path("facts"))
              .append("\n\nChapters:\n")
              .append(excerpts(input.path("chapters")))
              .append("\nList claims the facts do not support.");
      case PARSE_DOCUMENTS, ASSEMBLE ->
          throw new IllegalArgumentException(kind + " does not use a model");
    }
    if (schemaText != null) {
      u.append("\n\nAnswer with one JSON object only, valid against this JSON Schema:\n")
          .append(schemaText);
    }
    m.add(Message.user(u.toString()));
    return m;
  }

  /** The message asking the model to fix output that failed validation. */
  public static Message repair(String violation) {
    return Message.user(
        "Your answer was rejected: "
            + violation
            + "\nAnswer again with one JSON object only that satisfies the schema. No commentary.");
  }

  public static Message repairProse(String violation) {
    return Message.user(
        "Your answer was rejected: " + violation + "\nWrite the full chapter text again.");
  }

  /** Bounded, non-secret facts about the call, used by the simulated provider and telemetry. */
  public static Map<String, String> hints(TaskKind kind, JsonNode input) {
    Map<String, String> h = new HashMap<>();
    JsonNode book = input.path("book");
    h.put("book_title", book.path("title").asString());
    h.put("category", book.path("category").asString());
    h.put("chapters", Integer.toString(book.path("chapters").asInt()));
    if (input.has("iteration"))
      h.put("iteration", Integer.toString(input.path("iteration").asInt()));
    JsonNode ch = input.path("chapter");
    if (ch.isObject()) {
      h.put("chapter", Integer.toString(ch.path("number").asInt()));
      h.put("chapter_title", ch.path("title").asString());
      h.put("chapter_summary", ch.path("summary").asString());
      h.put("fact_count", Integer.toString(input.path("facts").size()));
    } else if (input.has("number")) {
      h.put("chapter", Integer.toString(input.path("number").asInt()));
      h.put("chapter_title", input.path("title").asString());
    }
    return h;
  }

  private static String excerpts(JsonNode chapters) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode c : chapters) {
      sb.append("- ")
          .append(c.path("number").asInt())
          .append(": ")
          .append(c.path("title").asString())
          .append('\n');
    }
    return sb.toString();
  }

  private static String system(TaskKind kind) {
    return switch (kind.role()) {
      case PLANNER ->
          "You are the planner of a book-writing team. You turn briefs into plans and outlines.";
      case CRITIC ->
          "You are a demanding but fair editor-critic. You score work from 0 to 10 and name"
              + " concrete issues.";
      case RESEARCHER ->
          "You are a careful researcher. You extract verifiable facts and cite where they come"
              + " from.";
      case FACT_MAPPER -> "You map researched facts to the chapters that should use them.";
      case WRITER ->
          "You are a skilled author. You write vivid, well-structured chapter prose in Markdown.";
      case EDITOR ->
          "You are a copy and line editor. You keep the author's voice and fix consistency and"
              + " style.";
      case FACT_CHECKER ->
          "You are a fact checker. You compare claims with the fact list and flag what is"
              + " unsupported.";
      case DOC_PARSER, ASSEMBLER -> "";
    };
  }
}
