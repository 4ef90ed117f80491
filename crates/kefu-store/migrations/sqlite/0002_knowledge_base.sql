-- Knowledge base (articles with versions), the bot's conversation state per ticket, and the
-- questions the bot could not answer.
CREATE TABLE kb_articles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    category TEXT,
    published_version INTEGER,
    latest_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE kb_article_versions (
    article_id INTEGER NOT NULL REFERENCES kb_articles(id),
    version INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    phrasings TEXT NOT NULL DEFAULT '[]',
    keywords TEXT NOT NULL DEFAULT '[]',
    author_agent_id INTEGER REFERENCES agents(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE TABLE bot_sessions (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
    state TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE unanswered_questions (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    query TEXT NOT NULL,
    reason TEXT NOT NULL,
    top_article TEXT,
    top_score DOUBLE PRECISION,
    created_at INTEGER NOT NULL
);
CREATE INDEX unanswered_by_time ON unanswered_questions (created_at);
