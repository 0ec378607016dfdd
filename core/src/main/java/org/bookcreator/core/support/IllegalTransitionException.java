package org.bookcreator.core.support;

/** A lifecycle move that the state table does not allow, or that lost a race with another move. */
public final class IllegalTransitionException extends RuntimeException {
  public IllegalTransitionException(String message) {
    super(message);
  }
}
