package org.bookcreator.core.store;

/**
 * The store cannot go on in this process, and trying again will not mend it: the disk is full, or a
 * database file is damaged. The pipeline stops on it, leaving every run as the store last recorded
 * it, and the commands exit with code 3 and its message, which names the file or the directory and
 * what to do.
 */
public abstract sealed class StoreUnusableException extends StoreException
    permits DiskFullException, StoreDamagedException {
  StoreUnusableException(String message, Throwable cause) {
    super(message, cause);
  }
}
