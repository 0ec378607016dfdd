-- Rollups of the ledger, kept by the database itself so that cost reports and the dashboard's
-- charts read buckets instead of a million rows:
-- * cost_hourly and cost_daily: per time bucket (Unix epoch hour or day of the call time, UTC) x
--   category x stage x agent role x provider x model, the same sums a cost report shows (calls,
--   failed, unpriced, five token counts, cost, wasted, interrupted and their estimate) plus the
--   summed latency. Exact: money is integer picodollars, as in the ledger.
-- * run_cost: each run's cost, for the cost of completed books per category.
-- Triggers keep them equal to the ledger: an insert adds the row, a delete subtracts it, and an
-- update (completion of a written-ahead call, interruption, repricing, a changed model) subtracts
-- the old row and adds the new one, so every column may change, keys included. A bucket whose
-- rows all moved away keeps zeros; readers skip groups with no calls. A ledger row whose project is
-- unknown is kept under category '' (the raw report leaves it out of category groupings too).

CREATE TABLE cost_hourly (
  hour                    INTEGER NOT NULL,
  category                TEXT NOT NULL,
  stage                   TEXT NOT NULL,
  agent_role              TEXT NOT NULL,
  provider                TEXT NOT NULL,
  model                   TEXT NOT NULL,
  calls                   INTEGER NOT NULL,
  failed_calls            INTEGER NOT NULL,
  unpriced_calls          INTEGER NOT NULL,
  input_tokens            INTEGER NOT NULL,
  output_tokens           INTEGER NOT NULL,
  cache_read_tokens       INTEGER NOT NULL,
  cache_write_tokens      INTEGER NOT NULL,
  reasoning_tokens        INTEGER NOT NULL,
  cost_picousd            INTEGER NOT NULL,
  wasted_calls            INTEGER NOT NULL,
  wasted_cost_picousd     INTEGER NOT NULL,
  interrupted_calls       INTEGER NOT NULL,
  interrupted_est_picousd INTEGER NOT NULL,
  latency_ms              INTEGER NOT NULL,
  PRIMARY KEY (hour, category, stage, agent_role, provider, model)
) WITHOUT ROWID;

CREATE TABLE cost_daily (
  day                     INTEGER NOT NULL,
  category                TEXT NOT NULL,
  stage                   TEXT NOT NULL,
  agent_role              TEXT NOT NULL,
  provider                TEXT NOT NULL,
  model                   TEXT NOT NULL,
  calls                   INTEGER NOT NULL,
  failed_calls            INTEGER NOT NULL,
  unpriced_calls          INTEGER NOT NULL,
  input_tokens            INTEGER NOT NULL,
  output_tokens           INTEGER NOT NULL,
  cache_read_tokens       INTEGER NOT NULL,
  cache_write_tokens      INTEGER NOT NULL,
  reasoning_tokens        INTEGER NOT NULL,
  cost_picousd            INTEGER NOT NULL,
  wasted_calls            INTEGER NOT NULL,
  wasted_cost_picousd     INTEGER NOT NULL,
  interrupted_calls       INTEGER NOT NULL,
  interrupted_est_picousd INTEGER NOT NULL,
  latency_ms              INTEGER NOT NULL,
  PRIMARY KEY (day, category, stage, agent_role, provider, model)
) WITHOUT ROWID;

