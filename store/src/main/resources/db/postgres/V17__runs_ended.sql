-- The Overview's rollups (the twin of db/sqlite/V17): runs_ended_hourly, runs that ended per hour x
-- category x outcome with what they had cost then; stage_history, per category x stage over the
-- completed stages of completed runs, how many, their summed duration (ms) and cost.
CREATE TABLE runs_ended_hourly (
  hour          BIGINT NOT NULL,
  category      TEXT NOT NULL,
  outcome       TEXT NOT NULL,
  runs          BIGINT NOT NULL,
  cost_picousd  BIGINT NOT NULL,
  PRIMARY KEY (hour, category, outcome)
);

CREATE TABLE stage_history (
  category      TEXT NOT NULL,
  stage         TEXT NOT NULL,
  stages        BIGINT NOT NULL,
  duration_ms   BIGINT NOT NULL,
  cost_picousd  BIGINT NOT NULL,
  PRIMARY KEY (category, stage)
);

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

CREATE FUNCTION runs_ended_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state IN ('COMPLETED', 'FAILED') AND NEW.state <> OLD.state THEN
    INSERT INTO runs_ended_hourly AS e (hour, category, outcome, runs, cost_picousd)
      SELECT NEW.updated_at / 3600000, p.category, NEW.state, 1,
        COALESCE((SELECT c.cost_picousd FROM run_cost c WHERE c.run_id = NEW.id), 0)
      FROM projects p WHERE p.id = NEW.project_id
    ON CONFLICT (hour, category, outcome)
      DO UPDATE SET runs = e.runs + 1, cost_picousd = e.cost_picousd + excluded.cost_picousd;
  END IF;
  IF NEW.state = 'COMPLETED' AND NEW.state <> OLD.state THEN
    INSERT INTO stage_history AS h (category, stage, stages, duration_ms, cost_picousd)
      SELECT p.category, s.stage, 1, s.finished_at - s.started_at,
        COALESCE((SELECT SUM(c.cost_picousd) FROM llm_calls c
                  WHERE c.run_id = NEW.id AND c.stage = s.stage), 0)
      FROM run_stages s JOIN projects p ON p.id = NEW.project_id
      WHERE s.run_id = NEW.id AND s.state = 'COMPLETED'
        AND s.started_at IS NOT NULL AND s.finished_at IS NOT NULL
    ON CONFLICT (category, stage) DO UPDATE SET stages = h.stages + 1,
      duration_ms = h.duration_ms + excluded.duration_ms,
      cost_picousd = h.cost_picousd + excluded.cost_picousd;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER runs_ended AFTER UPDATE OF state ON runs
  FOR EACH ROW EXECUTE FUNCTION runs_ended_rollups();
