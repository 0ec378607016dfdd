-- The dashboard's live stream reads the runs changed in the last seconds once a second, shared by
-- every open page (RunChanges); with this index that read is a seek, not a scan of every run.
CREATE INDEX runs_updated ON runs(updated_at);
