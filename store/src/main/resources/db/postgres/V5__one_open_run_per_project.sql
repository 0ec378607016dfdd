-- A project has at most one open run (queued, running or paused), enforced by the database. (On
-- SQLite this version first cancels the extra open runs of older stores; a PostgreSQL store is
-- created at this version or later and never held any.)
CREATE UNIQUE INDEX runs_one_open_per_project ON runs(project_id)
  WHERE state IN ('QUEUED', 'RUNNING', 'PAUSED');
