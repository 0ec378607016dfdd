-- Book Creator store, version 1. Times are Unix epoch milliseconds (UTC); money is integer
-- picodollars (1e-12 USD) so that sums are exact and fast.
CREATE TABLE projects (
  id          TEXT PRIMARY KEY,
  title       TEXT NOT NULL,
  category    TEXT NOT NULL,
  audience    TEXT,
  brief       TEXT NOT NULL,
  chapters    INTEGER NOT NULL,
  budget_usd  TEXT,
  refs        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX projects_category ON projects(category);

CREATE TABLE runs (
  id          TEXT PRIMARY KEY,
  project_id  TEXT NOT NULL REFERENCES projects(id),
  number      INTEGER NOT NULL,
  state       TEXT NOT NULL,
  stage       TEXT,
  seed        INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  reason      TEXT,
  UNIQUE (project_id, number)
);
CREATE INDEX runs_state ON runs(state);

CREATE TABLE run_stages (
  run_id       TEXT NOT NULL REFERENCES runs(id),
  stage        TEXT NOT NULL,
  ordinal      INTEGER NOT NULL,
  state        TEXT NOT NULL,
  started_at   INTEGER,
  finished_at  INTEGER,
  iterations   INTEGER NOT NULL DEFAULT 0,
  result       TEXT,
  reason       TEXT,
  PRIMARY KEY (run_id, stage)
);

CREATE TABLE tasks (
  id                TEXT PRIMARY KEY,
  run_id            TEXT NOT NULL REFERENCES runs(id),
  project_id        TEXT NOT NULL,
  task_key          TEXT NOT NULL,
  stage             TEXT NOT NULL,
  kind              TEXT NOT NULL,
  state             TEXT NOT NULL,
  input             TEXT NOT NULL,
  output            TEXT,
  attempt           INTEGER NOT NULL DEFAULT 0,
  claims            INTEGER NOT NULL DEFAULT 0,
  lease_owner       TEXT,
  lease_expires_at  INTEGER,
  not_before        INTEGER NOT NULL,
  error_type        TEXT,
  error             TEXT,
  seq               INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  UNIQUE (run_id, task_key)
);
CREATE INDEX tasks_claim ON tasks(state, not_before, seq);
CREATE INDEX tasks_run ON tasks(run_id, seq);

CREATE TABLE transitions (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id      TEXT NOT NULL,
  entity      TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  reason      TEXT NOT NULL,
  at          INTEGER NOT NULL
);
CREATE INDEX transitions_run ON transitions(run_id, id);

CREATE TABLE llm_calls (
  call_id             TEXT PRIMARY KEY,
  project_id          TEXT NOT NULL,
  run_id              TEXT NOT NULL,
  task_id             TEXT NOT NULL,
  stage               TEXT NOT NULL,
  agent_role          TEXT NOT NULL,
  attempt             INTEGER NOT NULL,
  provider            TEXT NOT NULL,
  model               TEXT NOT NULL,
  input_tokens        INTEGER NOT NULL,
  output_tokens       INTEGER NOT NULL,
  cache_read_tokens   INTEGER NOT NULL,
  cache_write_tokens  INTEGER NOT NULL,
  reasoning_tokens    INTEGER NOT NULL,
  cost_picousd        INTEGER,
  price_version       TEXT,
  latency_ms          INTEGER NOT NULL,
  outcome             TEXT NOT NULL,
  error_type          TEXT,
  at                  INTEGER NOT NULL
);
CREATE INDEX llm_calls_run ON llm_calls(run_id);
CREATE INDEX llm_calls_task ON llm_calls(task_id);

CREATE TABLE llm_responses (
  call_id   TEXT PRIMARY KEY REFERENCES llm_calls(call_id),
  response  TEXT NOT NULL
);

CREATE TABLE run_events (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id   TEXT NOT NULL,
  task_id  TEXT,
  kind     TEXT NOT NULL,
  detail   TEXT NOT NULL,
  at       INTEGER NOT NULL
);
CREATE INDEX run_events_run ON run_events(run_id, id);

CREATE TABLE workers (
  id              TEXT PRIMARY KEY,
  started_at      INTEGER NOT NULL,
  last_heartbeat  INTEGER NOT NULL
);
