package org.bookcreator.core.llm;

import java.util.Locale;

/** Why a model call failed, classified at the adapter. The id is a bounded metric label. */
public enum ErrorType {
  TIMEOUT,
  RATE_LIMITED,
  SERVER_ERROR,
  CONNECTION,
  AUTHENTICATION,
  INVALID_REQUEST,
  UNKNOWN_MODEL,
  MALFORMED_OUTPUT,
  SCHEMA_VIOLATION,
  INTERNAL;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ErrorType fromId(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}
