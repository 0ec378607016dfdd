package org.bookcreator.core.store;

/**
 * A database file of the store is damaged, or is not a database at all. The message names the file,
 * what looks wrong, what the file holds and the runbook to follow; the file is left exactly as it
 * was found, never repaired or replaced without the operator.
 */
public final class StoreDamagedException extends StoreUnusableException {
  public StoreDamagedException(String message, Throwable cause) {
    super(message, cause);
  }
}
