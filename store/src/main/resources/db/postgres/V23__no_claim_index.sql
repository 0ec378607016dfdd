-- tasks_claim (state, not_before, seq) has served no query since V16: claims walk tasks_queued and
-- tasks_leased, and every other read of tasks by state is one of those two states. Each change of a
-- task's state still wrote an entry to it: one index entry of six for each claim and each
-- completion (issue 14: claim latency with 32 claimers on PostgreSQL).
DROP INDEX tasks_claim;
