-- What one alert evaluation reads for every open run, kept cheap with 10,000 of them:
-- * each project's spend as a running total, kept by the database itself on every ledger insert
--   and cost change (completion of a written-ahead call, repricing), so a budget check reads one
--   row instead of summing the project's ledger (exact: integer picodollars);
-- * each run's latest task change through an index, for the stall detector.
CREATE TABLE project_spend (
  project_id    TEXT PRIMARY KEY,
  cost_picousd  INTEGER NOT NULL
);
INSERT INTO project_spend(project_id, cost_picousd)
  SELECT project_id, SUM(cost_picousd) FROM llm_calls
  WHERE cost_picousd IS NOT NULL GROUP BY project_id;
CREATE TRIGGER llm_calls_spend_insert AFTER INSERT ON llm_calls
  WHEN NEW.cost_picousd IS NOT NULL BEGIN
  INSERT INTO project_spend(project_id, cost_picousd) VALUES (NEW.project_id, NEW.cost_picousd)
    ON CONFLICT(project_id) DO UPDATE SET cost_picousd = cost_picousd + excluded.cost_picousd; END;
CREATE TRIGGER llm_calls_spend_update AFTER UPDATE OF cost_picousd ON llm_calls
  WHEN COALESCE(NEW.cost_picousd, 0) <> COALESCE(OLD.cost_picousd, 0) BEGIN
  INSERT INTO project_spend(project_id, cost_picousd)
    VALUES (NEW.project_id, COALESCE(NEW.cost_picousd, 0) - COALESCE(OLD.cost_picousd, 0))
    ON CONFLICT(project_id) DO UPDATE SET cost_picousd = cost_picousd + excluded.cost_picousd; END;
CREATE TRIGGER llm_calls_spend_delete AFTER DELETE ON llm_calls
  WHEN OLD.cost_picousd IS NOT NULL BEGIN
  UPDATE project_spend SET cost_picousd = cost_picousd - OLD.cost_picousd
    WHERE project_id = OLD.project_id; END;
CREATE INDEX tasks_run_updated ON tasks(run_id, updated_at);
