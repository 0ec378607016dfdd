package org.bookcreator.core.run;

import java.util.Locale;

/** Who does a piece of work. Roles without an LLM ({@link #usesLlm()} false) run locally. */
public enum AgentRole {
  PLANNER(true),
  DOC_PARSER(false),
  CRITIC(true),
  RESEARCHER(true),
  FACT_MAPPER(true),
  WRITER(true),
  EDITOR(true),
  FACT_CHECKER(true),
  ASSEMBLER(false);

  private final boolean usesLlm;

  AgentRole(boolean usesLlm) {
    this.usesLlm = usesLlm;
  }

  public boolean usesLlm() {
    return usesLlm;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static AgentRole fromId(String id) {
    for (AgentRole r : values()) {
      if (r.id().equals(id) || r.name().equals(id)) return r;
    }
    throw new IllegalArgumentException("unknown agent role '" + id + "'");
  }
}
