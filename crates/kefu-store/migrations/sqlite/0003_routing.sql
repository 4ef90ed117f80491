-- Routing and SLA timers. Times are UTC milliseconds (INTEGER).

-- Presence of each agent; no row means offline. Locked while assigning to the agent, so
-- capacity checks and assignments to one agent are serialized.
CREATE TABLE agent_routing (
    agent_id INTEGER PRIMARY KEY REFERENCES agents(id),
    presence TEXT NOT NULL,
    presence_at INTEGER NOT NULL,
    last_assigned_at INTEGER
);
CREATE INDEX agent_routing_by_presence ON agent_routing (presence, agent_id);

-- A ticket's SLA clocks (the routing engine's tracker, as JSON).
CREATE TABLE ticket_sla (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
    state TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Durable SLA timers: each fires once (fired_at is set in the transaction that applies it).
CREATE TABLE timers (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    fired_at INTEGER,
    claimed_by TEXT,
    claimed_until INTEGER
);
CREATE INDEX timers_due ON timers (due_at, id) WHERE fired_at IS NULL;
CREATE INDEX timers_by_ticket ON timers (ticket_id, target);
