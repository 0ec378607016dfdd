-- Rollups of the ledger (the twin of db/sqlite/V12): cost_hourly and cost_daily per time bucket x
-- category x stage x agent role x provider x model, and run_cost per run, kept equal to the ledger
-- by triggers in the writing transaction: an insert adds the row, a delete subtracts it, an update
-- subtracts the old row and adds the new one. Exact: integer picodollars. A ledger row whose
-- project is unknown is kept under category ''.

CREATE TABLE cost_hourly (
  hour                    BIGINT NOT NULL,
  category                TEXT NOT NULL,
  stage                   TEXT NOT NULL,
  agent_role              TEXT NOT NULL,
  provider                TEXT NOT NULL,
  model                   TEXT NOT NULL,
  calls                   BIGINT NOT NULL,
  failed_calls            BIGINT NOT NULL,
  unpriced_calls          BIGINT NOT NULL,
  input_tokens            BIGINT NOT NULL,
  output_tokens           BIGINT NOT NULL,
  cache_read_tokens       BIGINT NOT NULL,
  cache_write_tokens      BIGINT NOT NULL,
  reasoning_tokens        BIGINT NOT NULL,
  cost_picousd            BIGINT NOT NULL,
  wasted_calls            BIGINT NOT NULL,
  wasted_cost_picousd     BIGINT NOT NULL,
  interrupted_calls       BIGINT NOT NULL,
  interrupted_est_picousd BIGINT NOT NULL,
  latency_ms              BIGINT NOT NULL,
  PRIMARY KEY (hour, category, stage, agent_role, provider, model)
);

CREATE TABLE cost_daily (
  day                     BIGINT NOT NULL,
  category                TEXT NOT NULL,
  stage                   TEXT NOT NULL,
  agent_role              TEXT NOT NULL,
  provider                TEXT NOT NULL,
  model                   TEXT NOT NULL,
  calls                   BIGINT NOT NULL,
  failed_calls            BIGINT NOT NULL,
  unpriced_calls          BIGINT NOT NULL,
  input_tokens            BIGINT NOT NULL,
  output_tokens           BIGINT NOT NULL,
  cache_read_tokens       BIGINT NOT NULL,
  cache_write_tokens      BIGINT NOT NULL,
  reasoning_tokens        BIGINT NOT NULL,
  cost_picousd            BIGINT NOT NULL,
  wasted_calls            BIGINT NOT NULL,
  wasted_cost_picousd     BIGINT NOT NULL,
  interrupted_calls       BIGINT NOT NULL,
  interrupted_est_picousd BIGINT NOT NULL,
  latency_ms              BIGINT NOT NULL,
  PRIMARY KEY (day, category, stage, agent_role, provider, model)
);

