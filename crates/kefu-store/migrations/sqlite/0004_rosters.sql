-- Rosters and per-category certification. Times are UTC milliseconds (INTEGER).

-- Each agent's recurring shifts, in local time of an IANA zone: kefu-routing's `Shift` list
-- as JSON. An agent without a row has no roster and counts as always on shift.
CREATE TABLE agent_rosters (
    agent_id INTEGER PRIMARY KEY REFERENCES agents(id),
    time_zone TEXT NOT NULL,
    shifts TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Whether routing gives a category's tickets only to agents certified in it. Categories
-- that always need a person kept that rule before it was a setting of its own.
ALTER TABLE categories ADD COLUMN requires_certification INTEGER NOT NULL DEFAULT 0;
UPDATE categories SET requires_certification = always_human;
