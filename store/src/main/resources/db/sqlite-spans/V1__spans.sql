-- The local span store, a database of its own (spans.db) so that span writes never wait on, or
-- hold up, the pipeline's transactions.
CREATE TABLE spans (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  trace_id        TEXT NOT NULL,
  span_id         TEXT NOT NULL,
  parent_span_id  TEXT,
  run_id          TEXT,
  name            TEXT NOT NULL,
  kind            TEXT NOT NULL,
  start_ns        INTEGER NOT NULL,
  end_ns          INTEGER NOT NULL,
  status          TEXT NOT NULL,
  error_type      TEXT,
  attributes      TEXT NOT NULL,
  UNIQUE (trace_id, span_id)
);
-- The UNIQUE index serves lookups by trace id; no other index, to keep writes cheap.
