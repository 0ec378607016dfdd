-- What one alert evaluation reads for every open run, kept cheap with 10,000 of them (the twin of
-- db/sqlite/V11): each project's spend as a running total kept by the database itself on every
-- ledger write, and each run's latest task change through an index.
CREATE TABLE project_spend (
  project_id    TEXT PRIMARY KEY,
  cost_picousd  BIGINT NOT NULL
);
INSERT INTO project_spend(project_id, cost_picousd)
  SELECT project_id, SUM(cost_picousd) FROM llm_calls
  WHERE cost_picousd IS NOT NULL GROUP BY project_id;

CREATE FUNCTION llm_calls_spend() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.cost_picousd IS NOT NULL THEN
    UPDATE project_spend SET cost_picousd = cost_picousd - OLD.cost_picousd
      WHERE project_id = OLD.project_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.cost_picousd IS NOT NULL THEN
    INSERT INTO project_spend AS s (project_id, cost_picousd)
      VALUES (NEW.project_id, NEW.cost_picousd)
      ON CONFLICT (project_id) DO UPDATE SET cost_picousd = s.cost_picousd + excluded.cost_picousd;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER llm_calls_spend_insert AFTER INSERT ON llm_calls
  FOR EACH ROW WHEN (NEW.cost_picousd IS NOT NULL) EXECUTE FUNCTION llm_calls_spend();
CREATE TRIGGER llm_calls_spend_update AFTER UPDATE OF cost_picousd, project_id ON llm_calls
  FOR EACH ROW WHEN (OLD.cost_picousd IS DISTINCT FROM NEW.cost_picousd
                     OR OLD.project_id <> NEW.project_id)
  EXECUTE FUNCTION llm_calls_spend();
CREATE TRIGGER llm_calls_spend_delete AFTER DELETE ON llm_calls
  FOR EACH ROW WHEN (OLD.cost_picousd IS NOT NULL) EXECUTE FUNCTION llm_calls_spend();
CREATE INDEX tasks_run_updated ON tasks(run_id, updated_at);
