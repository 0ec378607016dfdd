-- Where runs are, per hour x category x stage (the twin of db/sqlite/V14): how many runs entered
-- and left each stage. A run counts in a stage while it is queued or running (a run without a stage
-- yet is in INTAKE); the time of a move is the run's updated_at after the write.
CREATE TABLE stage_moves_hourly (
  hour      BIGINT NOT NULL,
  category  TEXT NOT NULL,
  stage     TEXT NOT NULL,
  entered   BIGINT NOT NULL,
  left_     BIGINT NOT NULL,
  PRIMARY KEY (hour, category, stage)
);

INSERT INTO stage_moves_hourly(hour, category, stage, entered, left_)
  SELECT r.updated_at / 3600000, p.category, COALESCE(r.stage, 'INTAKE'), COUNT(*), 0
  FROM runs r JOIN projects p ON p.id = r.project_id
  WHERE r.state IN ('QUEUED', 'RUNNING')
  GROUP BY 1, 2, 3;

CREATE FUNCTION stage_moves_add(run runs, stage_name TEXT, n_in BIGINT, n_out BIGINT)
  RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stage_moves_hourly AS m (hour, category, stage, entered, left_)
    SELECT run.updated_at / 3600000, p.category, stage_name, n_in, n_out
    FROM projects p WHERE p.id = run.project_id
  ON CONFLICT (hour, category, stage)
    DO UPDATE SET entered = m.entered + excluded.entered, left_ = m.left_ + excluded.left_;
END $$;

CREATE FUNCTION runs_stage_moves() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_in BOOLEAN := TG_OP = 'UPDATE' AND OLD.state IN ('QUEUED', 'RUNNING');
  is_in BOOLEAN := NEW.state IN ('QUEUED', 'RUNNING');
  moved BOOLEAN := TG_OP = 'UPDATE' AND COALESCE(NEW.stage, 'INTAKE') <> COALESCE(OLD.stage, 'INTAKE');
BEGIN
  IF was_in AND (NOT is_in OR moved) THEN
    PERFORM stage_moves_add(NEW, COALESCE(OLD.stage, 'INTAKE'), 0, 1);
  END IF;
  IF is_in AND (TG_OP = 'INSERT' OR NOT was_in OR moved) THEN
    PERFORM stage_moves_add(NEW, COALESCE(NEW.stage, 'INTAKE'), 1, 0);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER stage_moves_insert AFTER INSERT ON runs
  FOR EACH ROW EXECUTE FUNCTION runs_stage_moves();
CREATE TRIGGER stage_moves_update AFTER UPDATE OF state, stage ON runs
  FOR EACH ROW EXECUTE FUNCTION runs_stage_moves();