INSERT INTO cost_hourly(hour, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
  SELECT c.at / 3600000, COALESCE(p.category, ''), c.stage, c.agent_role, c.provider, c.model,
    COUNT(*), SUM((c.error_type IS NOT NULL)::int), SUM((c.cost_picousd IS NULL AND c.outcome IN ('ok', 'error', 'wasted'))::int), SUM(c.input_tokens), SUM(c.output_tokens), SUM(c.cache_read_tokens), SUM(c.cache_write_tokens), SUM(c.reasoning_tokens), SUM(COALESCE(c.cost_picousd, 0)), SUM((c.outcome = 'wasted')::int), SUM(CASE WHEN c.outcome = 'wasted' THEN COALESCE(c.cost_picousd, 0) ELSE 0 END), SUM((c.outcome IN ('pending', 'interrupted'))::int), SUM(CASE WHEN c.outcome IN ('pending', 'interrupted') THEN COALESCE(c.est_cost_picousd, 0) ELSE 0 END), SUM(c.latency_ms)
  FROM llm_calls c LEFT JOIN projects p ON p.id = c.project_id
  GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO cost_daily(day, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
  SELECT c.at / 86400000, COALESCE(p.category, ''), c.stage, c.agent_role, c.provider, c.model,
    COUNT(*), SUM((c.error_type IS NOT NULL)::int), SUM((c.cost_picousd IS NULL AND c.outcome IN ('ok', 'error', 'wasted'))::int), SUM(c.input_tokens), SUM(c.output_tokens), SUM(c.cache_read_tokens), SUM(c.cache_write_tokens), SUM(c.reasoning_tokens), SUM(COALESCE(c.cost_picousd, 0)), SUM((c.outcome = 'wasted')::int), SUM(CASE WHEN c.outcome = 'wasted' THEN COALESCE(c.cost_picousd, 0) ELSE 0 END), SUM((c.outcome IN ('pending', 'interrupted'))::int), SUM(CASE WHEN c.outcome IN ('pending', 'interrupted') THEN COALESCE(c.est_cost_picousd, 0) ELSE 0 END), SUM(c.latency_ms)
  FROM llm_calls c LEFT JOIN projects p ON p.id = c.project_id
  GROUP BY 1, 2, 3, 4, 5, 6;

-- Adds one ledger row to both rollups, with sign 1 (the row came) or -1 (it went).
CREATE FUNCTION cost_rollup_add(r llm_calls, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  cat TEXT := COALESCE((SELECT category FROM projects WHERE id = r.project_id), '');
BEGIN
  INSERT INTO cost_hourly AS h (hour, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
    VALUES (r.at / 3600000, cat, r.stage, r.agent_role, r.provider, r.model,
      sign, sign * (r.error_type IS NOT NULL)::int, sign * (r.cost_picousd IS NULL AND r.outcome IN ('ok', 'error', 'wasted'))::int, sign * r.input_tokens, sign * r.output_tokens, sign * r.cache_read_tokens, sign * r.cache_write_tokens, sign * r.reasoning_tokens, sign * COALESCE(r.cost_picousd, 0), sign * (r.outcome = 'wasted')::int, sign * CASE WHEN r.outcome = 'wasted' THEN COALESCE(r.cost_picousd, 0) ELSE 0 END, sign * (r.outcome IN ('pending', 'interrupted'))::int, sign * CASE WHEN r.outcome IN ('pending', 'interrupted') THEN COALESCE(r.est_cost_picousd, 0) ELSE 0 END, sign * r.latency_ms)
    ON CONFLICT (hour, category, stage, agent_role, provider, model) DO UPDATE SET calls = h.calls + excluded.calls, failed_calls = h.failed_calls + excluded.failed_calls, unpriced_calls = h.unpriced_calls + excluded.unpriced_calls, input_tokens = h.input_tokens + excluded.input_tokens, output_tokens = h.output_tokens + excluded.output_tokens, cache_read_tokens = h.cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = h.cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = h.reasoning_tokens + excluded.reasoning_tokens, cost_picousd = h.cost_picousd + excluded.cost_picousd, wasted_calls = h.wasted_calls + excluded.wasted_calls, wasted_cost_picousd = h.wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = h.interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = h.interrupted_est_picousd + excluded.interrupted_est_picousd, latency_ms = h.latency_ms + excluded.latency_ms;
  INSERT INTO cost_daily AS d (day, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
    VALUES (r.at / 86400000, cat, r.stage, r.agent_role, r.provider, r.model,
      sign, sign * (r.error_type IS NOT NULL)::int, sign * (r.cost_picousd IS NULL AND r.outcome IN ('ok', 'error', 'wasted'))::int, sign * r.input_tokens, sign * r.output_tokens, sign * r.cache_read_tokens, sign * r.cache_write_tokens, sign * r.reasoning_tokens, sign * COALESCE(r.cost_picousd, 0), sign * (r.outcome = 'wasted')::int, sign * CASE WHEN r.outcome = 'wasted' THEN COALESCE(r.cost_picousd, 0) ELSE 0 END, sign * (r.outcome IN ('pending', 'interrupted'))::int, sign * CASE WHEN r.outcome IN ('pending', 'interrupted') THEN COALESCE(r.est_cost_picousd, 0) ELSE 0 END, sign * r.latency_ms)
    ON CONFLICT (day, category, stage, agent_role, provider, model) DO UPDATE SET calls = d.calls + excluded.calls, failed_calls = d.failed_calls + excluded.failed_calls, unpriced_calls = d.unpriced_calls + excluded.unpriced_calls, input_tokens = d.input_tokens + excluded.input_tokens, output_tokens = d.output_tokens + excluded.output_tokens, cache_read_tokens = d.cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = d.cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = d.reasoning_tokens + excluded.reasoning_tokens, cost_picousd = d.cost_picousd + excluded.cost_picousd, wasted_calls = d.wasted_calls + excluded.wasted_calls, wasted_cost_picousd = d.wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = d.interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = d.interrupted_est_picousd + excluded.interrupted_est_picousd, latency_ms = d.latency_ms + excluded.latency_ms;
END $$;

CREATE FUNCTION llm_calls_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM cost_rollup_add(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM cost_rollup_add(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER llm_calls_rollup_insert AFTER INSERT ON llm_calls
  FOR EACH ROW EXECUTE FUNCTION llm_calls_rollup();
CREATE TRIGGER llm_calls_rollup_update AFTER UPDATE ON llm_calls
  FOR EACH ROW EXECUTE FUNCTION llm_calls_rollup();
CREATE TRIGGER llm_calls_rollup_delete AFTER DELETE ON llm_calls
  FOR EACH ROW EXECUTE FUNCTION llm_calls_rollup();

CREATE TABLE run_cost (
  run_id        TEXT PRIMARY KEY,
  cost_picousd  BIGINT NOT NULL
);
INSERT INTO run_cost(run_id, cost_picousd)
  SELECT run_id, SUM(cost_picousd) FROM llm_calls WHERE cost_picousd IS NOT NULL GROUP BY run_id;

CREATE FUNCTION llm_calls_run_cost() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.cost_picousd IS NOT NULL THEN
    UPDATE run_cost SET cost_picousd = cost_picousd - OLD.cost_picousd WHERE run_id = OLD.run_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.cost_picousd IS NOT NULL THEN
    INSERT INTO run_cost AS c (run_id, cost_picousd) VALUES (NEW.run_id, NEW.cost_picousd)
      ON CONFLICT (run_id) DO UPDATE SET cost_picousd = c.cost_picousd + excluded.cost_picousd;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER llm_calls_run_cost_insert AFTER INSERT ON llm_calls
  FOR EACH ROW WHEN (NEW.cost_picousd IS NOT NULL) EXECUTE FUNCTION llm_calls_run_cost();
CREATE TRIGGER llm_calls_run_cost_update AFTER UPDATE OF cost_picousd, run_id ON llm_calls
  FOR EACH ROW WHEN (OLD.cost_picousd IS DISTINCT FROM NEW.cost_picousd OR OLD.run_id <> NEW.run_id)
  EXECUTE FUNCTION llm_calls_run_cost();
CREATE TRIGGER llm_calls_run_cost_delete AFTER DELETE ON llm_calls
  FOR EACH ROW WHEN (OLD.cost_picousd IS NOT NULL) EXECUTE FUNCTION llm_calls_run_cost();
