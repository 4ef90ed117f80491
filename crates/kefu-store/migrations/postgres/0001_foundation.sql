-- Foundation schema. Times are UTC milliseconds since the epoch (BIGINT); flags are 0/1 INTEGER
-- so both backends decode the same way.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE categories (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    specialist_team TEXT,
    always_human INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE teams (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    specialist INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE agents (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    team_id BIGINT REFERENCES teams(id),
    password_hash TEXT,
    skills TEXT NOT NULL DEFAULT '[]',
    chat_capacity INTEGER NOT NULL DEFAULT 5,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE credentials (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    agent_id BIGINT REFERENCES agents(id),
    channel TEXT,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX credentials_by_kind ON credentials (kind, id);

CREATE TABLE customers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    display_name TEXT,
    email TEXT,
    phone TEXT,
    language TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (channel, external_id)
);
CREATE INDEX customers_by_email ON customers (email);

CREATE TABLE sla_policies (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category TEXT,
    priority INTEGER NOT NULL,
    first_response_minutes INTEGER NOT NULL,
    next_response_minutes INTEGER NOT NULL,
    resolution_minutes INTEGER NOT NULL,
    UNIQUE (category, priority)
);

CREATE TABLE tickets (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    channel TEXT NOT NULL,
    subject TEXT NOT NULL,
    category TEXT NOT NULL,
    priority INTEGER NOT NULL,
    status TEXT NOT NULL,
    assignee_id BIGINT REFERENCES agents(id),
    team_id BIGINT REFERENCES teams(id),
    context TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    first_response_at BIGINT,
    first_response_due BIGINT,
    resolved_at BIGINT
);
-- The agent-side list views: my tickets, team queue by status and priority, by customer.
CREATE INDEX tickets_by_assignee ON tickets (assignee_id, status, id);
CREATE INDEX tickets_by_team_queue ON tickets (team_id, status, priority, id);
CREATE INDEX tickets_by_status ON tickets (status, priority, id);
CREATE INDEX tickets_by_customer ON tickets (customer_id, id);

CREATE TABLE messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    author_agent_id BIGINT REFERENCES agents(id),
    body TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_by_ticket ON messages (ticket_id, id);

CREATE TABLE ticket_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);

CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    -- NULL while the first request with this key is being written.
    ticket_id BIGINT REFERENCES tickets(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
