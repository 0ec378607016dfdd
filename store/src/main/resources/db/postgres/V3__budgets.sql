-- Budgets: whether a project's runs pause when its budget is spent, and a fast sum per project.
ALTER TABLE projects ADD COLUMN pause_at_budget BIGINT NOT NULL DEFAULT 1;
CREATE INDEX llm_calls_project ON llm_calls(project_id);
