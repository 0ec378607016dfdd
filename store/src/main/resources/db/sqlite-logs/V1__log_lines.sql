-- The indexed copy of the logs, a database of its own (logs.db) so that log writes never wait on,
-- or hold up, the pipeline's transactions. Each row is the JSON line as written to the log file,
-- plus the fields queries filter on. The id orders records (newest first = highest id).
CREATE TABLE log_lines (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  ts          INTEGER NOT NULL,
  severity    INTEGER NOT NULL,
  project_id  TEXT,
  run_id      TEXT,
  stage       TEXT,
  agent_role  TEXT,
  provider    TEXT,
  trace_id    TEXT,
  request_id  TEXT,
  line        TEXT NOT NULL
);
-- Partial indexes: most lines of a busy system carry a run, but the index skips those that do not.
-- Each index is (column, rowid), so "WHERE run_id = ? ORDER BY id DESC LIMIT n" walks it backwards.
CREATE INDEX log_lines_run ON log_lines(run_id) WHERE run_id IS NOT NULL;
CREATE INDEX log_lines_project ON log_lines(project_id) WHERE project_id IS NOT NULL;
CREATE INDEX log_lines_trace ON log_lines(trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX log_lines_request ON log_lines(request_id) WHERE request_id IS NOT NULL;
CREATE INDEX log_lines_ts ON log_lines(ts);
