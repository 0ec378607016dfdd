package org.bookcreator.core.store;

/** Another process holds the data directory. */
public final class StoreLockedException extends StoreException {
  public StoreLockedException(String message) {
    super(message);
  }
}
