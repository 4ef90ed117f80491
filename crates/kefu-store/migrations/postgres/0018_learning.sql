-- The learning loop: which knowledge-base article version each bot answer used, and how
-- it ended (the customer's helpful / not helpful, contained by the bot), so containment and
-- helpful rate can be shown per version; and the clusters or FAQ proposals an editor
-- dismissed (hidden from the learning page).
CREATE TABLE bot_answers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    article_slug TEXT NOT NULL,
    article_version INTEGER NOT NULL,
    helpful INTEGER,
    contained INTEGER NOT NULL DEFAULT 0,
    answered_at BIGINT NOT NULL
);
CREATE INDEX bot_answers_by_ticket ON bot_answers (ticket_id, id);
CREATE INDEX bot_answers_by_article ON bot_answers (article_slug, article_version);

CREATE TABLE learning_dismissals (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    agent_id BIGINT REFERENCES agents(id),
    dismissed_at BIGINT NOT NULL,
    PRIMARY KEY (kind, key)
);
