-- Alerts: one row per alert instance (a rule's condition for one set of labels, from first seen to
-- resolved), and every move of every instance. At most one open (pending or firing) instance per
-- fingerprint; a condition that comes back after resolving is a new instance.
CREATE TABLE alerts (
  fingerprint   TEXT NOT NULL,
  name          TEXT NOT NULL,
  labels        TEXT NOT NULL,
  severity      TEXT NOT NULL,
  state         TEXT NOT NULL,
  summary       TEXT NOT NULL,
  description   TEXT NOT NULL,
  runbook       TEXT NOT NULL,
  active_since  INTEGER NOT NULL,
  fired_at      INTEGER,
  resolved_at   INTEGER,
  PRIMARY KEY (fingerprint, active_since)
);
CREATE UNIQUE INDEX alerts_one_open ON alerts(fingerprint) WHERE state <> 'RESOLVED';

CREATE TABLE alert_history (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  fingerprint  TEXT NOT NULL,
  name         TEXT NOT NULL,
  labels       TEXT NOT NULL,
  severity     TEXT NOT NULL,
  from_state   TEXT,
  to_state     TEXT NOT NULL,
  summary      TEXT NOT NULL,
  at           INTEGER NOT NULL
);
CREATE INDEX alert_history_at ON alert_history(at);
