-- Two things the dashboard reads at scale (issue 13, "fast at scale"):
--
-- * category_runs: per category, how the runs that ended came out, for the library analytics of
--   the Overview (Store.categoryStats): runs completed and failed, the summed completion time of
--   the completed ones (updated_at - created_at, milliseconds), their summed cost (run_cost) and
--   the words of their assembled books (run_stages ASSEMBLY result's "words"). Triggers keep it in
--   the transaction of every write that moves one of these figures: a run that enters or leaves
--   COMPLETED or FAILED (or a finished run whose times or project change) subtracts its old
--   contribution and adds the new one; a completed run's cost (run_cost, itself kept by the ledger
--   triggers of V12) or its ASSEMBLY result that changes adds the difference. A category's row,
--   once made, stays (zeros when its runs are gone). A run whose project is unknown counts nowhere,
--   as the joins of the raw queries left it out.
-- * run_cost holds a row for every run (zero until the ledger prices one of its calls) and is
--   indexed by cost, so the run list sorted by cost walks that index from one end instead of
--   sorting every run.
-- (Statements end at a line ending in a semicolon: a trigger's body stays on its END line.)

CREATE TABLE category_runs (
  category                TEXT PRIMARY KEY,
  completed_runs          INTEGER NOT NULL,
  failed_runs             INTEGER NOT NULL,
  completed_ms            INTEGER NOT NULL,
  completed_cost_picousd  INTEGER NOT NULL,
  completed_words         INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO run_cost(run_id, cost_picousd)
  SELECT id, 0 FROM runs WHERE id NOT IN (SELECT run_id FROM run_cost);

CREATE INDEX run_cost_by_cost ON run_cost(cost_picousd, run_id);

INSERT INTO category_runs(category, completed_runs, failed_runs, completed_ms, completed_cost_picousd, completed_words)
  SELECT p.category,
    SUM(CASE WHEN r.state = 'COMPLETED' THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.state = 'FAILED' THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.state = 'COMPLETED' THEN r.updated_at - r.created_at ELSE 0 END),
    SUM(CASE WHEN r.state = 'COMPLETED' THEN COALESCE((SELECT cost_picousd FROM run_cost WHERE run_id = r.id), 0) ELSE 0 END),
    SUM(CASE WHEN r.state = 'COMPLETED' THEN COALESCE((SELECT SUM(COALESCE(CASE WHEN json_valid(s.result) THEN CAST(json_extract(s.result, '$.words') AS INTEGER) END, 0)) FROM run_stages s WHERE s.run_id = r.id AND s.stage = 'ASSEMBLY'), 0) ELSE 0 END)
  FROM runs r JOIN projects p ON p.id = r.project_id
  WHERE r.state IN ('COMPLETED', 'FAILED')
  GROUP BY p.category;

CREATE TRIGGER runs_cost_row AFTER INSERT ON runs BEGIN
  INSERT INTO run_cost(run_id, cost_picousd) VALUES (NEW.id, 0) ON CONFLICT(run_id) DO NOTHING; END;

CREATE TRIGGER category_runs_insert AFTER INSERT ON runs
WHEN NEW.state IN ('COMPLETED', 'FAILED')
BEGIN
  INSERT INTO category_runs(category, completed_runs, failed_runs, completed_ms, completed_cost_picousd, completed_words)
    SELECT p.category, NEW.state = 'COMPLETED', NEW.state = 'FAILED',
      CASE WHEN NEW.state = 'COMPLETED' THEN NEW.updated_at - NEW.created_at ELSE 0 END,
      CASE WHEN NEW.state = 'COMPLETED' THEN COALESCE((SELECT cost_picousd FROM run_cost WHERE run_id = NEW.id), 0) ELSE 0 END,
      CASE WHEN NEW.state = 'COMPLETED' THEN COALESCE((SELECT SUM(COALESCE(CASE WHEN json_valid(s.result) THEN CAST(json_extract(s.result, '$.words') AS INTEGER) END, 0)) FROM run_stages s WHERE s.run_id = NEW.id AND s.stage = 'ASSEMBLY'), 0) ELSE 0 END
    FROM projects p WHERE p.id = NEW.project_id
  ON CONFLICT(category) DO UPDATE SET completed_runs = completed_runs + excluded.completed_runs, failed_runs = failed_runs + excluded.failed_runs, completed_ms = completed_ms + excluded.completed_ms, completed_cost_picousd = completed_cost_picousd + excluded.completed_cost_picousd, completed_words = completed_words + excluded.completed_words; END;

CREATE TRIGGER category_runs_update AFTER UPDATE OF state, created_at, updated_at, project_id ON runs
WHEN OLD.state IN ('COMPLETED', 'FAILED') OR NEW.state IN ('COMPLETED', 'FAILED')
BEGIN
  INSERT INTO category_runs(category, completed_runs, failed_runs, completed_ms, completed_cost_picousd, completed_words)
    SELECT p.category, -(OLD.state = 'COMPLETED'), -(OLD.state = 'FAILED'),
      CASE WHEN OLD.state = 'COMPLETED' THEN OLD.created_at - OLD.updated_at ELSE 0 END,
      CASE WHEN OLD.state = 'COMPLETED' THEN -COALESCE((SELECT cost_picousd FROM run_cost WHERE run_id = OLD.id), 0) ELSE 0 END,
      CASE WHEN OLD.state = 'COMPLETED' THEN -COALESCE((SELECT SUM(COALESCE(CASE WHEN json_valid(s.result) THEN CAST(json_extract(s.result, '$.words') AS INTEGER) END, 0)) FROM run_stages s WHERE s.run_id = OLD.id AND s.stage = 'ASSEMBLY'), 0) ELSE 0 END
    FROM projects p WHERE p.id = OLD.project_id AND OLD.state IN ('COMPLETED', 'FAILED')
  ON CONFLICT(category) DO UPDATE SET completed_runs = completed_runs + excluded.completed_runs, failed_runs = failed_runs + excluded.failed_runs, completed_ms = completed_ms + excluded.completed_ms, completed_cost_picousd = completed_cost_picousd + excluded.completed_cost_picousd, completed_words = completed_words + excluded.completed_words; --
  INSERT INTO category_runs(category, completed_runs, failed_runs, completed_ms, completed_cost_picousd, completed_words)
    SELECT p.category, NEW.state = 'COMPLETED', NEW.state = 'FAILED',
      CASE WHEN NEW.state = 'COMPLETED' THEN NEW.updated_at - NEW.created_at ELSE 0 END,
      CASE WHEN NEW.state = 'COMPLETED' THEN COALESCE((SELECT cost_picousd FROM run_cost WHERE run_id = NEW.id), 0) ELSE 0 END,
      CASE WHEN NEW.state = 'COMPLETED' THEN COALESCE((SELECT SUM(COALESCE(CASE WHEN json_valid(s.result) THEN CAST(json_extract(s.result, '$.words') AS INTEGER) END, 0)) FROM run_stages s WHERE s.run_id = NEW.id AND s.stage = 'ASSEMBLY'), 0) ELSE 0 END
    FROM projects p WHERE p.id = NEW.project_id AND NEW.state IN ('COMPLETED', 'FAILED')
  ON CONFLICT(category) DO UPDATE SET completed_runs = completed_runs + excluded.completed_runs, failed_runs = failed_runs + excluded.failed_runs, completed_ms = completed_ms + excluded.completed_ms, completed_cost_picousd = completed_cost_picousd + excluded.completed_cost_picousd, completed_words = completed_words + excluded.completed_words; END;

CREATE TRIGGER category_runs_delete AFTER DELETE ON runs
WHEN OLD.state IN ('COMPLETED', 'FAILED')
BEGIN
  INSERT INTO category_runs(category, completed_runs, failed_runs, completed_ms, completed_cost_picousd, completed_words)
    SELECT p.category, -(OLD.state = 'COMPLETED'), -(OLD.state = 'FAILED'),
      CASE WHEN OLD.state = 'COMPLETED' THEN OLD.created_at - OLD.updated_at ELSE 0 END,
      CASE WHEN OLD.state = 'COMPLETED' THEN -COALESCE((SELECT cost_picousd FROM run_cost WHERE run_id = OLD.id), 0) ELSE 0 END,
      CASE WHEN OLD.state = 'COMPLETED' THEN -COALESCE((SELECT SUM(COALESCE(CASE WHEN json_valid(s.result) THEN CAST(json_extract(s.result, '$.words') AS INTEGER) END, 0)) FROM run_stages s WHERE s.run_id = OLD.id AND s.stage = 'ASSEMBLY'), 0) ELSE 0 END
    FROM projects p WHERE p.id = OLD.project_id
  ON CONFLICT(category) DO UPDATE SET completed_runs = completed_runs + excluded.completed_runs, failed_runs = failed_runs + excluded.failed_runs, completed_ms = completed_ms + excluded.completed_ms, completed_cost_picousd = completed_cost_picousd + excluded.completed_cost_picousd, completed_words = completed_words + excluded.completed_words; END;

CREATE TRIGGER category_runs_cost_insert AFTER INSERT ON run_cost
WHEN NEW.cost_picousd <> 0
BEGIN
  UPDATE category_runs SET completed_cost_picousd = completed_cost_picousd + NEW.cost_picousd
    WHERE category = (SELECT p.category FROM runs r JOIN projects p ON p.id = r.project_id
                      WHERE r.id = NEW.run_id AND r.state = 'COMPLETED'); END;

CREATE TRIGGER category_runs_cost_update AFTER UPDATE OF cost_picousd ON run_cost
WHEN NEW.cost_picousd <> OLD.cost_picousd
BEGIN
  UPDATE category_runs SET completed_cost_picousd = completed_cost_picousd + NEW.cost_picousd - OLD.cost_picousd
    WHERE category = (SELECT p.category FROM runs r JOIN projects p ON p.id = r.project_id
                      WHERE r.id = NEW.run_id AND r.state = 'COMPLETED'); END;

CREATE TRIGGER category_runs_words_insert AFTER INSERT ON run_stages
WHEN NEW.stage = 'ASSEMBLY' AND NEW.result IS NOT NULL
BEGIN
  UPDATE category_runs SET completed_words = completed_words + COALESCE(CASE WHEN json_valid(NEW.result) THEN CAST(json_extract(NEW.result, '$.words') AS INTEGER) END, 0)
    WHERE category = (SELECT p.category FROM runs r JOIN projects p ON p.id = r.project_id
                      WHERE r.id = NEW.run_id AND r.state = 'COMPLETED'); END;

CREATE TRIGGER category_runs_words_update AFTER UPDATE OF result, stage, run_id ON run_stages
WHEN (OLD.stage = 'ASSEMBLY' OR NEW.stage = 'ASSEMBLY') AND (OLD.result IS NOT NULL OR NEW.result IS NOT NULL)
BEGIN
  UPDATE category_runs SET completed_words = completed_words - COALESCE(CASE WHEN json_valid(OLD.result) THEN CAST(json_extract(OLD.result, '$.words') AS INTEGER) END, 0)
    WHERE OLD.stage = 'ASSEMBLY' AND category = (SELECT p.category FROM runs r JOIN projects p ON p.id = r.project_id
                      WHERE r.id = OLD.run_id AND r.state = 'COMPLETED'); --
  UPDATE category_runs SET completed_words = completed_words + COALESCE(CASE WHEN json_valid(NEW.result) THEN CAST(json_extract(NEW.result, '$.words') AS INTEGER) END, 0)
    WHERE NEW.stage = 'ASSEMBLY' AND category = (SELECT p.category FROM runs r JOIN projects p ON p.id = r.project_id
                      WHERE r.id = NEW.run_id AND r.state = 'COMPLETED'); END;

CREATE TRIGGER category_runs_words_delete AFTER DELETE ON run_stages
WHEN OLD.stage = 'ASSEMBLY' AND OLD.result IS NOT NULL
BEGIN
  UPDATE category_runs SET completed_words = completed_words - COALESCE(CASE WHEN json_valid(OLD.result) THEN CAST(json_extract(OLD.result, '$.words') AS INTEGER) END, 0)
    WHERE category = (SELECT p.category FROM runs r JOIN projects p ON p.id = r.project_id
                      WHERE r.id = OLD.run_id AND r.state = 'COMPLETED'); END;
