-- Two rollups for the dashboard at scale (issue 13, "fast at scale"), kept by triggers in the
-- transaction that writes the ledger row, as V12's are:
--
-- * call_latency_hourly: the answered calls (outcomes ok, error, wasted) per hour of the call time
--   (Unix epoch hour, UTC) x agent role x provider x model x error type ('' for none) x latency
--   bucket: how many, and their summed latency. The buckets have fixed bounds (milliseconds,
--   upper bound inclusive; bucket i holds latencies above bound i-1 up to bound i, the last one
--   everything above 600,000 ms), the same as LatencyBuckets in the store's Java code:
--   5, 10, 25, 50, 75, 100, 125, 150, 175, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000, 1250, 1500, 1750, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 6000, 7000, 8000, 9000, 10000, 12500, 15000, 17500, 20000, 25000, 30000, 35000, 40000, 45000, 50000, 60000, 75000, 90000, 120000, 150000, 180000, 240000, 300000, 450000, 600000
--   The Agents and Providers pages read their calls, errors by type, mean latency (exact) and p50 /
--   p95 (exact to a bucket: the upper bound of the bucket that holds the nearest-rank latency)
--   from here instead of ranking the ledger rows of the range.
-- * run_cost, until now each run's cost, gets the run's project and the other sums of a cost
--   report (calls, failed, unpriced, the five token counts, wasted and interrupted calls and
--   their cost), so that `cost report --by project` or `--by run` (without a time range) sums one
--   row per run instead of every ledger row. Its project is the project of the run's ledger rows
--   (the ledger writes a call with its run's project), else the run's. The cost column and its
--   index (V19) are unchanged; its ledger triggers now add every row, priced or not.
--
-- Both are back-filled from the existing ledger here.
-- (Statements end at a line ending in a semicolon: a trigger's body stays on its END line.)

CREATE TABLE call_latency_hourly (
  hour        INTEGER NOT NULL,
  agent_role  TEXT NOT NULL,
  provider    TEXT NOT NULL,
  model       TEXT NOT NULL,
  error_type  TEXT NOT NULL,
  bucket      INTEGER NOT NULL,
  calls       INTEGER NOT NULL,
  latency_ms  INTEGER NOT NULL,
  PRIMARY KEY (hour, agent_role, provider, model, error_type, bucket)
) WITHOUT ROWID;

INSERT INTO call_latency_hourly(hour, agent_role, provider, model, error_type, bucket, calls, latency_ms)
  SELECT at / 3600000, agent_role, provider, model, COALESCE(error_type, ''),
    CASE WHEN latency_ms <= 5 THEN 0 WHEN latency_ms <= 10 THEN 1 WHEN latency_ms <= 25 THEN 2 WHEN latency_ms <= 50 THEN 3 WHEN latency_ms <= 75 THEN 4 WHEN latency_ms <= 100 THEN 5 WHEN latency_ms <= 125 THEN 6 WHEN latency_ms <= 150 THEN 7 WHEN latency_ms <= 175 THEN 8 WHEN latency_ms <= 200 THEN 9 WHEN latency_ms <= 250 THEN 10 WHEN latency_ms <= 300 THEN 11 WHEN latency_ms <= 350 THEN 12 WHEN latency_ms <= 400 THEN 13 WHEN latency_ms <= 450 THEN 14 WHEN latency_ms <= 500 THEN 15 WHEN latency_ms <= 600 THEN 16 WHEN latency_ms <= 700 THEN 17 WHEN latency_ms <= 800 THEN 18 WHEN latency_ms <= 900 THEN 19 WHEN latency_ms <= 1000 THEN 20 WHEN latency_ms <= 1250 THEN 21 WHEN latency_ms <= 1500 THEN 22 WHEN latency_ms <= 1750 THEN 23 WHEN latency_ms <= 2000 THEN 24 WHEN latency_ms <= 2500 THEN 25 WHEN latency_ms <= 3000 THEN 26 WHEN latency_ms <= 3500 THEN 27 WHEN latency_ms <= 4000 THEN 28 WHEN latency_ms <= 4500 THEN 29 WHEN latency_ms <= 5000 THEN 30 WHEN latency_ms <= 6000 THEN 31 WHEN latency_ms <= 7000 THEN 32 WHEN latency_ms <= 8000 THEN 33 WHEN latency_ms <= 9000 THEN 34 WHEN latency_ms <= 10000 THEN 35 WHEN latency_ms <= 12500 THEN 36 WHEN latency_ms <= 15000 THEN 37 WHEN latency_ms <= 17500 THEN 38 WHEN latency_ms <= 20000 THEN 39 WHEN latency_ms <= 25000 THEN 40 WHEN latency_ms <= 30000 THEN 41 WHEN latency_ms <= 35000 THEN 42 WHEN latency_ms <= 40000 THEN 43 WHEN latency_ms <= 45000 THEN 44 WHEN latency_ms <= 50000 THEN 45 WHEN latency_ms <= 60000 THEN 46 WHEN latency_ms <= 75000 THEN 47 WHEN latency_ms <= 90000 THEN 48 WHEN latency_ms <= 120000 THEN 49 WHEN latency_ms <= 150000 THEN 50 WHEN latency_ms <= 180000 THEN 51 WHEN latency_ms <= 240000 THEN 52 WHEN latency_ms <= 300000 THEN 53 WHEN latency_ms <= 450000 THEN 54 WHEN latency_ms <= 600000 THEN 55 ELSE 56 END,
    COUNT(*), SUM(latency_ms)
  FROM llm_calls WHERE outcome IN ('ok', 'error', 'wasted')
  GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER llm_calls_latency_insert AFTER INSERT ON llm_calls
WHEN NEW.outcome IN ('ok', 'error', 'wasted')
BEGIN
  INSERT INTO call_latency_hourly(hour, agent_role, provider, model, error_type, bucket, calls, latency_ms)
    SELECT NEW.at / 3600000, NEW.agent_role, NEW.provider, NEW.model, COALESCE(NEW.error_type, ''),
      CASE WHEN NEW.latency_ms <= 5 THEN 0 WHEN NEW.latency_ms <= 10 THEN 1 WHEN NEW.latency_ms <= 25 THEN 2 WHEN NEW.latency_ms <= 50 THEN 3 WHEN NEW.latency_ms <= 75 THEN 4 WHEN NEW.latency_ms <= 100 THEN 5 WHEN NEW.latency_ms <= 125 THEN 6 WHEN NEW.latency_ms <= 150 THEN 7 WHEN NEW.latency_ms <= 175 THEN 8 WHEN NEW.latency_ms <= 200 THEN 9 WHEN NEW.latency_ms <= 250 THEN 10 WHEN NEW.latency_ms <= 300 THEN 11 WHEN NEW.latency_ms <= 350 THEN 12 WHEN NEW.latency_ms <= 400 THEN 13 WHEN NEW.latency_ms <= 450 THEN 14 WHEN NEW.latency_ms <= 500 THEN 15 WHEN NEW.latency_ms <= 600 THEN 16 WHEN NEW.latency_ms <= 700 THEN 17 WHEN NEW.latency_ms <= 800 THEN 18 WHEN NEW.latency_ms <= 900 THEN 19 WHEN NEW.latency_ms <= 1000 THEN 20 WHEN NEW.latency_ms <= 1250 THEN 21 WHEN NEW.latency_ms <= 1500 THEN 22 WHEN NEW.latency_ms <= 1750 THEN 23 WHEN NEW.latency_ms <= 2000 THEN 24 WHEN NEW.latency_ms <= 2500 THEN 25 WHEN NEW.latency_ms <= 3000 THEN 26 WHEN NEW.latency_ms <= 3500 THEN 27 WHEN NEW.latency_ms <= 4000 THEN 28 WHEN NEW.latency_ms <= 4500 THEN 29 WHEN NEW.latency_ms <= 5000 THEN 30 WHEN NEW.latency_ms <= 6000 THEN 31 WHEN NEW.latency_ms <= 7000 THEN 32 WHEN NEW.latency_ms <= 8000 THEN 33 WHEN NEW.latency_ms <= 9000 THEN 34 WHEN NEW.latency_ms <= 10000 THEN 35 WHEN NEW.latency_ms <= 12500 THEN 36 WHEN NEW.latency_ms <= 15000 THEN 37 WHEN NEW.latency_ms <= 17500 THEN 38 WHEN NEW.latency_ms <= 20000 THEN 39 WHEN NEW.latency_ms <= 25000 THEN 40 WHEN NEW.latency_ms <= 30000 THEN 41 WHEN NEW.latency_ms <= 35000 THEN 42 WHEN NEW.latency_ms <= 40000 THEN 43 WHEN NEW.latency_ms <= 45000 THEN 44 WHEN NEW.latency_ms <= 50000 THEN 45 WHEN NEW.latency_ms <= 60000 THEN 46 WHEN NEW.latency_ms <= 75000 THEN 47 WHEN NEW.latency_ms <= 90000 THEN 48 WHEN NEW.latency_ms <= 120000 THEN 49 WHEN NEW.latency_ms <= 150000 THEN 50 WHEN NEW.latency_ms <= 180000 THEN 51 WHEN NEW.latency_ms <= 240000 THEN 52 WHEN NEW.latency_ms <= 300000 THEN 53 WHEN NEW.latency_ms <= 450000 THEN 54 WHEN NEW.latency_ms <= 600000 THEN 55 ELSE 56 END,
      1, NEW.latency_ms WHERE true
    ON CONFLICT(hour, agent_role, provider, model, error_type, bucket) DO UPDATE SET calls = calls + excluded.calls, latency_ms = latency_ms + excluded.latency_ms; END;

CREATE TRIGGER llm_calls_latency_update AFTER UPDATE ON llm_calls
WHEN (OLD.outcome IN ('ok', 'error', 'wasted') OR NEW.outcome IN ('ok', 'error', 'wasted'))
  AND (OLD.outcome IS NOT NEW.outcome OR OLD.at IS NOT NEW.at OR OLD.agent_role IS NOT NEW.agent_role OR OLD.provider IS NOT NEW.provider OR OLD.model IS NOT NEW.model OR OLD.error_type IS NOT NEW.error_type OR OLD.latency_ms IS NOT NEW.latency_ms)
BEGIN
  INSERT INTO call_latency_hourly(hour, agent_role, provider, model, error_type, bucket, calls, latency_ms)
    SELECT OLD.at / 3600000, OLD.agent_role, OLD.provider, OLD.model, COALESCE(OLD.error_type, ''),
      CASE WHEN OLD.latency_ms <= 5 THEN 0 WHEN OLD.latency_ms <= 10 THEN 1 WHEN OLD.latency_ms <= 25 THEN 2 WHEN OLD.latency_ms <= 50 THEN 3 WHEN OLD.latency_ms <= 75 THEN 4 WHEN OLD.latency_ms <= 100 THEN 5 WHEN OLD.latency_ms <= 125 THEN 6 WHEN OLD.latency_ms <= 150 THEN 7 WHEN OLD.latency_ms <= 175 THEN 8 WHEN OLD.latency_ms <= 200 THEN 9 WHEN OLD.latency_ms <= 250 THEN 10 WHEN OLD.latency_ms <= 300 THEN 11 WHEN OLD.latency_ms <= 350 THEN 12 WHEN OLD.latency_ms <= 400 THEN 13 WHEN OLD.latency_ms <= 450 THEN 14 WHEN OLD.latency_ms <= 500 THEN 15 WHEN OLD.latency_ms <= 600 THEN 16 WHEN OLD.latency_ms <= 700 THEN 17 WHEN OLD.latency_ms <= 800 THEN 18 WHEN OLD.latency_ms <= 900 THEN 19 WHEN OLD.latency_ms <= 1000 THEN 20 WHEN OLD.latency_ms <= 1250 THEN 21 WHEN OLD.latency_ms <= 1500 THEN 22 WHEN OLD.latency_ms <= 1750 THEN 23 WHEN OLD.latency_ms <= 2000 THEN 24 WHEN OLD.latency_ms <= 2500 THEN 25 WHEN OLD.latency_ms <= 3000 THEN 26 WHEN OLD.latency_ms <= 3500 THEN 27 WHEN OLD.latency_ms <= 4000 THEN 28 WHEN OLD.latency_ms <= 4500 THEN 29 WHEN OLD.latency_ms <= 5000 THEN 30 WHEN OLD.latency_ms <= 6000 THEN 31 WHEN OLD.latency_ms <= 7000 THEN 32 WHEN OLD.latency_ms <= 8000 THEN 33 WHEN OLD.latency_ms <= 9000 THEN 34 WHEN OLD.latency_ms <= 10000 THEN 35 WHEN OLD.latency_ms <= 12500 THEN 36 WHEN OLD.latency_ms <= 15000 THEN 37 WHEN OLD.latency_ms <= 17500 THEN 38 WHEN OLD.latency_ms <= 20000 THEN 39 WHEN OLD.latency_ms <= 25000 THEN 40 WHEN OLD.latency_ms <= 30000 THEN 41 WHEN OLD.latency_ms <= 35000 THEN 42 WHEN OLD.latency_ms <= 40000 THEN 43 WHEN OLD.latency_ms <= 45000 THEN 44 WHEN OLD.latency_ms <= 50000 THEN 45 WHEN OLD.latency_ms <= 60000 THEN 46 WHEN OLD.latency_ms <= 75000 THEN 47 WHEN OLD.latency_ms <= 90000 THEN 48 WHEN OLD.latency_ms <= 120000 THEN 49 WHEN OLD.latency_ms <= 150000 THEN 50 WHEN OLD.latency_ms <= 180000 THEN 51 WHEN OLD.latency_ms <= 240000 THEN 52 WHEN OLD.latency_ms <= 300000 THEN 53 WHEN OLD.latency_ms <= 450000 THEN 54 WHEN OLD.latency_ms <= 600000 THEN 55 ELSE 56 END,
      -1, -OLD.latency_ms WHERE OLD.outcome IN ('ok', 'error', 'wasted')
    ON CONFLICT(hour, agent_role, provider, model, error_type, bucket) DO UPDATE SET calls = calls + excluded.calls, latency_ms = latency_ms + excluded.latency_ms; --
  INSERT INTO call_latency_hourly(hour, agent_role, provider, model, error_type, bucket, calls, latency_ms)
    SELECT NEW.at / 3600000, NEW.agent_role, NEW.provider, NEW.model, COALESCE(NEW.error_type, ''),
      CASE WHEN NEW.latency_ms <= 5 THEN 0 WHEN NEW.latency_ms <= 10 THEN 1 WHEN NEW.latency_ms <= 25 THEN 2 WHEN NEW.latency_ms <= 50 THEN 3 WHEN NEW.latency_ms <= 75 THEN 4 WHEN NEW.latency_ms <= 100 THEN 5 WHEN NEW.latency_ms <= 125 THEN 6 WHEN NEW.latency_ms <= 150 THEN 7 WHEN NEW.latency_ms <= 175 THEN 8 WHEN NEW.latency_ms <= 200 THEN 9 WHEN NEW.latency_ms <= 250 THEN 10 WHEN NEW.latency_ms <= 300 THEN 11 WHEN NEW.latency_ms <= 350 THEN 12 WHEN NEW.latency_ms <= 400 THEN 13 WHEN NEW.latency_ms <= 450 THEN 14 WHEN NEW.latency_ms <= 500 THEN 15 WHEN NEW.latency_ms <= 600 THEN 16 WHEN NEW.latency_ms <= 700 THEN 17 WHEN NEW.latency_ms <= 800 THEN 18 WHEN NEW.latency_ms <= 900 THEN 19 WHEN NEW.latency_ms <= 1000 THEN 20 WHEN NEW.latency_ms <= 1250 THEN 21 WHEN NEW.latency_ms <= 1500 THEN 22 WHEN NEW.latency_ms <= 1750 THEN 23 WHEN NEW.latency_ms <= 2000 THEN 24 WHEN NEW.latency_ms <= 2500 THEN 25 WHEN NEW.latency_ms <= 3000 THEN 26 WHEN NEW.latency_ms <= 3500 THEN 27 WHEN NEW.latency_ms <= 4000 THEN 28 WHEN NEW.latency_ms <= 4500 THEN 29 WHEN NEW.latency_ms <= 5000 THEN 30 WHEN NEW.latency_ms <= 6000 THEN 31 WHEN NEW.latency_ms <= 7000 THEN 32 WHEN NEW.latency_ms <= 8000 THEN 33 WHEN NEW.latency_ms <= 9000 THEN 34 WHEN NEW.latency_ms <= 10000 THEN 35 WHEN NEW.latency_ms <= 12500 THEN 36 WHEN NEW.latency_ms <= 15000 THEN 37 WHEN NEW.latency_ms <= 17500 THEN 38 WHEN NEW.latency_ms <= 20000 THEN 39 WHEN NEW.latency_ms <= 25000 THEN 40 WHEN NEW.latency_ms <= 30000 THEN 41 WHEN NEW.latency_ms <= 35000 THEN 42 WHEN NEW.latency_ms <= 40000 THEN 43 WHEN NEW.latency_ms <= 45000 THEN 44 WHEN NEW.latency_ms <= 50000 THEN 45 WHEN NEW.latency_ms <= 60000 THEN 46 WHEN NEW.latency_ms <= 75000 THEN 47 WHEN NEW.latency_ms <= 90000 THEN 48 WHEN NEW.latency_ms <= 120000 THEN 49 WHEN NEW.latency_ms <= 150000 THEN 50 WHEN NEW.latency_ms <= 180000 THEN 51 WHEN NEW.latency_ms <= 240000 THEN 52 WHEN NEW.latency_ms <= 300000 THEN 53 WHEN NEW.latency_ms <= 450000 THEN 54 WHEN NEW.latency_ms <= 600000 THEN 55 ELSE 56 END,
      1, NEW.latency_ms WHERE NEW.outcome IN ('ok', 'error', 'wasted')
    ON CONFLICT(hour, agent_role, provider, model, error_type, bucket) DO UPDATE SET calls = calls + excluded.calls, latency_ms = latency_ms + excluded.latency_ms; END;

CREATE TRIGGER llm_calls_latency_delete AFTER DELETE ON llm_calls
WHEN OLD.outcome IN ('ok', 'error', 'wasted')
BEGIN
  INSERT INTO call_latency_hourly(hour, agent_role, provider, model, error_type, bucket, calls, latency_ms)
    SELECT OLD.at / 3600000, OLD.agent_role, OLD.provider, OLD.model, COALESCE(OLD.error_type, ''),
      CASE WHEN OLD.latency_ms <= 5 THEN 0 WHEN OLD.latency_ms <= 10 THEN 1 WHEN OLD.latency_ms <= 25 THEN 2 WHEN OLD.latency_ms <= 50 THEN 3 WHEN OLD.latency_ms <= 75 THEN 4 WHEN OLD.latency_ms <= 100 THEN 5 WHEN OLD.latency_ms <= 125 THEN 6 WHEN OLD.latency_ms <= 150 THEN 7 WHEN OLD.latency_ms <= 175 THEN 8 WHEN OLD.latency_ms <= 200 THEN 9 WHEN OLD.latency_ms <= 250 THEN 10 WHEN OLD.latency_ms <= 300 THEN 11 WHEN OLD.latency_ms <= 350 THEN 12 WHEN OLD.latency_ms <= 400 THEN 13 WHEN OLD.latency_ms <= 450 THEN 14 WHEN OLD.latency_ms <= 500 THEN 15 WHEN OLD.latency_ms <= 600 THEN 16 WHEN OLD.latency_ms <= 700 THEN 17 WHEN OLD.latency_ms <= 800 THEN 18 WHEN OLD.latency_ms <= 900 THEN 19 WHEN OLD.latency_ms <= 1000 THEN 20 WHEN OLD.latency_ms <= 1250 THEN 21 WHEN OLD.latency_ms <= 1500 THEN 22 WHEN OLD.latency_ms <= 1750 THEN 23 WHEN OLD.latency_ms <= 2000 THEN 24 WHEN OLD.latency_ms <= 2500 THEN 25 WHEN OLD.latency_ms <= 3000 THEN 26 WHEN OLD.latency_ms <= 3500 THEN 27 WHEN OLD.latency_ms <= 4000 THEN 28 WHEN OLD.latency_ms <= 4500 THEN 29 WHEN OLD.latency_ms <= 5000 THEN 30 WHEN OLD.latency_ms <= 6000 THEN 31 WHEN OLD.latency_ms <= 7000 THEN 32 WHEN OLD.latency_ms <= 8000 THEN 33 WHEN OLD.latency_ms <= 9000 THEN 34 WHEN OLD.latency_ms <= 10000 THEN 35 WHEN OLD.latency_ms <= 12500 THEN 36 WHEN OLD.latency_ms <= 15000 THEN 37 WHEN OLD.latency_ms <= 17500 THEN 38 WHEN OLD.latency_ms <= 20000 THEN 39 WHEN OLD.latency_ms <= 25000 THEN 40 WHEN OLD.latency_ms <= 30000 THEN 41 WHEN OLD.latency_ms <= 35000 THEN 42 WHEN OLD.latency_ms <= 40000 THEN 43 WHEN OLD.latency_ms <= 45000 THEN 44 WHEN OLD.latency_ms <= 50000 THEN 45 WHEN OLD.latency_ms <= 60000 THEN 46 WHEN OLD.latency_ms <= 75000 THEN 47 WHEN OLD.latency_ms <= 90000 THEN 48 WHEN OLD.latency_ms <= 120000 THEN 49 WHEN OLD.latency_ms <= 150000 THEN 50 WHEN OLD.latency_ms <= 180000 THEN 51 WHEN OLD.latency_ms <= 240000 THEN 52 WHEN OLD.latency_ms <= 300000 THEN 53 WHEN OLD.latency_ms <= 450000 THEN 54 WHEN OLD.latency_ms <= 600000 THEN 55 ELSE 56 END,
      -1, -OLD.latency_ms WHERE true
    ON CONFLICT(hour, agent_role, provider, model, error_type, bucket) DO UPDATE SET calls = calls + excluded.calls, latency_ms = latency_ms + excluded.latency_ms; END;

ALTER TABLE run_cost ADD COLUMN project_id TEXT;
ALTER TABLE run_cost ADD COLUMN calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN failed_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN unpriced_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN input_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN output_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN cache_read_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN wasted_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN wasted_cost_picousd INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN interrupted_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN interrupted_est_picousd INTEGER NOT NULL DEFAULT 0;

-- Every run of the ledger gets a row (a run whose calls are all unpriced had none), then each
-- row its project (the run's, then the one of its ledger rows) and its sums. The cost column is
-- left as it is, so the V19 triggers on it do not fire.
INSERT INTO run_cost(run_id, cost_picousd)
  SELECT DISTINCT run_id, 0 FROM llm_calls WHERE run_id NOT IN (SELECT run_id FROM run_cost);
UPDATE run_cost SET project_id = (SELECT r.project_id FROM runs r WHERE r.id = run_cost.run_id);
UPDATE run_cost SET project_id = s.project_id, calls = s.calls, failed_calls = s.failed_calls, unpriced_calls = s.unpriced_calls, input_tokens = s.input_tokens, output_tokens = s.output_tokens, cache_read_tokens = s.cache_read_tokens, cache_write_tokens = s.cache_write_tokens, reasoning_tokens = s.reasoning_tokens, wasted_calls = s.wasted_calls, wasted_cost_picousd = s.wasted_cost_picousd, interrupted_calls = s.interrupted_calls, interrupted_est_picousd = s.interrupted_est_picousd
  FROM (SELECT c.run_id, MIN(c.project_id) AS project_id,
      SUM(1) AS calls,
      SUM((c.error_type IS NOT NULL)) AS failed_calls,
      SUM((c.cost_picousd IS NULL AND c.outcome IN ('ok', 'error', 'wasted'))) AS unpriced_calls,
      SUM(c.input_tokens) AS input_tokens,
      SUM(c.output_tokens) AS output_tokens,
      SUM(c.cache_read_tokens) AS cache_read_tokens,
      SUM(c.cache_write_tokens) AS cache_write_tokens,
      SUM(c.reasoning_tokens) AS reasoning_tokens,
      SUM((c.outcome = 'wasted')) AS wasted_calls,
      SUM(CASE WHEN c.outcome = 'wasted' THEN COALESCE(c.cost_picousd, 0) ELSE 0 END) AS wasted_cost_picousd,
      SUM((c.outcome IN ('pending', 'interrupted'))) AS interrupted_calls,
      SUM(CASE WHEN c.outcome IN ('pending', 'interrupted') THEN COALESCE(c.est_cost_picousd, 0) ELSE 0 END) AS interrupted_est_picousd
    FROM llm_calls c GROUP BY c.run_id) AS s
  WHERE s.run_id = run_cost.run_id;

CREATE INDEX run_cost_by_project ON run_cost(project_id, run_id);

DROP TRIGGER llm_calls_run_cost_insert;
DROP TRIGGER llm_calls_run_cost_update;
DROP TRIGGER llm_calls_run_cost_delete;
DROP TRIGGER runs_cost_row;

CREATE TRIGGER llm_calls_run_cost_insert AFTER INSERT ON llm_calls BEGIN
  INSERT INTO run_cost(run_id, project_id, cost_picousd, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd)
    VALUES (NEW.run_id, NEW.project_id, COALESCE(NEW.cost_picousd, 0), 1, (NEW.error_type IS NOT NULL), (NEW.cost_picousd IS NULL AND NEW.outcome IN ('ok', 'error', 'wasted')), NEW.input_tokens, NEW.output_tokens, NEW.cache_read_tokens, NEW.cache_write_tokens, NEW.reasoning_tokens, (NEW.outcome = 'wasted'), CASE WHEN NEW.outcome = 'wasted' THEN COALESCE(NEW.cost_picousd, 0) ELSE 0 END, (NEW.outcome IN ('pending', 'interrupted')), CASE WHEN NEW.outcome IN ('pending', 'interrupted') THEN COALESCE(NEW.est_cost_picousd, 0) ELSE 0 END)
    ON CONFLICT(run_id) DO UPDATE SET project_id = COALESCE(project_id, excluded.project_id), cost_picousd = cost_picousd + excluded.cost_picousd, calls = calls + excluded.calls, failed_calls = failed_calls + excluded.failed_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, wasted_calls = wasted_calls + excluded.wasted_calls, wasted_cost_picousd = wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = interrupted_est_picousd + excluded.interrupted_est_picousd; END;

CREATE TRIGGER llm_calls_run_cost_update AFTER UPDATE ON llm_calls
WHEN NEW.run_id = OLD.run_id BEGIN
  INSERT INTO run_cost(run_id, project_id, cost_picousd, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd)
    VALUES (NEW.run_id, NEW.project_id, COALESCE(NEW.cost_picousd, 0) - COALESCE(OLD.cost_picousd, 0), 0, (NEW.error_type IS NOT NULL) - (OLD.error_type IS NOT NULL), (NEW.cost_picousd IS NULL AND NEW.outcome IN ('ok', 'error', 'wasted')) - (OLD.cost_picousd IS NULL AND OLD.outcome IN ('ok', 'error', 'wasted')), NEW.input_tokens - OLD.input_tokens, NEW.output_tokens - OLD.output_tokens, NEW.cache_read_tokens - OLD.cache_read_tokens, NEW.cache_write_tokens - OLD.cache_write_tokens, NEW.reasoning_tokens - OLD.reasoning_tokens, (NEW.outcome = 'wasted') - (OLD.outcome = 'wasted'), CASE WHEN NEW.outcome = 'wasted' THEN COALESCE(NEW.cost_picousd, 0) ELSE 0 END - CASE WHEN OLD.outcome = 'wasted' THEN COALESCE(OLD.cost_picousd, 0) ELSE 0 END, (NEW.outcome IN ('pending', 'interrupted')) - (OLD.outcome IN ('pending', 'interrupted')), CASE WHEN NEW.outcome IN ('pending', 'interrupted') THEN COALESCE(NEW.est_cost_picousd, 0) ELSE 0 END - CASE WHEN OLD.outcome IN ('pending', 'interrupted') THEN COALESCE(OLD.est_cost_picousd, 0) ELSE 0 END)
    ON CONFLICT(run_id) DO UPDATE SET project_id = COALESCE(project_id, excluded.project_id), cost_picousd = cost_picousd + excluded.cost_picousd, calls = calls + excluded.calls, failed_calls = failed_calls + excluded.failed_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, wasted_calls = wasted_calls + excluded.wasted_calls, wasted_cost_picousd = wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = interrupted_est_picousd + excluded.interrupted_est_picousd; END;

CREATE TRIGGER llm_calls_run_cost_move AFTER UPDATE ON llm_calls
WHEN NEW.run_id <> OLD.run_id BEGIN
  UPDATE run_cost SET cost_picousd = cost_picousd - COALESCE(OLD.cost_picousd, 0), calls = calls - 1, failed_calls = failed_calls - (OLD.error_type IS NOT NULL), unpriced_calls = unpriced_calls - (OLD.cost_picousd IS NULL AND OLD.outcome IN ('ok', 'error', 'wasted')), input_tokens = input_tokens - OLD.input_tokens, output_tokens = output_tokens - OLD.output_tokens, cache_read_tokens = cache_read_tokens - OLD.cache_read_tokens, cache_write_tokens = cache_write_tokens - OLD.cache_write_tokens, reasoning_tokens = reasoning_tokens - OLD.reasoning_tokens, wasted_calls = wasted_calls - (OLD.outcome = 'wasted'), wasted_cost_picousd = wasted_cost_picousd - CASE WHEN OLD.outcome = 'wasted' THEN COALESCE(OLD.cost_picousd, 0) ELSE 0 END, interrupted_calls = interrupted_calls - (OLD.outcome IN ('pending', 'interrupted')), interrupted_est_picousd = interrupted_est_picousd - CASE WHEN OLD.outcome IN ('pending', 'interrupted') THEN COALESCE(OLD.est_cost_picousd, 0) ELSE 0 END WHERE run_id = OLD.run_id; --
  INSERT INTO run_cost(run_id, project_id, cost_picousd, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd)
    VALUES (NEW.run_id, NEW.project_id, COALESCE(NEW.cost_picousd, 0), 1, (NEW.error_type IS NOT NULL), (NEW.cost_picousd IS NULL AND NEW.outcome IN ('ok', 'error', 'wasted')), NEW.input_tokens, NEW.output_tokens, NEW.cache_read_tokens, NEW.cache_write_tokens, NEW.reasoning_tokens, (NEW.outcome = 'wasted'), CASE WHEN NEW.outcome = 'wasted' THEN COALESCE(NEW.cost_picousd, 0) ELSE 0 END, (NEW.outcome IN ('pending', 'interrupted')), CASE WHEN NEW.outcome IN ('pending', 'interrupted') THEN COALESCE(NEW.est_cost_picousd, 0) ELSE 0 END)
    ON CONFLICT(run_id) DO UPDATE SET project_id = COALESCE(project_id, excluded.project_id), cost_picousd = cost_picousd + excluded.cost_picousd, calls = calls + excluded.calls, failed_calls = failed_calls + excluded.failed_calls, unpriced_calls = unpriced_calls + excluded.unpriced_calls, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, wasted_calls = wasted_calls + excluded.wasted_calls, wasted_cost_picousd = wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = interrupted_est_picousd + excluded.interrupted_est_picousd; END;

CREATE TRIGGER llm_calls_run_cost_delete AFTER DELETE ON llm_calls BEGIN
  UPDATE run_cost SET cost_picousd = cost_picousd - COALESCE(OLD.cost_picousd, 0), calls = calls - 1, failed_calls = failed_calls - (OLD.error_type IS NOT NULL), unpriced_calls = unpriced_calls - (OLD.cost_picousd IS NULL AND OLD.outcome IN ('ok', 'error', 'wasted')), input_tokens = input_tokens - OLD.input_tokens, output_tokens = output_tokens - OLD.output_tokens, cache_read_tokens = cache_read_tokens - OLD.cache_read_tokens, cache_write_tokens = cache_write_tokens - OLD.cache_write_tokens, reasoning_tokens = reasoning_tokens - OLD.reasoning_tokens, wasted_calls = wasted_calls - (OLD.outcome = 'wasted'), wasted_cost_picousd = wasted_cost_picousd - CASE WHEN OLD.outcome = 'wasted' THEN COALESCE(OLD.cost_picousd, 0) ELSE 0 END, interrupted_calls = interrupted_calls - (OLD.outcome IN ('pending', 'interrupted')), interrupted_est_picousd = interrupted_est_picousd - CASE WHEN OLD.outcome IN ('pending', 'interrupted') THEN COALESCE(OLD.est_cost_picousd, 0) ELSE 0 END WHERE run_id = OLD.run_id; END;

CREATE TRIGGER runs_cost_row AFTER INSERT ON runs BEGIN
  INSERT INTO run_cost(run_id, project_id, cost_picousd) VALUES (NEW.id, NEW.project_id, 0)
    ON CONFLICT(run_id) DO UPDATE SET project_id = COALESCE(project_id, excluded.project_id); END;
