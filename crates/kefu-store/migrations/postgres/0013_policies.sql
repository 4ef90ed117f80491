-- "Must read" policy updates: an admin publishes a notice (title, body, must-read or not);
-- each staff member acknowledges a must-read one once. Times are UTC milliseconds
-- (BIGINT), as elsewhere.
CREATE TABLE policy_updates (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- 1: every agent must acknowledge it; 0: for information.
    must_read BIGINT NOT NULL,
    author_agent_id BIGINT REFERENCES agents (id),
    published_at BIGINT NOT NULL
);
CREATE INDEX policy_updates_by_time ON policy_updates (published_at, id);

-- One row per staff member who acknowledged an update (written once).
CREATE TABLE policy_acknowledgements (
    policy_id BIGINT NOT NULL REFERENCES policy_updates (id),
    agent_id BIGINT NOT NULL REFERENCES agents (id),
    acknowledged_at BIGINT NOT NULL,
    PRIMARY KEY (policy_id, agent_id)
);
CREATE INDEX policy_acknowledgements_by_agent ON policy_acknowledgements (agent_id, policy_id);

-- The supervisor dashboard's "nearest to breach": tickets nobody has answered yet.
CREATE INDEX tickets_awaiting_first_response ON tickets (first_response_due)
    WHERE first_response_at IS NULL;
