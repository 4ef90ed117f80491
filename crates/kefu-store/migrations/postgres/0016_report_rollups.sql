-- Report rollups (docs/REPORTS.md), maintained from the ticket event log by the rollup
-- worker. Each fold step reads events after `report_cursor.last_event_id`, folds them over
-- the per-ticket state in `report_ticket_facts`, adds to the hourly buckets and advances the
-- cursor, in one transaction: a crash or a replay never counts an event twice.
-- Buckets are UTC hours (milliseconds). Counters and sums are exact; each timing also keeps
-- a DDSketch (serialized, NULL when empty) so percentiles merge across buckets.
CREATE TABLE report_cursor (
    name TEXT PRIMARY KEY,
    last_event_id BIGINT NOT NULL
);

CREATE TABLE report_ticket_facts (
    ticket_id BIGINT PRIMARY KEY,
    facts TEXT NOT NULL
);

-- By hour, channel, domain and handling team (0: none).
CREATE TABLE report_hourly (
    hour BIGINT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    team_id BIGINT NOT NULL,
    opened BIGINT NOT NULL DEFAULT 0,
    handed_off BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    bot_resolved BIGINT NOT NULL DEFAULT 0,
    reopened BIGINT NOT NULL DEFAULT 0,
    escalated BIGINT NOT NULL DEFAULT 0,
    sent_back BIGINT NOT NULL DEFAULT 0,
    first_responses BIGINT NOT NULL DEFAULT 0,
    within_24h BIGINT NOT NULL DEFAULT 0,
    surveys_sent BIGINT NOT NULL DEFAULT 0,
    csat_answers BIGINT NOT NULL DEFAULT 0,
    csat_sum BIGINT NOT NULL DEFAULT 0,
    csat_low BIGINT NOT NULL DEFAULT 0,
    helpful_yes BIGINT NOT NULL DEFAULT 0,
    helpful_no BIGINT NOT NULL DEFAULT 0,
    sla_warnings BIGINT NOT NULL DEFAULT 0,
    sla_breaches BIGINT NOT NULL DEFAULT 0,
    reviews_opened BIGINT NOT NULL DEFAULT 0,
    frt_count BIGINT NOT NULL DEFAULT 0,
    frt_sum_ms BIGINT NOT NULL DEFAULT 0,
    frt_sketch BYTEA,
    nrt_count BIGINT NOT NULL DEFAULT 0,
    nrt_sum_ms BIGINT NOT NULL DEFAULT 0,
    nrt_sketch BYTEA,
    res_count BIGINT NOT NULL DEFAULT 0,
    res_sum_ms BIGINT NOT NULL DEFAULT 0,
    res_sketch BYTEA,
    wait_count BIGINT NOT NULL DEFAULT 0,
    wait_sum_ms BIGINT NOT NULL DEFAULT 0,
    wait_sketch BYTEA,
    spec_count BIGINT NOT NULL DEFAULT 0,
    spec_sum_ms BIGINT NOT NULL DEFAULT 0,
    spec_sketch BYTEA,
    PRIMARY KEY (hour, channel, category, team_id)
);

-- By hour and agent (the agent who acted, or the owner): the per-agent tables.
CREATE TABLE report_agent_hourly (
    hour BIGINT NOT NULL,
    agent_id BIGINT NOT NULL,
    opened BIGINT NOT NULL DEFAULT 0,
    handed_off BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    bot_resolved BIGINT NOT NULL DEFAULT 0,
    reopened BIGINT NOT NULL DEFAULT 0,
    escalated BIGINT NOT NULL DEFAULT 0,
    sent_back BIGINT NOT NULL DEFAULT 0,
    first_responses BIGINT NOT NULL DEFAULT 0,
    within_24h BIGINT NOT NULL DEFAULT 0,
    surveys_sent BIGINT NOT NULL DEFAULT 0,
    csat_answers BIGINT NOT NULL DEFAULT 0,
    csat_sum BIGINT NOT NULL DEFAULT 0,
    csat_low BIGINT NOT NULL DEFAULT 0,
    helpful_yes BIGINT NOT NULL DEFAULT 0,
    helpful_no BIGINT NOT NULL DEFAULT 0,
    sla_warnings BIGINT NOT NULL DEFAULT 0,
    sla_breaches BIGINT NOT NULL DEFAULT 0,
    reviews_opened BIGINT NOT NULL DEFAULT 0,
    frt_count BIGINT NOT NULL DEFAULT 0,
    frt_sum_ms BIGINT NOT NULL DEFAULT 0,
    frt_sketch BYTEA,
    nrt_count BIGINT NOT NULL DEFAULT 0,
    nrt_sum_ms BIGINT NOT NULL DEFAULT 0,
    nrt_sketch BYTEA,
    res_count BIGINT NOT NULL DEFAULT 0,
    res_sum_ms BIGINT NOT NULL DEFAULT 0,
    res_sketch BYTEA,
    wait_count BIGINT NOT NULL DEFAULT 0,
    wait_sum_ms BIGINT NOT NULL DEFAULT 0,
    wait_sketch BYTEA,
    spec_count BIGINT NOT NULL DEFAULT 0,
    spec_sum_ms BIGINT NOT NULL DEFAULT 0,
    spec_sketch BYTEA,
    PRIMARY KEY (agent_id, hour)
);

-- Counts under a label (hand-over reasons, SLA targets per priority, review outcomes).
CREATE TABLE report_labels (
    hour BIGINT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    team_id BIGINT NOT NULL,
    metric TEXT NOT NULL,
    label TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (hour, channel, category, team_id, metric, label)
);

-- The rollup cursor: events with ids up to here are folded in.
INSERT INTO report_cursor (name, last_event_id) VALUES ('rollups', 0);
