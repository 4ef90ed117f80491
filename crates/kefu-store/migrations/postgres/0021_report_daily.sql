-- Daily rollups (docs/REPORTS.md): the same sums as report_hourly, report_agent_hourly and
-- report_labels, one bucket per UTC day (`hour` holds the day's start, UTC milliseconds), added
-- by the same fold step in the same transaction. A report over a long range reads whole UTC
-- days here and only the hours at its two ends from the hourly tables: a year merges about
-- 365 sketches per group instead of 8,760.
CREATE TABLE report_daily (
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

CREATE TABLE report_agent_daily (
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

CREATE TABLE report_labels_daily (
    hour BIGINT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    team_id BIGINT NOT NULL,
    metric TEXT NOT NULL,
    label TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (hour, channel, category, team_id, metric, label)
);

-- The hour-of-day tables read only `opened` from every hour of the range: a covering index
-- keeps that read off the wide rows (each holds five serialized sketches).
CREATE INDEX report_hourly_opened ON report_hourly (hour, channel, category, team_id, opened);

-- Rebuild every rollup from the event log so the daily tables hold all history: the fold
-- worker replays the events from the start (one transaction per step, never counted twice).
DELETE FROM report_hourly;
DELETE FROM report_agent_hourly;
DELETE FROM report_labels;
DELETE FROM report_ticket_facts;
UPDATE report_cursor SET last_event_id = 0 WHERE name = 'rollups';
