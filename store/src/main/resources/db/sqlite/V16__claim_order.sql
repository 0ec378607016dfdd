-- A claim (issue 14) takes the oldest task a worker may run: first a task whose lease expired, then
-- the queued task first in order. tasks_claim (state, not_before, seq) made every claim sort all
-- ready tasks by seq (20 ms per claim on PostgreSQL with 5,000 queued, and 700 ms on a fresh
-- database whose statistics were not gathered yet); these partial indexes hold only the rows a
-- claim looks for, in the order it wants them, so a claim reads the first one or few.
CREATE INDEX tasks_queued ON tasks(seq) WHERE state = 'QUEUED';
CREATE INDEX tasks_leased ON tasks(lease_expires_at) WHERE state = 'LEASED';
