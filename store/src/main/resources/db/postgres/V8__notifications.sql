-- The notification outbox: each notification is written in the transaction that moves its alerts,
-- then delivered by a dispatcher, at least once, with its id as the idempotency key on every
-- attempt. Alerts of one group that fire within the group wait join the pending notification.
CREATE TABLE notifications (
  id               TEXT PRIMARY KEY,
  notifier         TEXT NOT NULL,
  group_key        TEXT NOT NULL,
  status           TEXT NOT NULL,
  alerts           TEXT NOT NULL,
  state            TEXT NOT NULL,
  attempts         BIGINT NOT NULL DEFAULT 0,
  next_attempt_at  BIGINT NOT NULL,
  created_at       BIGINT NOT NULL,
  finished_at      BIGINT,
  last_error       TEXT
);
CREATE INDEX notifications_due ON notifications(next_attempt_at) WHERE state = 'pending';
CREATE INDEX notifications_group ON notifications(notifier, group_key, created_at);
ALTER TABLE alerts ADD COLUMN notified_at BIGINT;
