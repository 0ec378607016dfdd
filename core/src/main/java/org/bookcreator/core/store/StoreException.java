package org.bookcreator.core.store;

/** The store could not do what was asked; the message says what and, where known, what to do. */
public class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
