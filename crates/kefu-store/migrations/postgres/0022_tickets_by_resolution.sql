-- The learning loop's handled tickets (`handled_tickets`: resolved or closed, newest
-- resolution first, a page at a time) read tickets in `resolved_at` order. Without an index
-- that is a read and a sort of every resolved ticket on each call; this partial index holds
-- the tickets with a resolution time, in the query's order (read backwards for DESC), and
-- the query checks the status on the rows it walks (see `HANDLED_TICKETS_SQL`).
CREATE INDEX tickets_by_resolution ON tickets (resolved_at, id) WHERE resolved_at IS NOT NULL;
