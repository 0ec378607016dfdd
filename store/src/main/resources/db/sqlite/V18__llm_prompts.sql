-- What each model call sent (issue 13: the run page's view of the agents' conversation). One row
-- per llm_calls row, written in the same transaction as the call's pending row, before the request
-- goes out. The prompt is the request's messages, each headed by its role, with secrets masked by
-- the redactor; a prompt longer than the bound keeps its head and ends in a truncation marker.
-- chars is the length of the whole masked prompt, so a reader can tell what was cut.
CREATE TABLE llm_prompts (
  call_id  TEXT PRIMARY KEY REFERENCES llm_calls(call_id),
  prompt   TEXT NOT NULL,
  chars    INTEGER NOT NULL
);
