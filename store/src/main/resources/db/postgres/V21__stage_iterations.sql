-- The twin of db/sqlite/V21: stage_iterations, per category x stage, the completed stages of
-- completed runs and their summed iterations (the Library page's average iteration counts), kept
-- by triggers on runs and run_stages and back-filled here.

CREATE TABLE stage_iterations (
  category    TEXT NOT NULL,
  stage       TEXT NOT NULL,
  stages      BIGINT NOT NULL,
  iterations  BIGINT NOT NULL,
  PRIMARY KEY (category, stage)
);

INSERT INTO stage_iterations(category, stage, stages, iterations)
  SELECT p.category, s.stage, COUNT(*), SUM(s.iterations)
  FROM run_stages s JOIN runs r ON r.id = s.run_id JOIN projects p ON p.id = r.project_id
  WHERE r.state = 'COMPLETED' AND s.state = 'COMPLETED'
  GROUP BY p.category, s.stage;

-- Adds a completed run's completed stages, with sign 1 (it came) or -1 (it went).
CREATE FUNCTION stage_iterations_add_run(run runs, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF run.state <> 'COMPLETED' THEN
    RETURN;
  END IF;
  INSERT INTO stage_iterations AS t (category, stage, stages, iterations)
    SELECT p.category, s.stage, sign * COUNT(*), sign * SUM(s.iterations)
    FROM run_stages s JOIN projects p ON p.id = run.project_id
    WHERE s.run_id = run.id AND s.state = 'COMPLETED' GROUP BY p.category, s.stage
    ON CONFLICT (category, stage) DO UPDATE SET stages = t.stages + excluded.stages,
      iterations = t.iterations + excluded.iterations;
END $$;

CREATE FUNCTION runs_stage_iterations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM stage_iterations_add_run(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM stage_iterations_add_run(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER stage_iterations_run_insert AFTER INSERT ON runs
  FOR EACH ROW WHEN (NEW.state = 'COMPLETED') EXECUTE FUNCTION runs_stage_iterations();
CREATE TRIGGER stage_iterations_run_update AFTER UPDATE OF state, project_id ON runs
  FOR EACH ROW WHEN (OLD.state = 'COMPLETED' OR NEW.state = 'COMPLETED')
  EXECUTE FUNCTION runs_stage_iterations();
CREATE TRIGGER stage_iterations_run_delete AFTER DELETE ON runs
  FOR EACH ROW WHEN (OLD.state = 'COMPLETED') EXECUTE FUNCTION runs_stage_iterations();

-- Adds a completed stage of a completed run, with sign 1 or -1.
CREATE FUNCTION stage_iterations_add_stage(st run_stages, sign BIGINT) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF st.state <> 'COMPLETED' THEN
    RETURN;
  END IF;
  INSERT INTO stage_iterations AS t (category, stage, stages, iterations)
    SELECT p.category, st.stage, sign, sign * st.iterations
    FROM runs r JOIN projects p ON p.id = r.project_id
    WHERE r.id = st.run_id AND r.state = 'COMPLETED'
    ON CONFLICT (category, stage) DO UPDATE SET stages = t.stages + excluded.stages,
      iterations = t.iterations + excluded.iterations;
END $$;

CREATE FUNCTION run_stages_stage_iterations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM stage_iterations_add_stage(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM stage_iterations_add_stage(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER stage_iterations_stage_insert AFTER INSERT ON run_stages
  FOR EACH ROW WHEN (NEW.state = 'COMPLETED') EXECUTE FUNCTION run_stages_stage_iterations();
CREATE TRIGGER stage_iterations_stage_update AFTER UPDATE ON run_stages
  FOR EACH ROW WHEN (OLD.state = 'COMPLETED' OR NEW.state = 'COMPLETED')
  EXECUTE FUNCTION run_stages_stage_iterations();
CREATE TRIGGER stage_iterations_stage_delete AFTER DELETE ON run_stages
  FOR EACH ROW WHEN (OLD.state = 'COMPLETED') EXECUTE FUNCTION run_stages_stage_iterations();
