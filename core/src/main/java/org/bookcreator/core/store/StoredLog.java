package org.bookcreator.core.store;

import org.bookcreator.telemetry.LogLine;

/** A log record in the store's copy, with the id that orders records and pages through them. */
public record StoredLog(long id, LogLine line) {}
