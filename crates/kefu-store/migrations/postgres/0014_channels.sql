-- Channels (docs/CHANNELS.md): inbound platform messages (each platform message id once),
-- rejected payloads kept for an admin, outbound deliveries (one row and one job each) and
-- the per-ticket state of customer notifications (coalesced). Times are UTC milliseconds (BIGINT).

-- One row per platform message received: a repeat delivery finds it and writes nothing.
-- While ticket_id is NULL a node is writing it (claimed_at); a claim older than a minute
-- belonged to a node that died and may be taken over.
CREATE TABLE channel_inbound (
    adapter TEXT NOT NULL,
    external_id TEXT NOT NULL,
    thread TEXT,
    visibility TEXT NOT NULL,
    ticket_id BIGINT REFERENCES tickets (id),
    message_id BIGINT,
    claimed_at BIGINT NOT NULL,
    received_at BIGINT,
    PRIMARY KEY (adapter, external_id)
);
CREATE INDEX channel_inbound_by_thread ON channel_inbound (adapter, thread, received_at)
    WHERE thread IS NOT NULL;
CREATE INDEX channel_inbound_by_ticket ON channel_inbound (ticket_id, received_at);

-- Payloads kefu could not read (unknown shapes), for an admin to inspect.
CREATE TABLE channel_inbox (
    id BIGSERIAL PRIMARY KEY,
    adapter TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- The body as received (cut at 64 KiB), as text (invalid UTF-8 replaced).
    payload TEXT NOT NULL,
    received_at BIGINT NOT NULL
);

-- One row per delivery to a customer; `source` names what caused it (message:<id>,
-- notification:<ticket>:<n>) and is unique, so a cause is delivered once.
CREATE TABLE channel_deliveries (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    source TEXT NOT NULL UNIQUE,
    adapter TEXT,
    kind TEXT NOT NULL,
    visibility TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Notification topics (a JSON array) when kind = notification.
    topics TEXT,
    -- pending | delivered | failed | undeliverable
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    remote_id TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX channel_deliveries_by_ticket ON channel_deliveries (ticket_id, id);
CREATE INDEX channel_deliveries_by_remote ON channel_deliveries (adapter, remote_id)
    WHERE remote_id IS NOT NULL;

-- Customer notifications per ticket: topics waiting (a JSON array of objects), the version
-- of that list (bumped by every change), and when the last one went out.
CREATE TABLE channel_notify (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id),
    pending TEXT NOT NULL,
    version BIGINT NOT NULL,
    sent_count BIGINT NOT NULL DEFAULT 0,
    last_sent_at BIGINT
);
