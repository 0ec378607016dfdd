package org.bookcreator.store.jdbc;

/** The SQL engines a store runs on, for the few statements they spell differently. */
public enum Dialect {
  SQLITE,
  POSTGRES;
}
