-- Two rollups for the dashboard's Overview (issue 13), kept by triggers on runs in the same
-- transaction as the write that ends a run:
-- * runs_ended_hourly: per hour (Unix epoch hour of the run's updated_at when it ended, UTC) x
--   category x outcome (COMPLETED or FAILED), how many runs ended so and what they had cost then
--   (run_cost at that moment). Throughput and cost per book over time read it, not the runs. A run
--   that failed, was restarted and completed counts once in each outcome, at each end.
-- * stage_history: per category x stage, over the stages of completed runs that completed: how
--   many, their summed duration (finished_at - started_at, ms) and the summed cost of the run's
--   calls in that stage. The active runs' forecast (RunForecast) reads its averages.
-- The back-fill counts the runs that are completed or failed now, at their last update.
-- (Statements end at a line ending in a semicolon: a trigger's body stays on its END line.)

CREATE TABLE runs_ended_hourly (
  hour          INTEGER NOT NULL,
  category      TEXT NOT NULL,
  outcome       TEXT NOT NULL,
  runs          INTEGER NOT NULL,
  cost_picousd  INTEGER NOT NULL,
  PRIMARY KEY (hour, category, outcome)
) WITHOUT ROWID;

CREATE TABLE stage_history (
  category      TEXT NOT NULL,
  stage         TEXT NOT NULL,
  stages        INTEGER NOT NULL,
  duration_ms   INTEGER NOT NULL,
  cost_picousd  INTEGER NOT NULL,
  PRIMARY KEY (category, stage)
) WITHOUT ROWID;

INSERT INTO runs_ended_hourly(hour, category, outcome, runs, cost_picousd)
  SELECT r.updated_at / 3600000, p.category, r.state, COUNT(*), COALESCE(SUM(c.cost_picousd), 0)
  FROM runs r JOIN projects p ON p.id = r.project_id LEFT JOIN run_cost c ON c.run_id = r.id
  WHERE r.state IN ('COMPLETED', 'FAILED')
  GROUP BY 1, 2, 3;

INSERT INTO stage_history(category, stage, stages, duration_ms, cost_picousd)
  SELECT p.category, s.stage, COUNT(*), SUM(s.finished_at - s.started_at),
    COALESCE(SUM((SELECT SUM(c.cost_picousd) FROM llm_calls c
                  WHERE c.run_id = s.run_id AND c.stage = s.stage)), 0)
  FROM run_stages s JOIN runs r ON r.id = s.run_id JOIN projects p ON p.id = r.project_id
  WHERE r.state = 'COMPLETED' AND s.state = 'COMPLETED'
    AND s.started_at IS NOT NULL AND s.finished_at IS NOT NULL
  GROUP BY 1, 2;

CREATE TRIGGER runs_ended AFTER UPDATE OF state ON runs
WHEN NEW.state IN ('COMPLETED', 'FAILED') AND OLD.state <> NEW.state
BEGIN
  INSERT INTO runs_ended_hourly(hour, category, outcome, runs, cost_picousd)
    SELECT NEW.updated_at / 3600000, p.category, NEW.state, 1,
      COALESCE((SELECT c.cost_picousd FROM run_cost c WHERE c.run_id = NEW.id), 0)
    FROM projects p WHERE p.id = NEW.project_id
  ON CONFLICT(hour, category, outcome)
    DO UPDATE SET runs = runs + 1, cost_picousd = cost_picousd + excluded.cost_picousd; END;

CREATE TRIGGER runs_completed_stages AFTER UPDATE OF state ON runs
WHEN NEW.state = 'COMPLETED' AND OLD.state <> NEW.state
BEGIN
  INSERT INTO stage_history(category, stage, stages, duration_ms, cost_picousd)
    SELECT p.category, s.stage, 1, s.finished_at - s.started_at,
      COALESCE((SELECT SUM(c.cost_picousd) FROM llm_calls c
                WHERE c.run_id = NEW.id AND c.stage = s.stage), 0)
    FROM run_stages s JOIN projects p ON p.id = NEW.project_id
    WHERE s.run_id = NEW.id AND s.state = 'COMPLETED'
      AND s.started_at IS NOT NULL AND s.finished_at IS NOT NULL
  ON CONFLICT(category, stage) DO UPDATE SET stages = stages + 1,
    duration_ms = duration_ms + excluded.duration_ms,
    cost_picousd = cost_picousd + excluded.cost_picousd; END;
