-- The ledger is written ahead: a call's row is inserted (outcome 'pending') before its request is
-- sent, and completed when the answer arrives. A row whose answer never arrives (the process was
-- killed, the lease was lost) becomes 'interrupted', with the estimated cost of what was sent; a
-- late answer to a worker that no longer held its task becomes 'wasted': paid, not used.
--
-- call_id names one physical request (TASK/aATTEMPT/kCLAIM/cN: the claim epoch tells apart two
-- workers that ran the same attempt); logical_id (TASK/aATTEMPT/cN) is what a resume looks for to
-- replay a recorded answer instead of paying for it again.
ALTER TABLE llm_calls ADD COLUMN logical_id TEXT;
ALTER TABLE llm_calls ADD COLUMN claim BIGINT NOT NULL DEFAULT 0;
ALTER TABLE llm_calls ADD COLUMN worker TEXT;
ALTER TABLE llm_calls ADD COLUMN est_input_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE llm_calls ADD COLUMN est_cost_picousd BIGINT;
UPDATE llm_calls SET logical_id = call_id;
CREATE INDEX llm_calls_logical ON llm_calls(logical_id);
CREATE INDEX llm_calls_pending ON llm_calls(task_id) WHERE outcome = 'pending';
