-- Every ticket event gets its place in the ticket's log: seq 1, 2, 3 … with no gaps,
-- assigned in the event's own transaction (one writer, so no two writers race for it).
-- `id` stays the global, increasing event id.
ALTER TABLE ticket_events ADD COLUMN seq INTEGER;
UPDATE ticket_events SET seq = r.n
FROM (SELECT id, row_number() OVER (PARTITION BY ticket_id ORDER BY id) AS n FROM ticket_events) r
WHERE r.id = ticket_events.id;
CREATE UNIQUE INDEX ticket_events_by_ticket_seq ON ticket_events (ticket_id, seq);
-- (ticket_id, seq) orders a ticket's log as (ticket_id, id) did: one index, not two, per
-- event written.
DROP INDEX ticket_events_by_ticket;
-- SQLite cannot add a NOT NULL column without a default; this stands in for it.
CREATE TRIGGER ticket_events_seq_required BEFORE INSERT ON ticket_events
WHEN NEW.seq IS NULL
BEGIN
    SELECT RAISE(ABORT, 'ticket_events.seq is required');
END;
