-- A project has at most one open run (queued, running or paused), enforced by the database.
-- Before this version two concurrent starts could both succeed: every open run of a project but its
-- oldest is cancelled here, with the reason in its history, and its waiting tasks with it.
CREATE TEMP TABLE v5_extra_open_runs AS
  SELECT r.id, r.state FROM runs r
  WHERE r.state IN ('QUEUED', 'RUNNING', 'PAUSED')
    AND EXISTS (SELECT 1 FROM runs o
                WHERE o.project_id = r.project_id
                  AND o.state IN ('QUEUED', 'RUNNING', 'PAUSED')
                  AND o.number < r.number);
INSERT INTO transitions(run_id, entity, entity_id, from_state, to_state, reason, at)
  SELECT id, 'run', id, state, 'CANCELLED',
         'cancelled by schema migration V5: its project had an older open run, and a project may'
         || ' have one open run at a time',
         CAST(strftime('%s', 'now') AS INTEGER) * 1000
  FROM v5_extra_open_runs;
UPDATE tasks SET state = 'CANCELLED', lease_owner = NULL, lease_expires_at = NULL
  WHERE state IN ('QUEUED', 'LEASED') AND run_id IN (SELECT id FROM v5_extra_open_runs);
UPDATE runs SET state = 'CANCELLED',
                reason = 'cancelled by schema migration V5: its project had an older open run',
                updated_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000
  WHERE id IN (SELECT id FROM v5_extra_open_runs);
DROP TABLE v5_extra_open_runs;
CREATE UNIQUE INDEX runs_one_open_per_project ON runs(project_id)
  WHERE state IN ('QUEUED', 'RUNNING', 'PAUSED');
