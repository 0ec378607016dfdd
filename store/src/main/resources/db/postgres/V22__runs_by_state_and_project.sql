-- The dashboard's run list in one state and one category (issue 13: "completed fiction, oldest
-- first") counted its page's total by joining every run in the state to its project: 80,000
-- completed runs read for 13,000 of one category, 77 ms at p50 in `bench --dashboard`. The list now
-- asks for the runs of the category's projects, and this index finds a state's runs of each such
-- project directly (the count reads 13,000 index entries).
CREATE INDEX runs_state_project ON runs(state, project_id);
