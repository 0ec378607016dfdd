-- The dashboard's run list (issue 13) shows every run newest first, alone or in one state or one
-- current stage, a page at a time. Without these, each page sorted all runs (100,000 in the
-- dashboard benchmark) to return 50; with them a page is a walk of the index from its newest end.
-- The run id is the order's tie-break, so it is part of each index.
CREATE INDEX runs_created ON runs(created_at, id);
CREATE INDEX runs_state_created ON runs(state, created_at, id);
CREATE INDEX runs_stage_created ON runs(stage, created_at, id);
