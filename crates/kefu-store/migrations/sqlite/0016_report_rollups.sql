-- Report rollups (docs/REPORTS.md), maintained from the ticket event log by the rollup
-- worker. Each fold step reads events after `report_cursor.last_event_id`, folds them over
-- the per-ticket state in `report_ticket_facts`, adds to the hourly buckets and advances the
-- cursor, in one transaction: a crash or a replay never counts an event twice.
-- Buckets are UTC hours (milliseconds). Counters and sums are exact; each timing also keeps
-- a DDSketch (serialized, NULL when empty) so percentiles merge across buckets.
CREATE TABLE report_cursor (
    name TEXT PRIMARY KEY,
    last_event_id INTEGER NOT NULL
);

CREATE TABLE report_ticket_facts (
    ticket_id INTEGER PRIMARY KEY,
    facts TEXT NOT NULL
);

-- By hour, channel, domain and handling team (0: none).
CREATE TABLE report_hourly (
    hour INTEGER NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    team_id INTEGER NOT NULL,
    opened INTEGER NOT NULL DEFAULT 0,
    handed_off INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0,
    bot_resolved INTEGER NOT NULL DEFAULT 0,
    reopened INTEGER NOT NULL DEFAULT 0,
    escalated INTEGER NOT NULL DEFAULT 0,
    sent_back INTEGER NOT NULL DEFAULT 0,
    first_responses INTEGER NOT NULL DEFAULT 0,
    within_24h INTEGER NOT NULL DEFAULT 0,
    surveys_sent INTEGER NOT NULL DEFAULT 0,
    csat_answers INTEGER NOT NULL DEFAULT 0,
    csat_sum INTEGER NOT NULL DEFAULT 0,
    csat_low INTEGER NOT NULL DEFAULT 0,
    helpful_yes INTEGER NOT NULL DEFAULT 0,
    helpful_no INTEGER NOT NULL DEFAULT 0,
    sla_warnings INTEGER NOT NULL DEFAULT 0,
    sla_breaches INTEGER NOT NULL DEFAULT 0,
    reviews_opened INTEGER NOT NULL DEFAULT 0,
    frt_count INTEGER NOT NULL DEFAULT 0,
    frt_sum_ms INTEGER NOT NULL DEFAULT 0,
    frt_sketch BLOB,
    nrt_count INTEGER NOT NULL DEFAULT 0,
    nrt_sum_ms INTEGER NOT NULL DEFAULT 0,
    nrt_sketch BLOB,
    res_count INTEGER NOT NULL DEFAULT 0,
    res_sum_ms INTEGER NOT NULL DEFAULT 0,
    res_sketch BLOB,
    wait_count INTEGER NOT NULL DEFAULT 0,
    wait_sum_ms INTEGER NOT NULL DEFAULT 0,
    wait_sketch BLOB,
    spec_count INTEGER NOT NULL DEFAULT 0,
    spec_sum_ms INTEGER NOT NULL DEFAULT 0,
    spec_sketch BLOB,
    PRIMARY KEY (hour, channel, category, team_id)
);

-- By hour and agent (the agent who acted, or the owner): the per-agent tables.
CREATE TABLE report_agent_hourly (
    hour INTEGER NOT NULL,
    agent_id INTEGER NOT NULL,
    opened INTEGER NOT NULL DEFAULT 0,
    handed_off INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0,
    bot_resolved INTEGER NOT NULL DEFAULT 0,
    reopened INTEGER NOT NULL DEFAULT 0,
    escalated INTEGER NOT NULL DEFAULT 0,
    sent_back INTEGER NOT NULL DEFAULT 0,
    first_responses INTEGER NOT NULL DEFAULT 0,
    within_24h INTEGER NOT NULL DEFAULT 0,
    surveys_sent INTEGER NOT NULL DEFAULT 0,
    csat_answers INTEGER NOT NULL DEFAULT 0,
    csat_sum INTEGER NOT NULL DEFAULT 0,
    csat_low INTEGER NOT NULL DEFAULT 0,
    helpful_yes INTEGER NOT NULL DEFAULT 0,
    helpful_no INTEGER NOT NULL DEFAULT 0,
    sla_warnings INTEGER NOT NULL DEFAULT 0,
    sla_breaches INTEGER NOT NULL DEFAULT 0,
    reviews_opened INTEGER NOT NULL DEFAULT 0,
    frt_count INTEGER NOT NULL DEFAULT 0,
    frt_sum_ms INTEGER NOT NULL DEFAULT 0,
    frt_sketch BLOB,
    nrt_count INTEGER NOT NULL DEFAULT 0,
    nrt_sum_ms INTEGER NOT NULL DEFAULT 0,
    nrt_sketch BLOB,
    res_count INTEGER NOT NULL DEFAULT 0,
    res_sum_ms INTEGER NOT NULL DEFAULT 0,
    res_sketch BLOB,
    wait_count INTEGER NOT NULL DEFAULT 0,
    wait_sum_ms INTEGER NOT NULL DEFAULT 0,
    wait_sketch BLOB,
    spec_count INTEGER NOT NULL DEFAULT 0,
    spec_sum_ms INTEGER NOT NULL DEFAULT 0,
    spec_sketch BLOB,
    PRIMARY KEY (agent_id, hour)
);

-- Counts under a label (hand-over reasons, SLA targets per priority, review outcomes).
CREATE TABLE report_labels (
    hour INTEGER NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    team_id INTEGER NOT NULL,
    metric TEXT NOT NULL,
    label TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (hour, channel, category, team_id, metric, label)
);

-- The rollup cursor: events with ids up to here are folded in.
INSERT INTO report_cursor (name, last_event_id) VALUES ('rollups', 0);
