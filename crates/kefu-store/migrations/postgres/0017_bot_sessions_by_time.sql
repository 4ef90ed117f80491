-- The help center's popular questions read the bot's recent conversations by time.
CREATE INDEX bot_sessions_by_time ON bot_sessions (updated_at);
