-- Structured data a message carries besides its text, as JSON: for now the choices a bot
-- message offers (`{"suggestions":[{"id","question"},…]}`). NULL for plain messages, which
-- are nearly all of them. TEXT like `attachments`, so both backends bind and read it alike.
ALTER TABLE messages ADD COLUMN meta TEXT;
