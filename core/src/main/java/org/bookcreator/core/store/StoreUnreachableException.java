package org.bookcreator.core.store;

/**
 * The store's database server could not be reached: a refused or lost connection, a server shutting
 * down. Unlike other store failures it may pass by itself, so a long-lived process waits it out.
 */
public final class StoreUnreachableException extends StoreException {
  public StoreUnreachableException(String message) {
    super(message);
  }
}
