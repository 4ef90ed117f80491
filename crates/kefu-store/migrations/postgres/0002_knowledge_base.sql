-- Knowledge base (articles with versions), the bot's conversation state per ticket, and the
-- questions the bot could not answer.
CREATE TABLE kb_articles (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    category TEXT,
    published_version INTEGER,
    latest_version INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE kb_article_versions (
    article_id BIGINT NOT NULL REFERENCES kb_articles(id),
    version INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    phrasings TEXT NOT NULL DEFAULT '[]',
    keywords TEXT NOT NULL DEFAULT '[]',
    author_agent_id BIGINT REFERENCES agents(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE TABLE bot_sessions (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id),
    state TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE unanswered_questions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    query TEXT NOT NULL,
    reason TEXT NOT NULL,
    top_article TEXT,
    top_score DOUBLE PRECISION,
    created_at BIGINT NOT NULL
);
CREATE INDEX unanswered_by_time ON unanswered_questions (created_at);
