-- stage_iterations (issue 13, "fast at scale"): per category x stage, the completed stages of
-- completed runs and their summed iterations, for the Library page's average iteration counts
-- (Store.completedIterations), which summed run_stages over every completed run (80,000 runs
-- joined to their stages and projects at the bench's size). Triggers keep it in the transaction of
-- every write that moves it: a run that enters or leaves COMPLETED (or a completed run whose
-- project changes) subtracts its old completed stages and adds its new ones; a stage of a
-- completed run that is written subtracts its old row and adds its new one. A run whose project is
-- unknown counts nowhere, as the raw query's join left it out. Back-filled here.
-- (Statements end at a line ending in a semicolon: a trigger's body stays on its END line.)

CREATE TABLE stage_iterations (
  category    TEXT NOT NULL,
  stage       TEXT NOT NULL,
  stages      INTEGER NOT NULL,
  iterations  INTEGER NOT NULL,
  PRIMARY KEY (category, stage)
) WITHOUT ROWID;

INSERT INTO stage_iterations(category, stage, stages, iterations)
  SELECT p.category, s.stage, COUNT(*), SUM(s.iterations)
  FROM run_stages s JOIN runs r ON r.id = s.run_id JOIN projects p ON p.id = r.project_id
  WHERE r.state = 'COMPLETED' AND s.state = 'COMPLETED'
  GROUP BY p.category, s.stage;

CREATE TRIGGER stage_iterations_run_insert AFTER INSERT ON runs
WHEN NEW.state = 'COMPLETED'
BEGIN
  INSERT INTO stage_iterations(category, stage, stages, iterations)
    SELECT p.category, s.stage, COUNT(*), SUM(s.iterations) FROM run_stages s JOIN projects p ON p.id = NEW.project_id
    WHERE s.run_id = NEW.id AND s.state = 'COMPLETED' GROUP BY p.category, s.stage
    ON CONFLICT(category, stage) DO UPDATE SET stages = stages + excluded.stages, iterations = iterations + excluded.iterations; END;

CREATE TRIGGER stage_iterations_run_update AFTER UPDATE OF state, project_id ON runs
WHEN OLD.state = 'COMPLETED' OR NEW.state = 'COMPLETED'
BEGIN
  INSERT INTO stage_iterations(category, stage, stages, iterations)
    SELECT p.category, s.stage, -COUNT(*), -SUM(s.iterations) FROM run_stages s JOIN projects p ON p.id = OLD.project_id
    WHERE s.run_id = OLD.id AND s.state = 'COMPLETED' AND OLD.state = 'COMPLETED' GROUP BY p.category, s.stage
    ON CONFLICT(category, stage) DO UPDATE SET stages = stages + excluded.stages, iterations = iterations + excluded.iterations; --
  INSERT INTO stage_iterations(category, stage, stages, iterations)
    SELECT p.category, s.stage, COUNT(*), SUM(s.iterations) FROM run_stages s JOIN projects p ON p.id = NEW.project_id
    WHERE s.run_id = NEW.id AND s.state = 'COMPLETED' AND NEW.state = 'COMPLETED' GROUP BY p.category, s.stage
    ON CONFLICT(category, stage) DO UPDATE SET stages = stages + excluded.stages, iterations = iterations + excluded.iterations; END;

CREATE TRIGGER stage_iterations_run_delete AFTER DELETE ON runs
WHEN OLD.state = 'COMPLETED'
BEGIN
  INSERT INTO stage_iterations(category, stage, stages, iterations)
    SELECT p.category, s.stage, -COUNT(*), -SUM(s.iterations) FROM run_stages s JOIN projects p ON p.id = OLD.project_id
    WHERE s.run_id = OLD.id AND s.state = 'COMPLETED' GROUP BY p.category, s.stage
    ON CONFLICT(category, stage) DO UPDATE SET stages = stages + excluded.stages, iterations = iterations + excluded.iterations; END;

CREATE TRIGGER stage_iterations_stage_insert AFTER INSERT ON run_stages
WHEN NEW.state = 'COMPLETED'
BEGIN
  INSERT INTO stage_iterations(category, stage, stages, iterations)
    SELECT p.category, NEW.stage, 1, NEW.iterations FROM runs r JOIN projects p ON p.id = r.project_id
    WHERE r.id = NEW.run_id AND r.state = 'COMPLETED'
    ON CONFLICT(category, stage) DO UPDATE SET stages = stages + excluded.stages, iterations = iterations + excluded.iterations; END;

CREATE TRIGGER stage_iterations_stage_update AFTER UPDATE ON run_stages
WHEN OLD.state = 'COMPLETED' OR NEW.state = 'COMPLETED'
BEGIN
  INSERT INTO stage_iterations(category, stage, stages, iterations)
    SELECT p.category, OLD.stage, -1, -OLD.iterations FROM runs r JOIN projects p ON p.id = r.project_id
    WHERE r.id = OLD.run_id AND r.state = 'COMPLETED' AND OLD.state = 'COMPLETED'
    ON CONFLICT(category, stage) DO UPDATE SET stages = stages + excluded.stages, iterations = iterations + excluded.iterations; --
  INSERT INTO stage_iterations(category, stage, stages, iterations)
    SELECT p.category, NEW.stage, 1, NEW.iterations FROM runs r JOIN projects p ON p.id = r.project_id
    WHERE r.id = NEW.run_id AND r.state = 'COMPLETED' AND NEW.state = 'COMPLETED'
    ON CONFLICT(category, stage) DO UPDATE SET stages = stages + excluded.stages, iterations = iterations + excluded.iterations; END;

CREATE TRIGGER stage_iterations_stage_delete AFTER DELETE ON run_stages
WHEN OLD.state = 'COMPLETED'
BEGIN
  INSERT INTO stage_iterations(category, stage, stages, iterations)
    SELECT p.category, OLD.stage, -1, -OLD.iterations FROM runs r JOIN projects p ON p.id = r.project_id
    WHERE r.id = OLD.run_id AND r.state = 'COMPLETED'
    ON CONFLICT(category, stage) DO UPDATE SET stages = stages + excluded.stages, iterations = iterations + excluded.iterations; END;
