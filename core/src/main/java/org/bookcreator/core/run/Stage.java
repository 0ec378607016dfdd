package org.bookcreator.core.run;

import java.util.List;
import java.util.Locale;

/** The pipeline's stages, in the order a run passes through them. */
public enum Stage {
  INTAKE(List.of(AgentRole.PLANNER)),
  DOCUMENT_PARSING(List.of(AgentRole.DOC_PARSER)),
  OUTLINE(List.of(AgentRole.PLANNER)),
  STRUCTURE_CRITIQUE(List.of(AgentRole.CRITIC, AgentRole.PLANNER)),
  RESEARCH(List.of(AgentRole.RESEARCHER, AgentRole.FACT_MAPPER)),
  CHAPTER_WRITING(List.of(AgentRole.WRITER, AgentRole.CRITIC)),
  EDITING(List.of(AgentRole.EDITOR)),
  FACT_CHECK(List.of(AgentRole.FACT_CHECKER)),
  ASSEMBLY(List.of(AgentRole.ASSEMBLER));

  private final List<AgentRole> roles;

  Stage(List<AgentRole> roles) {
    this.roles = roles;
  }

  public List<AgentRole> roles() {
    return roles;
  }

  /**
   * The name used in logs, metrics, the store and on the command line, e.g. {@code
   * chapter_writing}.
   */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Stage fromId(String id) {
    for (Stage s : values()) {
      if (s.id().equals(id) || s.name().equals(id)) return s;
    }
    throw new IllegalArgumentException("unknown stage '" + id + "' (one of: " + ids() + ")");
  }

  public static String ids() {
    return String.join(", ", java.util.Arrays.stream(values()).map(Stage::id).toList());
  }
}