INSERT INTO cost_hourly(hour, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
  SELECT c.at / 3600000, COALESCE(p.category, ''), c.stage, c.agent_role, c.provider, c.model,
    COUNT(*), COALESCE(SUM(c.error_type IS NOT NULL), 0), COALESCE(SUM(c.cost_picousd IS NULL AND c.outcome IN ('ok', 'error', 'wasted')), 0), COALESCE(SUM(c.input_tokens), 0), COALESCE(SUM(c.output_tokens), 0), COALESCE(SUM(c.cache_read_tokens), 0), COALESCE(SUM(c.cache_write_tokens), 0), COALESCE(SUM(c.reasoning_tokens), 0), COALESCE(SUM(COALESCE(c.cost_picousd, 0)), 0), COALESCE(SUM(c.outcome = 'wasted'), 0), COALESCE(SUM(CASE WHEN c.outcome = 'wasted' THEN COALESCE(c.cost_picousd, 0) ELSE 0 END), 0), COALESCE(SUM(c.outcome IN ('pending', 'interrupted')), 0), COALESCE(SUM(CASE WHEN c.outcome IN ('pending', 'interrupted') THEN COALESCE(c.est_cost_picousd, 0) ELSE 0 END), 0), COALESCE(SUM(c.latency_ms), 0)
  FROM llm_calls c LEFT JOIN projects p ON p.id = c.project_id
  GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO cost_daily(day, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
  SELECT c.at / 86400000, COALESCE(p.category, ''), c.stage, c.agent_role, c.provider, c.model,
    COUNT(*), COALESCE(SUM(c.error_type IS NOT NULL), 0), COALESCE(SUM(c.cost_picousd IS NULL AND c.outcome IN ('ok', 'error', 'wasted')), 0), COALESCE(SUM(c.input_tokens), 0), COALESCE(SUM(c.output_tokens), 0), COALESCE(SUM(c.cache_read_tokens), 0), COALESCE(SUM(c.cache_write_tokens), 0), COALESCE(SUM(c.reasoning_tokens), 0), COALESCE(SUM(COALESCE(c.cost_picousd, 0)), 0), COALESCE(SUM(c.outcome = 'wasted'), 0), COALESCE(SUM(CASE WHEN c.outcome = 'wasted' THEN COALESCE(c.cost_picousd, 0) ELSE 0 END), 0), COALESCE(SUM(c.outcome IN ('pending', 'interrupted')), 0), COALESCE(SUM(CASE WHEN c.outcome IN ('pending', 'interrupted') THEN COALESCE(c.est_cost_picousd, 0) ELSE 0 END), 0), COALESCE(SUM(c.latency_ms), 0)
  FROM llm_calls c LEFT JOIN projects p ON p.id = c.project_id
  GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER llm_calls_rollup_insert AFTER INSERT ON llm_calls BEGIN
  INSERT INTO cost_hourly(hour, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
    VALUES (NEW.at / 3600000, COALESCE((SELECT category FROM projects WHERE id = NEW.project_id), ''),
      NEW.stage, NEW.agent_role, NEW.provider, NEW.model, 1, NEW.error_type IS NOT NULL, NEW.cost_picousd IS NULL AND NEW.outcome IN ('ok', 'error', 'wasted'), NEW.input_tokens, NEW.output_tokens, NEW.cache_read_tokens, NEW.cache_write_tokens, NEW.reasoning_tokens, COALESCE(NEW.cost_picousd, 0), NEW.outcome = 'wasted', CASE WHEN NEW.outcome = 'wasted' THEN COALESCE(NEW.cost_picousd, 0) ELSE 0 END, NEW.outcome IN ('pending', 'interrupted'), CASE WHEN NEW.outcome IN ('pending', 'interrupted') THEN COALESCE(NEW.est_cost_picousd, 0) ELSE 0 END, NEW.latency_ms)
    ON CONFLICT(hour, category, stage, agent_role, provider, model) DO UPDATE SET calls = calls + excluded.calls, failed_calls = failed_calls + excluded.failed_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_picousd = cost_picousd + excluded.cost_picousd, wasted_calls = wasted_calls + excluded.wasted_calls, wasted_cost_picousd = wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = interrupted_est_picousd + excluded.interrupted_est_picousd, latency_ms = latency_ms + excluded.latency_ms; --
  INSERT INTO cost_daily(day, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
    VALUES (NEW.at / 86400000, COALESCE((SELECT category FROM projects WHERE id = NEW.project_id), ''),
      NEW.stage, NEW.agent_role, NEW.provider, NEW.model, 1, NEW.error_type IS NOT NULL, NEW.cost_picousd IS NULL AND NEW.outcome IN ('ok', 'error', 'wasted'), NEW.input_tokens, NEW.output_tokens, NEW.cache_read_tokens, NEW.cache_write_tokens, NEW.reasoning_tokens, COALESCE(NEW.cost_picousd, 0), NEW.outcome = 'wasted', CASE WHEN NEW.outcome = 'wasted' THEN COALESCE(NEW.cost_picousd, 0) ELSE 0 END, NEW.outcome IN ('pending', 'interrupted'), CASE WHEN NEW.outcome IN ('pending', 'interrupted') THEN COALESCE(NEW.est_cost_picousd, 0) ELSE 0 END, NEW.latency_ms)
    ON CONFLICT(day, category, stage, agent_role, provider, model) DO UPDATE SET calls = calls + excluded.calls, failed_calls = failed_calls + excluded.failed_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_picousd = cost_picousd + excluded.cost_picousd, wasted_calls = wasted_calls + excluded.wasted_calls, wasted_cost_picousd = wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = interrupted_est_picousd + excluded.interrupted_est_picousd, latency_ms = latency_ms + excluded.latency_ms; END;

CREATE TRIGGER llm_calls_rollup_update AFTER UPDATE ON llm_calls BEGIN
  INSERT INTO cost_hourly(hour, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
    VALUES (OLD.at / 3600000, COALESCE((SELECT category FROM projects WHERE id = OLD.project_id), ''),
      OLD.stage, OLD.agent_role, OLD.provider, OLD.model, -(1), -(OLD.error_type IS NOT NULL), -(OLD.cost_picousd IS NULL AND OLD.outcome IN ('ok', 'error', 'wasted')), -(OLD.input_tokens), -(OLD.output_tokens), -(OLD.cache_read_tokens), -(OLD.cache_write_tokens), -(OLD.reasoning_tokens), -(COALESCE(OLD.cost_picousd, 0)), -(OLD.outcome = 'wasted'), -(CASE WHEN OLD.outcome = 'wasted' THEN COALESCE(OLD.cost_picousd, 0) ELSE 0 END), -(OLD.outcome IN ('pending', 'interrupted')), -(CASE WHEN OLD.outcome IN ('pending', 'interrupted') THEN COALESCE(OLD.est_cost_picousd, 0) ELSE 0 END), -(OLD.latency_ms))
    ON CONFLICT(hour, category, stage, agent_role, provider, model) DO UPDATE SET calls = calls + excluded.calls, failed_calls = failed_calls + excluded.failed_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_picousd = cost_picousd + excluded.cost_picousd, wasted_calls = wasted_calls + excluded.wasted_calls, wasted_cost_picousd = wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = interrupted_est_picousd + excluded.interrupted_est_picousd, latency_ms = latency_ms + excluded.latency_ms; --
  INSERT INTO cost_daily(day, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
    VALUES (OLD.at / 86400000, COALESCE((SELECT category FROM projects WHERE id = OLD.project_id), ''),
      OLD.stage, OLD.agent_role, OLD.provider, OLD.model, -(1), -(OLD.error_type IS NOT NULL), -(OLD.cost_picousd IS NULL AND OLD.outcome IN ('ok', 'error', 'wasted')), -(OLD.input_tokens), -(OLD.output_tokens), -(OLD.cache_read_tokens), -(OLD.cache_write_tokens), -(OLD.reasoning_tokens), -(COALESCE(OLD.cost_picousd, 0)), -(OLD.outcome = 'wasted'), -(CASE WHEN OLD.outcome = 'wasted' THEN COALESCE(OLD.cost_picousd, 0) ELSE 0 END), -(OLD.outcome IN ('pending', 'interrupted')), -(CASE WHEN OLD.outcome IN ('pending', 'interrupted') THEN COALESCE(OLD.est_cost_picousd, 0) ELSE 0 END), -(OLD.latency_ms))
    ON CONFLICT(day, category, stage, agent_role, provider, model) DO UPDATE SET calls = calls + excluded.calls, failed_calls = failed_calls + excluded.failed_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_picousd = cost_picousd + excluded.cost_picousd, wasted_calls = wasted_calls + excluded.wasted_calls, wasted_cost_picousd = wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = interrupted_est_picousd + excluded.interrupted_est_picousd, latency_ms = latency_ms + excluded.latency_ms; --
  INSERT INTO cost_hourly(hour, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
    VALUES (NEW.at / 3600000, COALESCE((SELECT category FROM projects WHERE id = NEW.project_id), ''),
      NEW.stage, NEW.agent_role, NEW.provider, NEW.model, 1, NEW.error_type IS NOT NULL, NEW.cost_picousd IS NULL AND NEW.outcome IN ('ok', 'error', 'wasted'), NEW.input_tokens, NEW.output_tokens, NEW.cache_read_tokens, NEW.cache_write_tokens, NEW.reasoning_tokens, COALESCE(NEW.cost_picousd, 0), NEW.outcome = 'wasted', CASE WHEN NEW.outcome = 'wasted' THEN COALESCE(NEW.cost_picousd, 0) ELSE 0 END, NEW.outcome IN ('pending', 'interrupted'), CASE WHEN NEW.outcome IN ('pending', 'interrupted') THEN COALESCE(NEW.est_cost_picousd, 0) ELSE 0 END, NEW.latency_ms)
    ON CONFLICT(hour, category, stage, agent_role, provider, model) DO UPDATE SET calls = calls + excluded.calls, failed_calls = failed_calls + excluded.failed_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_picousd = cost_picousd + excluded.cost_picousd, wasted_calls = wasted_calls + excluded.wasted_calls, wasted_cost_picousd = wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = interrupted_est_picousd + excluded.interrupted_est_picousd, latency_ms = latency_ms + excluded.latency_ms; --
  INSERT INTO cost_daily(day, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
    VALUES (NEW.at / 86400000, COALESCE((SELECT category FROM projects WHERE id = NEW.project_id), ''),
      NEW.stage, NEW.agent_role, NEW.provider, NEW.model, 1, NEW.error_type IS NOT NULL, NEW.cost_picousd IS NULL AND NEW.outcome IN ('ok', 'error', 'wasted'), NEW.input_tokens, NEW.output_tokens, NEW.cache_read_tokens, NEW.cache_write_tokens, NEW.reasoning_tokens, COALESCE(NEW.cost_picousd, 0), NEW.outcome = 'wasted', CASE WHEN NEW.outcome = 'wasted' THEN COALESCE(NEW.cost_picousd, 0) ELSE 0 END, NEW.outcome IN ('pending', 'interrupted'), CASE WHEN NEW.outcome IN ('pending', 'interrupted') THEN COALESCE(NEW.est_cost_picousd, 0) ELSE 0 END, NEW.latency_ms)
    ON CONFLICT(day, category, stage, agent_role, provider, model) DO UPDATE SET calls = calls + excluded.calls, failed_calls = failed_calls + excluded.failed_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_picousd = cost_picousd + excluded.cost_picousd, wasted_calls = wasted_calls + excluded.wasted_calls, wasted_cost_picousd = wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = interrupted_est_picousd + excluded.interrupted_est_picousd, latency_ms = latency_ms + excluded.latency_ms; END;

CREATE TRIGGER llm_calls_rollup_delete AFTER DELETE ON llm_calls BEGIN
  INSERT INTO cost_hourly(hour, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
    VALUES (OLD.at / 3600000, COALESCE((SELECT category FROM projects WHERE id = OLD.project_id), ''),
      OLD.stage, OLD.agent_role, OLD.provider, OLD.model, -(1), -(OLD.error_type IS NOT NULL), -(OLD.cost_picousd IS NULL AND OLD.outcome IN ('ok', 'error', 'wasted')), -(OLD.input_tokens), -(OLD.output_tokens), -(OLD.cache_read_tokens), -(OLD.cache_write_tokens), -(OLD.reasoning_tokens), -(COALESCE(OLD.cost_picousd, 0)), -(OLD.outcome = 'wasted'), -(CASE WHEN OLD.outcome = 'wasted' THEN COALESCE(OLD.cost_picousd, 0) ELSE 0 END), -(OLD.outcome IN ('pending', 'interrupted')), -(CASE WHEN OLD.outcome IN ('pending', 'interrupted') THEN COALESCE(OLD.est_cost_picousd, 0) ELSE 0 END), -(OLD.latency_ms))
    ON CONFLICT(hour, category, stage, agent_role, provider, model) DO UPDATE SET calls = calls + excluded.calls, failed_calls = failed_calls + excluded.failed_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_picousd = cost_picousd + excluded.cost_picousd, wasted_calls = wasted_calls + excluded.wasted_calls, wasted_cost_picousd = wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = interrupted_est_picousd + excluded.interrupted_est_picousd, latency_ms = latency_ms + excluded.latency_ms; --
  INSERT INTO cost_daily(day, category, stage, agent_role, provider, model, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_picousd, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd, latency_ms)
    VALUES (OLD.at / 86400000, COALESCE((SELECT category FROM projects WHERE id = OLD.project_id), ''),
      OLD.stage, OLD.agent_role, OLD.provider, OLD.model, -(1), -(OLD.error_type IS NOT NULL), -(OLD.cost_picousd IS NULL AND OLD.outcome IN ('ok', 'error', 'wasted')), -(OLD.input_tokens), -(OLD.output_tokens), -(OLD.cache_read_tokens), -(OLD.cache_write_tokens), -(OLD.reasoning_tokens), -(COALESCE(OLD.cost_picousd, 0)), -(OLD.outcome = 'wasted'), -(CASE WHEN OLD.outcome = 'wasted' THEN COALESCE(OLD.cost_picousd, 0) ELSE 0 END), -(OLD.outcome IN ('pending', 'interrupted')), -(CASE WHEN OLD.outcome IN ('pending', 'interrupted') THEN COALESCE(OLD.est_cost_picousd, 0) ELSE 0 END), -(OLD.latency_ms))
    ON CONFLICT(day, category, stage, agent_role, provider, model) DO UPDATE SET calls = calls + excluded.calls, failed_calls = failed_calls + excluded.failed_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_picousd = cost_picousd + excluded.cost_picousd, wasted_calls = wasted_calls + excluded.wasted_calls, wasted_cost_picousd = wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = interrupted_est_picousd + excluded.interrupted_est_picousd, latency_ms = latency_ms + excluded.latency_ms; END;

CREATE TABLE run_cost (
  run_id        TEXT PRIMARY KEY,
  cost_picousd  INTEGER NOT NULL
);
INSERT INTO run_cost(run_id, cost_picousd)
  SELECT run_id, SUM(cost_picousd) FROM llm_calls WHERE cost_picousd IS NOT NULL GROUP BY run_id;
CREATE TRIGGER llm_calls_run_cost_insert AFTER INSERT ON llm_calls
  WHEN NEW.cost_picousd IS NOT NULL BEGIN
  INSERT INTO run_cost(run_id, cost_picousd) VALUES (NEW.run_id, NEW.cost_picousd)
    ON CONFLICT(run_id) DO UPDATE SET cost_picousd = cost_picousd + excluded.cost_picousd; END;
CREATE TRIGGER llm_calls_run_cost_update AFTER UPDATE OF cost_picousd, run_id ON llm_calls
  WHEN COALESCE(NEW.cost_picousd, 0) <> COALESCE(OLD.cost_picousd, 0)
    OR NEW.run_id <> OLD.run_id BEGIN
  UPDATE run_cost SET cost_picousd = cost_picousd - COALESCE(OLD.cost_picousd, 0)
    WHERE run_id = OLD.run_id; --
  INSERT INTO run_cost(run_id, cost_picousd) VALUES (NEW.run_id, COALESCE(NEW.cost_picousd, 0))
    ON CONFLICT(run_id) DO UPDATE SET cost_picousd = cost_picousd + excluded.cost_picousd; END;
CREATE TRIGGER llm_calls_run_cost_delete AFTER DELETE ON llm_calls
  WHEN OLD.cost_picousd IS NOT NULL BEGIN
  UPDATE run_cost SET cost_picousd = cost_picousd - OLD.cost_picousd
    WHERE run_id = OLD.run_id; END;
