-- Every ticket event gets its place in the ticket's log: seq 1, 2, 3 … with no gaps,
-- assigned in the event's own transaction (the ticket row is locked there, so writers of
-- one ticket take turns). `id` stays the global, increasing event id.
ALTER TABLE ticket_events ADD COLUMN seq BIGINT;
UPDATE ticket_events e SET seq = r.n
FROM (SELECT id, row_number() OVER (PARTITION BY ticket_id ORDER BY id) AS n FROM ticket_events) r
WHERE r.id = e.id;
ALTER TABLE ticket_events ALTER COLUMN seq SET NOT NULL;
CREATE UNIQUE INDEX ticket_events_by_ticket_seq ON ticket_events (ticket_id, seq);
-- (ticket_id, seq) orders a ticket's log as (ticket_id, id) did: one index, not two, per
-- event written.
DROP INDEX ticket_events_by_ticket;
