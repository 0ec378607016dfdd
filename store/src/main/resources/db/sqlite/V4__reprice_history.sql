-- Repricing keeps what a call cost before: the previous cost and price version of every row changed.
CREATE TABLE ledger_history (
  id                   INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id              TEXT NOT NULL REFERENCES llm_calls(call_id),
  old_cost_picousd     INTEGER,
  old_price_version    TEXT,
  new_cost_picousd     INTEGER,
  new_price_version    TEXT,
  reason               TEXT NOT NULL,
  at                   INTEGER NOT NULL
);
CREATE INDEX ledger_history_call ON ledger_history(call_id, id);
CREATE INDEX llm_calls_at ON llm_calls(at);
