-- The twin of db/sqlite/V19: category_runs, per category, the runs completed and failed, the summed
-- completion time (ms), cost and words of the completed ones, kept by triggers on runs, run_cost
-- and run_stages (a finished run subtracts its old contribution and adds its new one; a completed
-- run's cost or ASSEMBLY result that changes adds the difference); run_cost holds a row for every
-- run and is indexed by cost, for the run list sorted by cost.

CREATE TABLE category_runs (
  category                TEXT PRIMARY KEY,
  completed_runs          BIGINT NOT NULL,
  failed_runs             BIGINT NOT NULL,
  completed_ms            BIGINT NOT NULL,
  completed_cost_picousd  BIGINT NOT NULL,
  completed_words         BIGINT NOT NULL
);

INSERT INTO run_cost(run_id, cost_picousd)
  SELECT id, 0 FROM runs WHERE id NOT IN (SELECT run_id FROM run_cost);

CREATE INDEX run_cost_by_cost ON run_cost(cost_picousd, run_id);

-- The "words" of a stage result, 0 when it has none or is not a JSON object (SQLite's json_valid
-- guard): a trigger never fails the write of a result.
CREATE FUNCTION result_words(result TEXT) RETURNS BIGINT LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN COALESCE(CAST(CAST(result AS json) ->> 'words' AS BIGINT), 0);
EXCEPTION WHEN others THEN
  RETURN 0;
END $$;

INSERT INTO category_runs(category, completed_runs, failed_runs, completed_ms, completed_cost_picousd, completed_words)
  SELECT p.category,
    SUM(CASE WHEN r.state = 'COMPLETED' THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.state = 'FAILED' THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.state = 'COMPLETED' THEN r.updated_at - r.created_at ELSE 0 END),
    SUM(CASE WHEN r.state = 'COMPLETED' THEN COALESCE((SELECT cost_picousd FROM run_cost WHERE run_id = r.id), 0) ELSE 0 END),
    SUM(CASE WHEN r.state = 'COMPLETED' THEN COALESCE((SELECT SUM(result_words(s.result)) FROM run_stages s WHERE s.run_id = r.id AND s.stage = 'ASSEMBLY'), 0) ELSE 0 END)
  FROM runs r JOIN projects p ON p.id = r.project_id
  WHERE r.state IN ('COMPLETED', 'FAILED')
  GROUP BY p.category;

CREATE FUNCTION runs_cost_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_cost(run_id, cost_picousd) VALUES (NEW.id, 0) ON CONFLICT (run_id) DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER runs_cost_row AFTER INSERT ON runs
  FOR EACH ROW EXECUTE FUNCTION runs_cost_row();

CREATE FUNCTION category_runs_add(run runs, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  done BOOLEAN := run.state = 'COMPLETED';
BEGIN
  IF run.state NOT IN ('COMPLETED', 'FAILED') THEN
    RETURN;
  END IF;
  INSERT INTO category_runs AS c (category, completed_runs, failed_runs, completed_ms, completed_cost_picousd, completed_words)
    SELECT p.category,
      CASE WHEN done THEN sign ELSE 0 END,
      CASE WHEN done THEN 0 ELSE sign END,
      CASE WHEN done THEN sign * (run.updated_at - run.created_at) ELSE 0 END,
      CASE WHEN done THEN sign * COALESCE((SELECT cost_picousd FROM run_cost WHERE run_id = run.id), 0) ELSE 0 END,
      CASE WHEN done THEN sign * COALESCE((SELECT SUM(result_words(s.result)) FROM run_stages s WHERE s.run_id = run.id AND s.stage = 'ASSEMBLY'), 0) ELSE 0 END
    FROM projects p WHERE p.id = run.project_id
  ON CONFLICT (category) DO UPDATE SET
    completed_runs = c.completed_runs + excluded.completed_runs,
    failed_runs = c.failed_runs + excluded.failed_runs,
    completed_ms = c.completed_ms + excluded.completed_ms,
    completed_cost_picousd = c.completed_cost_picousd + excluded.completed_cost_picousd,
    completed_words = c.completed_words + excluded.completed_words;
END $$;

CREATE FUNCTION runs_category_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM category_runs_add(OLD, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM category_runs_add(NEW, 1);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER category_runs_insert AFTER INSERT ON runs
  FOR EACH ROW WHEN (NEW.state IN ('COMPLETED', 'FAILED')) EXECUTE FUNCTION runs_category_runs();
CREATE TRIGGER category_runs_update AFTER UPDATE OF state, created_at, updated_at, project_id ON runs
  FOR EACH ROW WHEN (OLD.state IN ('COMPLETED', 'FAILED') OR NEW.state IN ('COMPLETED', 'FAILED'))
  EXECUTE FUNCTION runs_category_runs();
CREATE TRIGGER category_runs_delete AFTER DELETE ON runs
  FOR EACH ROW WHEN (OLD.state IN ('COMPLETED', 'FAILED')) EXECUTE FUNCTION runs_category_runs();

-- Adds a difference of cost or words to the category of a run, if that run is completed.
CREATE FUNCTION category_runs_shift(run TEXT, cost BIGINT, words BIGINT) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  UPDATE category_runs SET completed_cost_picousd = completed_cost_picousd + cost,
      completed_words = completed_words + words
    WHERE category = (SELECT p.category FROM runs r JOIN projects p ON p.id = r.project_id
                      WHERE r.id = run AND r.state = 'COMPLETED');
END $$;

CREATE FUNCTION run_cost_category_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM category_runs_shift(NEW.run_id,
    NEW.cost_picousd - CASE WHEN TG_OP = 'UPDATE' THEN OLD.cost_picousd ELSE 0 END, 0);
  RETURN NULL;
END $$;

CREATE TRIGGER category_runs_cost_insert AFTER INSERT ON run_cost
  FOR EACH ROW WHEN (NEW.cost_picousd <> 0) EXECUTE FUNCTION run_cost_category_runs();
CREATE TRIGGER category_runs_cost_update AFTER UPDATE OF cost_picousd ON run_cost
  FOR EACH ROW WHEN (NEW.cost_picousd <> OLD.cost_picousd) EXECUTE FUNCTION run_cost_category_runs();

CREATE FUNCTION run_stages_category_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.stage = 'ASSEMBLY' THEN
    PERFORM category_runs_shift(OLD.run_id, 0, -result_words(OLD.result));
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.stage = 'ASSEMBLY' THEN
    PERFORM category_runs_shift(NEW.run_id, 0, result_words(NEW.result));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER category_runs_words_insert AFTER INSERT ON run_stages
  FOR EACH ROW WHEN (NEW.stage = 'ASSEMBLY' AND NEW.result IS NOT NULL)
  EXECUTE FUNCTION run_stages_category_runs();
CREATE TRIGGER category_runs_words_update AFTER UPDATE OF result, stage, run_id ON run_stages
  FOR EACH ROW WHEN ((OLD.stage = 'ASSEMBLY' OR NEW.stage = 'ASSEMBLY')
    AND (OLD.result IS NOT NULL OR NEW.result IS NOT NULL))
  EXECUTE FUNCTION run_stages_category_runs();
CREATE TRIGGER category_runs_words_delete AFTER DELETE ON run_stages
  FOR EACH ROW WHEN (OLD.stage = 'ASSEMBLY' AND OLD.result IS NOT NULL)
  EXECUTE FUNCTION run_stages_category_runs();
