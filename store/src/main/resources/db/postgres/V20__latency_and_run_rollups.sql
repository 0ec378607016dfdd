-- The twin of db/sqlite/V20. Two rollups for the dashboard at scale (issue 13, "fast at scale"), kept by triggers in the
-- transaction that writes the ledger row, as V12's are:
--
-- * call_latency_hourly and call_latency_daily: the answered calls (outcomes ok, error, wasted) per
--   hour (or UTC day) of the call time (Unix epoch hour or day) x agent role x provider x model x
--   error type ('' for none) x latency
--   bucket: how many, and their summed latency. The buckets have fixed bounds (milliseconds,
--   upper bound inclusive; bucket i holds latencies above bound i-1 up to bound i, the last one
--   everything above 600,000 ms), the same as LatencyBuckets in the store's Java code:
--   5, 10, 25, 50, 75, 100, 125, 150, 175, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900,
--   1000, 1250, 1500, 1750, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 6000, 7000, 8000, 9000,
--   10000, 12500, 15000, 17500, 20000, 25000, 30000, 35000, 40000, 45000, 50000, 60000, 75000,
--   90000, 120000, 150000, 180000, 240000, 300000, 450000, 600000
--   The Agents and Providers pages read their calls, errors by type, mean latency (exact) and p50 /
--   p95 (exact to a bucket: the upper bound of the bucket that holds the nearest-rank latency)
--   from here (whole days from the daily one, whole hours at the range's start from the hourly one)
--   instead of ranking the ledger rows of the range.
-- * run_cost, until now each run's cost, gets the run's project and the other sums of a cost
--   report (calls, failed, unpriced, the five token counts, wasted and interrupted calls and
--   their cost), so that `cost report --by project` or `--by run` (without a time range) sums one
--   row per run instead of every ledger row. Its project is the project of the run's ledger rows
--   (the ledger writes a call with its run's project), else the run's. The cost column and its
--   index (V19) are unchanged; its ledger triggers now add every row, priced or not.
--
-- Both are back-filled from the existing ledger here.

CREATE TABLE call_latency_hourly (
  hour        BIGINT NOT NULL,
  agent_role  TEXT NOT NULL,
  provider    TEXT NOT NULL,
  model       TEXT NOT NULL,
  error_type  TEXT NOT NULL,
  bucket      INTEGER NOT NULL,
  calls       BIGINT NOT NULL,
  latency_ms  BIGINT NOT NULL,
  PRIMARY KEY (hour, agent_role, provider, model, error_type, bucket)
);

CREATE TABLE call_latency_daily (
  day         BIGINT NOT NULL,
  agent_role  TEXT NOT NULL,
  provider    TEXT NOT NULL,
  model       TEXT NOT NULL,
  error_type  TEXT NOT NULL,
  bucket      INTEGER NOT NULL,
  calls       BIGINT NOT NULL,
  latency_ms  BIGINT NOT NULL,
  PRIMARY KEY (day, agent_role, provider, model, error_type, bucket)
);

CREATE FUNCTION latency_bucket(ms BIGINT) RETURNS INTEGER LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN ms <= 5 THEN 0 WHEN ms <= 10 THEN 1 WHEN ms <= 25 THEN 2 WHEN ms <= 50 THEN 3 WHEN ms <= 75 THEN 4 WHEN ms <= 100 THEN 5 WHEN ms <= 125 THEN 6 WHEN ms <= 150 THEN 7 WHEN ms <= 175 THEN 8 WHEN ms <= 200 THEN 9 WHEN ms <= 250 THEN 10 WHEN ms <= 300 THEN 11 WHEN ms <= 350 THEN 12 WHEN ms <= 400 THEN 13 WHEN ms <= 450 THEN 14 WHEN ms <= 500 THEN 15 WHEN ms <= 600 THEN 16 WHEN ms <= 700 THEN 17 WHEN ms <= 800 THEN 18 WHEN ms <= 900 THEN 19 WHEN ms <= 1000 THEN 20 WHEN ms <= 1250 THEN 21 WHEN ms <= 1500 THEN 22 WHEN ms <= 1750 THEN 23 WHEN ms <= 2000 THEN 24 WHEN ms <= 2500 THEN 25 WHEN ms <= 3000 THEN 26 WHEN ms <= 3500 THEN 27 WHEN ms <= 4000 THEN 28 WHEN ms <= 4500 THEN 29 WHEN ms <= 5000 THEN 30 WHEN ms <= 6000 THEN 31 WHEN ms <= 7000 THEN 32 WHEN ms <= 8000 THEN 33 WHEN ms <= 9000 THEN 34 WHEN ms <= 10000 THEN 35 WHEN ms <= 12500 THEN 36 WHEN ms <= 15000 THEN 37 WHEN ms <= 17500 THEN 38 WHEN ms <= 20000 THEN 39 WHEN ms <= 25000 THEN 40 WHEN ms <= 30000 THEN 41 WHEN ms <= 35000 THEN 42 WHEN ms <= 40000 THEN 43 WHEN ms <= 45000 THEN 44 WHEN ms <= 50000 THEN 45 WHEN ms <= 60000 THEN 46 WHEN ms <= 75000 THEN 47 WHEN ms <= 90000 THEN 48 WHEN ms <= 120000 THEN 49 WHEN ms <= 150000 THEN 50 WHEN ms <= 180000 THEN 51 WHEN ms <= 240000 THEN 52 WHEN ms <= 300000 THEN 53 WHEN ms <= 450000 THEN 54 WHEN ms <= 600000 THEN 55 ELSE 56 END
$$;

INSERT INTO call_latency_hourly(hour, agent_role, provider, model, error_type, bucket, calls, latency_ms)
  SELECT at / 3600000, agent_role, provider, model, COALESCE(error_type, ''), latency_bucket(latency_ms),
    COUNT(*), SUM(latency_ms)
  FROM llm_calls WHERE outcome IN ('ok', 'error', 'wasted')
  GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO call_latency_daily(day, agent_role, provider, model, error_type, bucket, calls, latency_ms)
  SELECT at / 86400000, agent_role, provider, model, COALESCE(error_type, ''), latency_bucket(latency_ms),
    COUNT(*), SUM(latency_ms)
  FROM llm_calls WHERE outcome IN ('ok', 'error', 'wasted')
  GROUP BY 1, 2, 3, 4, 5, 6;

-- Adds one answered ledger row to call_latency_hourly and call_latency_daily, with sign 1 (it came) or -1 (it went).
CREATE FUNCTION call_latency_add(r llm_calls, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF r.outcome NOT IN ('ok', 'error', 'wasted') THEN
    RETURN;
  END IF;
  INSERT INTO call_latency_hourly AS h (hour, agent_role, provider, model, error_type, bucket, calls, latency_ms)
    VALUES (r.at / 3600000, r.agent_role, r.provider, r.model, COALESCE(r.error_type, ''), latency_bucket(r.latency_ms), sign, sign * r.latency_ms)
    ON CONFLICT (hour, agent_role, provider, model, error_type, bucket) DO UPDATE SET calls = h.calls + excluded.calls, latency_ms = h.latency_ms + excluded.latency_ms;
  INSERT INTO call_latency_daily AS d (day, agent_role, provider, model, error_type, bucket, calls, latency_ms)
    VALUES (r.at / 86400000, r.agent_role, r.provider, r.model, COALESCE(r.error_type, ''), latency_bucket(r.latency_ms), sign, sign * r.latency_ms)
    ON CONFLICT (day, agent_role, provider, model, error_type, bucket) DO UPDATE SET calls = d.calls + excluded.calls, latency_ms = d.latency_ms + excluded.latency_ms;
END $$;

CREATE FUNCTION llm_calls_latency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM call_latency_add(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM call_latency_add(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER llm_calls_latency_insert AFTER INSERT ON llm_calls
  FOR EACH ROW WHEN (NEW.outcome IN ('ok', 'error', 'wasted')) EXECUTE FUNCTION llm_calls_latency();
CREATE TRIGGER llm_calls_latency_update AFTER UPDATE ON llm_calls
  FOR EACH ROW WHEN ((OLD.outcome IN ('ok', 'error', 'wasted') OR NEW.outcome IN ('ok', 'error', 'wasted'))
    AND (OLD.outcome IS DISTINCT FROM NEW.outcome OR OLD.at IS DISTINCT FROM NEW.at OR OLD.agent_role IS DISTINCT FROM NEW.agent_role OR OLD.provider IS DISTINCT FROM NEW.provider OR OLD.model IS DISTINCT FROM NEW.model OR OLD.error_type IS DISTINCT FROM NEW.error_type OR OLD.latency_ms IS DISTINCT FROM NEW.latency_ms))
  EXECUTE FUNCTION llm_calls_latency();
CREATE TRIGGER llm_calls_latency_delete AFTER DELETE ON llm_calls
  FOR EACH ROW WHEN (OLD.outcome IN ('ok', 'error', 'wasted')) EXECUTE FUNCTION llm_calls_latency();

ALTER TABLE run_cost ADD COLUMN project_id TEXT;
ALTER TABLE run_cost ADD COLUMN calls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN failed_calls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN unpriced_calls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN input_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN output_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN cache_read_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN reasoning_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN wasted_calls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN wasted_cost_picousd BIGINT NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN interrupted_calls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE run_cost ADD COLUMN interrupted_est_picousd BIGINT NOT NULL DEFAULT 0;

-- Every run of the ledger gets a row (a run whose calls are all unpriced had none), then each
-- row its project (the run's, then the one of its ledger rows) and its sums. The cost column is
-- left as it is, so the V19 triggers on it do not fire.
INSERT INTO run_cost(run_id, cost_picousd)
  SELECT DISTINCT run_id, 0 FROM llm_calls WHERE run_id NOT IN (SELECT run_id FROM run_cost);
UPDATE run_cost SET project_id = (SELECT r.project_id FROM runs r WHERE r.id = run_cost.run_id);
UPDATE run_cost SET project_id = s.project_id, calls = s.calls, failed_calls = s.failed_calls, unpriced_calls = s.unpriced_calls, input_tokens = s.input_tokens, output_tokens = s.output_tokens, cache_read_tokens = s.cache_read_tokens, cache_write_tokens = s.cache_write_tokens, reasoning_tokens = s.reasoning_tokens, wasted_calls = s.wasted_calls, wasted_cost_picousd = s.wasted_cost_picousd, interrupted_calls = s.interrupted_calls, interrupted_est_picousd = s.interrupted_est_picousd
  FROM (SELECT c.run_id, MIN(c.project_id) AS project_id,
      SUM(1) AS calls,
      SUM((c.error_type IS NOT NULL)::int) AS failed_calls,
      SUM((c.cost_picousd IS NULL AND c.outcome IN ('ok', 'error', 'wasted'))::int) AS unpriced_calls,
      SUM(c.input_tokens) AS input_tokens,
      SUM(c.output_tokens) AS output_tokens,
      SUM(c.cache_read_tokens) AS cache_read_tokens,
      SUM(c.cache_write_tokens) AS cache_write_tokens,
      SUM(c.reasoning_tokens) AS reasoning_tokens,
      SUM((c.outcome = 'wasted')::int) AS wasted_calls,
      SUM(CASE WHEN c.outcome = 'wasted' THEN COALESCE(c.cost_picousd, 0) ELSE 0 END) AS wasted_cost_picousd,
      SUM((c.outcome IN ('pending', 'interrupted'))::int) AS interrupted_calls,
      SUM(CASE WHEN c.outcome IN ('pending', 'interrupted') THEN COALESCE(c.est_cost_picousd, 0) ELSE 0 END) AS interrupted_est_picousd
    FROM llm_calls c GROUP BY c.run_id) AS s
  WHERE s.run_id = run_cost.run_id;

CREATE INDEX run_cost_by_project ON run_cost(project_id, run_id);

-- Adds one ledger row to its run's sums, with sign 1 (it came) or -1 (it went).
CREATE FUNCTION run_cost_add(r llm_calls, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_cost AS c (run_id, project_id, cost_picousd, calls, failed_calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, wasted_calls, wasted_cost_picousd, interrupted_calls, interrupted_est_picousd)
    VALUES (r.run_id, r.project_id, sign * COALESCE(r.cost_picousd, 0), sign * 1, sign * (r.error_type IS NOT NULL)::int, sign * (r.cost_picousd IS NULL AND r.outcome IN ('ok', 'error', 'wasted'))::int, sign * r.input_tokens, sign * r.output_tokens, sign * r.cache_read_tokens, sign * r.cache_write_tokens, sign * r.reasoning_tokens, sign * (r.outcome = 'wasted')::int, sign * CASE WHEN r.outcome = 'wasted' THEN COALESCE(r.cost_picousd, 0) ELSE 0 END, sign * (r.outcome IN ('pending', 'interrupted'))::int, sign * CASE WHEN r.outcome IN ('pending', 'interrupted') THEN COALESCE(r.est_cost_picousd, 0) ELSE 0 END)
    ON CONFLICT (run_id) DO UPDATE SET project_id = COALESCE(c.project_id, excluded.project_id), cost_picousd = c.cost_picousd + excluded.cost_picousd, calls = c.calls + excluded.calls, failed_calls = c.failed_calls + excluded.failed_calls, unpriced_calls = c.unpriced_calls + excluded.unpriced_calls, input_tokens = c.input_tokens + excluded.input_tokens, output_tokens = c.output_tokens + excluded.output_tokens, cache_read_tokens = c.cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = c.cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = c.reasoning_tokens + excluded.reasoning_tokens, wasted_calls = c.wasted_calls + excluded.wasted_calls, wasted_cost_picousd = c.wasted_cost_picousd + excluded.wasted_cost_picousd, interrupted_calls = c.interrupted_calls + excluded.interrupted_calls, interrupted_est_picousd = c.interrupted_est_picousd + excluded.interrupted_est_picousd;
END $$;

CREATE OR REPLACE FUNCTION llm_calls_run_cost() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM run_cost_add(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM run_cost_add(NEW, 1); END IF;
  RETURN NULL;
END $$;

DROP TRIGGER llm_calls_run_cost_insert ON llm_calls;
DROP TRIGGER llm_calls_run_cost_update ON llm_calls;
DROP TRIGGER llm_calls_run_cost_delete ON llm_calls;
CREATE TRIGGER llm_calls_run_cost_insert AFTER INSERT ON llm_calls
  FOR EACH ROW EXECUTE FUNCTION llm_calls_run_cost();
CREATE TRIGGER llm_calls_run_cost_update AFTER UPDATE ON llm_calls
  FOR EACH ROW EXECUTE FUNCTION llm_calls_run_cost();
CREATE TRIGGER llm_calls_run_cost_delete AFTER DELETE ON llm_calls
  FOR EACH ROW EXECUTE FUNCTION llm_calls_run_cost();

CREATE OR REPLACE FUNCTION runs_cost_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_cost AS c (run_id, project_id, cost_picousd) VALUES (NEW.id, NEW.project_id, 0)
    ON CONFLICT (run_id) DO UPDATE SET project_id = COALESCE(c.project_id, excluded.project_id);
  RETURN NULL;
END $$;
