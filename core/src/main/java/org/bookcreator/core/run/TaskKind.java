package org.bookcreator.core.run;

import java.util.Locale;
import java.util.Optional;

/**
 * What an agent task does. Each kind belongs to one role and either returns JSON checked against a
 * schema (in {@code /schemas/NAME.schema.json}), returns prose, or runs locally without an LLM.
 */
public enum TaskKind {
  PLAN(AgentRole.PLANNER, "plan"),
  PARSE_DOCUMENTS(AgentRole.DOC_PARSER, null),
  OUTLINE(AgentRole.PLANNER, "outline"),
  CRITIQUE_OUTLINE(AgentRole.CRITIC, "critique"),
  REVISE_OUTLINE(AgentRole.PLANNER, "outline"),
  RESEARCH(AgentRole.RESEARCHER, "facts"),
  MAP_FACTS(AgentRole.FACT_MAPPER, "fact_map"),
  DRAFT_CHAPTER(AgentRole.WRITER, null),
  CRITIQUE_CHAPTER(AgentRole.CRITIC, "critique"),
  REVISE_CHAPTER(AgentRole.WRITER, null),
  EDIT_CHAPTER(AgentRole.EDITOR, null),
  FACT_CHECK(AgentRole.FACT_CHECKER, "fact_check"),
  ASSEMBLE(AgentRole.ASSEMBLER, null);

  private final AgentRole role;
  private final String schema;

  TaskKind(AgentRole role, String schema) {
    this.role = role;
    this.schema = schema;
  }

  public AgentRole role() {
    return role;
  }

  /** The JSON Schema the output must satisfy, if the kind returns structured output. */
  public Optional<String> schema() {
    return Optional.ofNullable(schema);
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
