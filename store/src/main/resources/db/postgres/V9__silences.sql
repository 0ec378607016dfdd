-- Silences: while one applies (starts_at <= now < ends_at), the alerts all its matchers match are
-- recorded but nobody is notified. Ending one early moves ends_at to that moment; rows are kept.
CREATE TABLE silences (
  id          TEXT PRIMARY KEY,
  matchers    TEXT NOT NULL,
  starts_at   BIGINT NOT NULL,
  ends_at     BIGINT NOT NULL,
  reason      TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);
CREATE INDEX silences_ends ON silences(ends_at);

-- Alerts received from an Alertmanager live beside the evaluator's, told apart by their source,
-- so that the evaluator neither lists nor resolves them.
ALTER TABLE alerts ADD COLUMN source TEXT NOT NULL DEFAULT 'book-creator';

-- Each delivery of received alerts is taken once: a re-delivery finds its receipt here (a hash of
-- its group key, status, and each alert's fingerprint, start and status).
CREATE TABLE alert_receipts (
  receipt      TEXT PRIMARY KEY,
  received_at  BIGINT NOT NULL
);
CREATE INDEX alert_receipts_at ON alert_receipts(received_at);
