-- Daily rollups (docs/REPORTS.md): the same sums as report_hourly, report_agent_hourly and
-- report_labels, one bucket per UTC day (`hour` holds the day's start, UTC milliseconds), added
-- by the same fold step in the same transaction. A report over a long range reads whole UTC
-- days here and only the hours at its two ends from the hourly tables: a year merges about
-- 365 sketches per group instead of 8,760.
CREATE TABLE report_daily (
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

CREATE TABLE report_agent_daily (
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

CREATE TABLE report_labels_daily (
    hour INTEGER NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    team_id INTEGER NOT NULL,
    metric TEXT NOT NULL,
    label TEXT NOT NULL,
    n INTEGER NOT NULL,
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
