-- Canned replies (快捷回复) agents insert into the reply box, with variables ({customer},
-- {ticket}, {agent}, {subject}) filled in for the ticket at hand. One language each; admins
-- manage them through the API. Times are UTC milliseconds (BIGINT), as elsewhere.
CREATE TABLE canned_replies (
    id BIGSERIAL PRIMARY KEY,
    -- zh-CN | en
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (lang, title)
);

-- A few defaults, so a fresh install has some to start from (2026-01-01T00:00:00Z).
INSERT INTO canned_replies (lang, title, body, created_at, updated_at) VALUES
    ('zh-CN', '问候', '您好 {customer}，我是客服{agent}，很高兴为您服务。请问有什么可以帮您？', 1767225600000, 1767225600000),
    ('zh-CN', '补充信息', '为了尽快帮您核实，请提供您的账号 ID 和问题截图，谢谢配合！', 1767225600000, 1767225600000),
    ('zh-CN', '处理中', '您的工单 {ticket} 已转交专业团队处理，我们会尽快给您答复，请耐心等待。', 1767225600000, 1767225600000),
    ('zh-CN', '已解决', '您的问题（工单 {ticket}）已处理完毕。如仍有疑问，直接回复即可，我们随时为您服务。', 1767225600000, 1767225600000),
    ('en', 'Greeting', 'Hello {customer}, this is {agent}. Happy to help — what can I do for you?', 1767225600000, 1767225600000),
    ('en', 'More details', 'To look into this quickly, please send your account ID and a screenshot of the problem. Thank you!', 1767225600000, 1767225600000),
    ('en', 'In progress', 'Your ticket {ticket} is with our specialist team now. We will get back to you as soon as we can.', 1767225600000, 1767225600000),
    ('en', 'Resolved', 'Your ticket {ticket} has been handled. If anything is still wrong, just reply here.', 1767225600000, 1767225600000);
