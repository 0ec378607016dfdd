-- A rollup of where runs are, for the dashboard's "projects per category and per stage over time":
-- per hour (Unix epoch hour of the change, UTC) x category x stage, how many runs entered that
-- stage and how many left it. A run counts in a stage while it is queued or running (as
-- activeRunsByStage counts it; a run without a stage yet is in INTAKE). How many runs a stage held
-- at the end of an hour is the sum of entered - left over that hour and every hour before it.
--
-- Triggers on runs keep it in the same transaction as every run write. The time of a move is the
-- run's updated_at after the write: every state or stage change sets it, and a restart that moves
-- runs.stage alone does so in the transaction that set updated_at for the restart.
-- The back-fill counts the runs active now, entering their stage at their last update: history
-- before this migration is not reconstructed (moves that entered and left add nothing to now).
-- (Statements end at a line ending in a semicolon: a trigger's body stays on its END line.)

CREATE TABLE stage_moves_hourly (
  hour      INTEGER NOT NULL,
  category  TEXT NOT NULL,
  stage     TEXT NOT NULL,
  entered   INTEGER NOT NULL,
  left_     INTEGER NOT NULL,
  PRIMARY KEY (hour, category, stage)
) WITHOUT ROWID;

INSERT INTO stage_moves_hourly(hour, category, stage, entered, left_)
  SELECT r.updated_at / 3600000, p.category, COALESCE(r.stage, 'INTAKE'), COUNT(*), 0
  FROM runs r JOIN projects p ON p.id = r.project_id
  WHERE r.state IN ('QUEUED', 'RUNNING')
  GROUP BY 1, 2, 3;

CREATE TRIGGER stage_moves_insert AFTER INSERT ON runs
WHEN NEW.state IN ('QUEUED', 'RUNNING')
BEGIN
  INSERT INTO stage_moves_hourly(hour, category, stage, entered, left_)
    SELECT NEW.updated_at / 3600000, p.category, COALESCE(NEW.stage, 'INTAKE'), 1, 0
    FROM projects p WHERE p.id = NEW.project_id
  ON CONFLICT(hour, category, stage) DO UPDATE SET entered = entered + 1; END;

CREATE TRIGGER stage_moves_leave AFTER UPDATE OF state, stage ON runs
WHEN OLD.state IN ('QUEUED', 'RUNNING')
  AND (NEW.state NOT IN ('QUEUED', 'RUNNING')
       OR COALESCE(NEW.stage, 'INTAKE') <> COALESCE(OLD.stage, 'INTAKE'))
BEGIN
  INSERT INTO stage_moves_hourly(hour, category, stage, entered, left_)
    SELECT NEW.updated_at / 3600000, p.category, COALESCE(OLD.stage, 'INTAKE'), 0, 1
    FROM projects p WHERE p.id = NEW.project_id
  ON CONFLICT(hour, category, stage) DO UPDATE SET left_ = left_ + 1; END;

CREATE TRIGGER stage_moves_enter AFTER UPDATE OF state, stage ON runs
WHEN NEW.state IN ('QUEUED', 'RUNNING')
  AND (OLD.state NOT IN ('QUEUED', 'RUNNING')
       OR COALESCE(NEW.stage, 'INTAKE') <> COALESCE(OLD.stage, 'INTAKE'))
BEGIN
  INSERT INTO stage_moves_hourly(hour, category, stage, entered, left_)
    SELECT NEW.updated_at / 3600000, p.category, COALESCE(NEW.stage, 'INTAKE'), 1, 0
    FROM projects p WHERE p.id = NEW.project_id
  ON CONFLICT(hour, category, stage) DO UPDATE SET entered = entered + 1; END;
