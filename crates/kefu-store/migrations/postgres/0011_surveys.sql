-- The satisfaction follow-up (回访): one survey per resolution of a ticket, its answer, and
-- the review a low score opens for the team's supervisor. The survey keeps the agent, team,
-- domain (category) and channel as they were when the ticket was resolved, so reports roll
-- scores up without following later changes. Times are UTC milliseconds (BIGINT), as elsewhere.
CREATE TABLE surveys (
    -- A random UUID (simple form): known before the row is written (the message carries it).
    id TEXT PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    -- The resolution this survey follows (the ticket's resolved_at then): one survey each.
    resolved_at BIGINT NOT NULL,
    -- score (people resolved it: 1-5 and a comment) | helpful (the bot resolved it)
    form TEXT NOT NULL,
    agent_id BIGINT,
    team_id BIGINT,
    category TEXT NOT NULL,
    channel TEXT NOT NULL,
    -- The survey message; the token stops working at expires_at.
    message_id BIGINT,
    sent_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    reminded_at BIGINT,
    -- The answer (single use: set once).
    score BIGINT,
    helpful BIGINT,
    comment TEXT,
    answered_at BIGINT,
    UNIQUE (ticket_id, resolved_at)
);
CREATE INDEX surveys_by_ticket ON surveys (ticket_id, sent_at);
CREATE INDEX surveys_answered ON surveys (answered_at) WHERE answered_at IS NOT NULL;

-- A review task a score of 1-2 opens: open (perhaps assigned) until closed with an outcome.
CREATE TABLE reviews (
    id BIGSERIAL PRIMARY KEY,
    survey_id TEXT NOT NULL UNIQUE REFERENCES surveys (id),
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    -- The team of the resolution (its supervisor reviews); NULL when it had none.
    team_id BIGINT,
    score BIGINT NOT NULL,
    -- open | closed
    status TEXT NOT NULL,
    assignee_id BIGINT,
    outcome TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX reviews_by_status ON reviews (status, id);
