-- English for knowledge-base article versions: the standard question, the answer and other
-- phrasings (a JSON array like `phrasings`). Absent on versions written without English.
ALTER TABLE kb_article_versions ADD COLUMN question_en TEXT;
ALTER TABLE kb_article_versions ADD COLUMN answer_en TEXT;
ALTER TABLE kb_article_versions ADD COLUMN phrasings_en TEXT;
