-- The audit log: who changed what outside a ticket (staff accounts, teams, the catalogue,
-- SLA policies, API keys, the knowledge base, dead jobs, rosters, login lockouts). Rows are
-- only ever added. Times are UTC milliseconds (INTEGER); details are JSON text, as elsewhere.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    -- The staff member who did it; NULL for kefu itself (workers, the CLI, a lockout).
    actor_agent_id INTEGER,
    -- `agent:<id>` or `system`, for filtering without a join.
    actor TEXT NOT NULL,
    -- A dotted name: `agent.created`, `kb.article.published`, …
    action TEXT NOT NULL,
    -- What it was done to (`agent:7`, `article:login-help`, …); NULL when nothing in particular.
    subject TEXT,
    detail TEXT NOT NULL
);
-- Newest first, whole log or filtered by one of the three keys.
CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
CREATE INDEX audit_log_by_action ON audit_log (action, id);
CREATE INDEX audit_log_by_subject ON audit_log (subject, id) WHERE subject IS NOT NULL;
