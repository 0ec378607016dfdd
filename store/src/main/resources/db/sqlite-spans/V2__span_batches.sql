-- Spans are kept as batches: one row per trace per write, holding that batch's spans as JSON
-- lines. A run's trace is always read whole, so one row per span (eleven bound values, a unique
-- index) cost the pipeline CPU for lookups nobody makes. Reads take the first copy of a span id.
CREATE TABLE span_batches (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  trace_id    TEXT NOT NULL,
  span_count  INTEGER NOT NULL,
  -- spans stored up to and including this row: retention deletes whole rows past the cap
  spans_total INTEGER NOT NULL,
  spans       TEXT NOT NULL
);
CREATE INDEX span_batches_trace ON span_batches(trace_id);

INSERT INTO span_batches(trace_id, span_count, spans_total, spans)
SELECT trace_id, COUNT(*), 0,
       group_concat(json_object('span_id', span_id, 'parent_span_id', parent_span_id, 'run_id', run_id,
                                'name', name, 'kind', kind, 'start_ns', start_ns, 'end_ns', end_ns,
                                'status', status, 'error_type', error_type, 'attributes', json(attributes)),
                    char(10))
FROM (SELECT * FROM spans ORDER BY id)
GROUP BY trace_id
ORDER BY MIN(id);

UPDATE span_batches SET spans_total = (SELECT SUM(b.span_count) FROM span_batches b WHERE b.id <= span_batches.id);

DROP TABLE spans;
