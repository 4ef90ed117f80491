-- Uploaded files (images, voice). The bytes live in the attachment store (a directory or
-- an S3-compatible bucket) under storage_key; this row says what they are, who uploaded
-- them and, once a message uses them, the ticket they belong to (which decides who may
-- download them). Times are UTC milliseconds (BIGINT), as elsewhere.
CREATE TABLE attachments (
    -- A random UUID (simple form): unguessable, and known before the row is written.
    id TEXT PRIMARY KEY,
    -- image | voice
    kind TEXT NOT NULL,
    -- Sniffed from the bytes, never taken from the client.
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    -- The uploader's file name, cleaned; only shown, never used as a path.
    name TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    -- Who may attach it while unbound: `agent:<id>`, `key:<id>` or `ticket:<id>`.
    uploader TEXT NOT NULL,
    -- NULL until a message on a ticket uses it; never changes after.
    ticket_id BIGINT REFERENCES tickets (id),
    duration_ms BIGINT,
    transcript TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_by_ticket ON attachments (ticket_id) WHERE ticket_id IS NOT NULL;
