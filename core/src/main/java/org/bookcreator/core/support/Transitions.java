package org.bookcreator.core.support;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * One table of legal moves for a lifecycle enum. Every state change of runs, stages and tasks is
 * checked against such a table before it is stored; illegal moves are rejected with both states
 * named.
 */
public final class Transitions<S extends Enum<S>> {
  private final String entity;
  private final Map<S, Set<S>> allowed;

  private Transitions(String entity, Map<S, Set<S>> allowed) {
    this.entity = entity;
    this.allowed = allowed;
  }

  public static <S extends Enum<S>> Builder<S> of(String entity, Class<S> type) {
    return new Builder<>(entity, type);
  }

  public boolean allows(S from, S to) {
    return allowed.get(from).contains(to);
  }

  /** Throws {@link IllegalTransitionException} unless {@code from -> to} is in the table. */
  public void require(S from, S to, String id) {
    if (!allows(from, to)) {
      throw new IllegalTransitionException(
          entity
              + " "
              + id
              + ": illegal move "
              + from
              + " -> "
              + to
              + " (allowed from "
              + from
              + ": "
              + (allowed.get(from).isEmpty() ? "none, it is final" : allowed.get(from))
              + ")");
    }
  }

  public Set<S> targets(S from) {
    return allowed.get(from);
  }

  public static final class Builder<S extends Enum<S>> {
    private final String entity;
    private final Class<S> type;
    private final Map<S, Set<S>> allowed;

    private Builder(String entity, Class<S> type) {
      this.entity = entity;
      this.type = type;
      this.allowed = new EnumMap<>(type);
      for (S s : type.getEnumConstants()) {
        allowed.put(s, EnumSet.noneOf(type));
      }
    }

    @SafeVarargs
    public final Builder<S> allow(S from, S... to) {
      for (S t : to) {
        allowed.get(from).add(t);
      }
      return this;
    }

    public Transitions<S> build() {
      Map<S, Set<S>> frozen = new EnumMap<>(type);
      allowed.forEach((k, v) -> frozen.put(k, Set.copyOf(v)));
      return new Transitions<>(entity, frozen);
    }
  }
}
