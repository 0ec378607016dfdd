-- Alert rules read the events of one kind over a recent window (SchemaViolationsHigh: schema
-- violations over 15 m) through this index rather than a scan of every event.
CREATE INDEX run_events_kind_at ON run_events(kind, at);
