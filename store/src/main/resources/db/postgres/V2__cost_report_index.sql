-- Covering index for cost reports grouped by stage (the most common report): the GROUP BY reads
-- this narrow index in stage order instead of the wide ledger rows.
CREATE INDEX llm_calls_stage_cost ON llm_calls(stage, outcome, cost_picousd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens);
