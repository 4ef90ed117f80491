-- Durable jobs: the transactional outbox and every piece of background work. Times are UTC
-- milliseconds (INTEGER); payloads are JSON text, as elsewhere.
--
-- A job is pending (no lease, or an expired one), leased (a node works on it until
-- lease_until) or dead (dead_at set: out of attempts, or given up; listed for admins).
-- A completed job is deleted.
CREATE TABLE jobs (
    -- AUTOINCREMENT: completed jobs are deleted, and an id must never come back.
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- Jobs sharing an ordering key run one at a time in id order (e.g. `ticket:42` for
    -- in-order outbound delivery); dead jobs no longer hold the others back.
    ordering_key TEXT,
    -- At most one outstanding (pending, leased or dead) job per key.
    dedupe_key TEXT,
    run_at INTEGER NOT NULL,
    -- Claims so far; a claim counts as an attempt (a node killed mid-run used one up).
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    leased_by TEXT,
    lease_until INTEGER,
    last_error TEXT,
    dead_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX jobs_by_dedupe_key ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL;
-- What claimers scan: live jobs by due time.
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE dead_at IS NULL;
-- "Is an earlier live job of this key still there?"
CREATE INDEX jobs_by_ordering_key ON jobs (ordering_key, id)
    WHERE ordering_key IS NOT NULL AND dead_at IS NULL;
CREATE INDEX jobs_by_lease ON jobs (leased_by) WHERE leased_by IS NOT NULL;
CREATE INDEX jobs_dead ON jobs (dead_at, id) WHERE dead_at IS NOT NULL;
