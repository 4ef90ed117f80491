-- Channels (docs/CHANNELS.md): inbound platform messages (each platform message id once),
-- rejected payloads kept for an admin, outbound deliveries (one row and one job each) and
-- the per-ticket state of customer notifications (coalesced). Times are UTC milliseconds.

-- One row per platform message received: a repeat delivery finds it and writes nothing.
-- While ticket_id is NULL a node is writing it (claimed_at); a claim older than a minute
-- belonged to a node that died and may be taken over.
CREATE TABLE channel_inbound (
    adapter TEXT NOT NULL,
    external_id TEXT NOT NULL,
    thread TEXT,
    visibility TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets (id),
    message_id INTEGER,
    claimed_at INTEGER NOT NULL,
    received_at INTEGER,
    PRIMARY KEY (adapter, external_id)
);
CREATE INDEX channel_inbound_by_thread ON channel_inbound (adapter, thread, received_at)
    WHERE thread IS NOT NULL;
CREATE INDEX channel_inbound_by_ticket ON channel_inbound (ticket_id, received_at);

-- Payloads kefu could not read (unknown shapes), for an admin to inspect.
CREATE TABLE channel_inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    adapter TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- The body as received (cut at 64 KiB), as text (invalid UTF-8 replaced).
    payload TEXT NOT NULL,
    received_at INTEGER NOT NULL
);

-- One row per delivery to a customer; `source` names what caused it (message:<id>,
-- notification:<ticket>:<n>) and is unique, so a cause is delivered once.
CREATE TABLE channel_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    source TEXT NOT NULL UNIQUE,
    adapter TEXT,
    kind TEXT NOT NULL,
    visibility TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Notification topics (a JSON array) when kind = notification.
    topics TEXT,
    -- pending | delivered | failed | undeliverable
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    remote_id TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX channel_deliveries_by_ticket ON channel_deliveries (ticket_id, id);
CREATE INDEX channel_deliveries_by_remote ON channel_deliveries (adapter, remote_id)
    WHERE remote_id IS NOT NULL;

-- Customer notifications per ticket: topics waiting (a JSON array of objects), the version
-- of that list (bumped by every change), and when the last one went out.
CREATE TABLE channel_notify (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
    pending TEXT NOT NULL,
    version INTEGER NOT NULL,
    sent_count INTEGER NOT NULL DEFAULT 0,
    last_sent_at INTEGER
);
