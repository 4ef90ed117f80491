//! A raw mail (RFC 5322, MIME) read with `mail-parser` into what the e-mail channel needs:
//! who wrote, the thread it belongs to, the new text only ([`super::quote`]), sanitized
//! HTML ([`super::html`]) and the attached files (checked later by the attachment rules).
//! Pure: bytes in, values out.

use super::thread::{clean_message_id, clean_subject, ticket_number_in};
use super::{html, quote};
use kefu_domain::TicketNumber;
use mail_parser::{MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

/// Largest raw mail read; bigger ones are refused whole.
pub const MAX_MAIL_BYTES: usize = 25 * 1024 * 1024;
/// Most attached files taken from one mail.
pub const MAX_MAIL_ATTACHMENTS: usize = 10;

/// A mail as the e-mail channel reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMail {
    /// Its Message-ID (no brackets); a hash of the bytes when the mail has none.
    pub message_id: String,
    /// The ids it answers, nearest first: In-Reply-To, then References newest to oldest.
    pub replies_to: Vec<String>,
    /// The sender's address, lower-cased.
    pub from: String,
    pub from_name: Option<String>,
    /// The subject without `Re:` prefixes and kefu's tag.
    pub subject: String,
    /// The ticket number quoted in the subject.
    pub ticket_number: Option<TicketNumber>,
    /// What the customer wrote now: plain text, quotes and signature removed.
    pub text: String,
    /// The HTML part, sanitized, when the mail had one.
    pub html: Option<String>,
    pub attachments: Vec<MailFile>,
    /// An automatic mail (an out-of-office reply, a bounce, a list): never answered, so two
    /// robots cannot write to each other forever.
    pub automatic: bool,
}

/// A file attached to a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFile {
    pub name: Option<String>,
    /// What the mail claims (the attachment checks sniff the bytes instead).
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A mail kefu cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("the mail is larger than {MAX_MAIL_BYTES} bytes")]
    TooLarge,
    #[error("the bytes are not a mail message")]
    NotAMail,
    #[error("the mail has no sender address")]
    NoSender,
}

/// Reads a raw mail.
pub fn parse(raw: &[u8]) -> Result<ParsedMail, MailError> {
    if raw.len() > MAX_MAIL_BYTES {
        return Err(MailError::TooLarge);
    }
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or(MailError::NotAMail)?;
    if msg.headers().is_empty() {
        return Err(MailError::NotAMail);
    }
    let sender = msg
        .reply_to()
        .and_then(|a| a.first())
        .filter(|a| a.address().is_some())
        .or_else(|| msg.from().and_then(|a| a.first()))
        .ok_or(MailError::NoSender)?;
    let from = sender
        .address()
        .map(|a| a.trim().to_lowercase())
        .filter(|a| a.contains('@'))
        .ok_or(MailError::NoSender)?;
    let from_name = sender
        .name()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    let message_id = msg
        .message_id()
        .and_then(clean_message_id)
        .unwrap_or_else(|| {
            let digest = crate::credentials::hex(&Sha256::digest(raw));
            format!("sha256-{}@kefu.invalid", &digest[..32])
        });
    let mut replies_to: Vec<String> = ids(msg.in_reply_to());
    replies_to.extend(ids(msg.references()).into_iter().rev());
    replies_to.dedup();
    let raw_subject = msg.subject().unwrap_or_default();
    let html_part = msg.html_part(0).filter(|p| p.is_text_html());
    let html = html_part
        .and_then(|p| p.text_contents())
        .map(html::sanitize);
    let plain = msg
        .text_part(0)
        .filter(|p| !p.is_text_html())
        .and_then(|p| p.text_contents())
        .map(str::to_owned);
    let full_text = match (plain, html_part.and_then(|p| p.text_contents())) {
        (Some(t), _) => t,
        (None, Some(h)) => html::to_text(h),
        (None, None) => String::new(),
    };
    let attachments = msg
        .attachments()
        .filter(|p| !p.is_message())
        .take(MAX_MAIL_ATTACHMENTS)
        .map(|p| MailFile {
            name: p.attachment_name().map(str::to_owned),
            content_type: p.content_type().map_or_else(
                || "application/octet-stream".to_owned(),
                |ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("octet-stream")),
            ),
            bytes: p.contents().to_vec(),
        })
        .collect();
    let automatic = header_is(&msg, "Auto-Submitted", |v| !v.eq_ignore_ascii_case("no"))
        || header_is(&msg, "Precedence", |v| {
            ["bulk", "junk", "list", "auto_reply"]
                .iter()
                .any(|p| v.eq_ignore_ascii_case(p))
        })
        || msg.header_raw("X-Autoreply").is_some()
        || msg.header_raw("X-Autorespond").is_some()
        || from.starts_with("mailer-daemon@")
        || from.starts_with("postmaster@");
    Ok(ParsedMail {
        message_id,
        replies_to,
        from,
        from_name,
        subject: clean_subject(raw_subject),
        ticket_number: ticket_number_in(raw_subject),
        text: quote::strip_quoted(&full_text),
        html,
        attachments,
        automatic,
    })
}

fn ids(value: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    value
        .as_text_list()
        .unwrap_or_default()
        .iter()
        .filter_map(|id| clean_message_id(id))
        .collect()
}

fn header_is(msg: &mail_parser::Message<'_>, name: &str, test: impl Fn(&str) -> bool) -> bool {
    msg.header_raw(name).is_some_and(|v| test(v.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(headers: &str, body: &str) -> Vec<u8> {
        format!("{headers}\r\nMIME-Version: 1.0\r\n\r\n{body}")
            .replace('\n', "\r\n")
            .replace("\r\r", "\r")
            .into_bytes()
    }

    #[test]
    fn a_plain_mail_gives_sender_subject_and_text() {
        let raw = mail(
            "From: \"Alice\" <Alice@Example.COM>\nTo: support@kefu.test\nSubject: =?UTF-8?B?55m75b2V5LiN5LqG?=\nMessage-ID: <m1@example.com>\nContent-Type: text/plain; charset=utf-8",
            "I cannot log in.\n",
        );
        let m = parse(&raw).unwrap();
        assert_eq!(m.from, "alice@example.com");
        assert_eq!(m.from_name.as_deref(), Some("Alice"));
        assert_eq!(m.subject, "登录不了");
        assert_eq!(m.message_id, "m1@example.com");
        assert_eq!(m.text, "I cannot log in.");
        assert!(m.replies_to.is_empty());
        assert!(!m.automatic);
        assert_eq!(m.ticket_number, None);
    }

    #[test]
    fn a_reply_names_its_parents_nearest_first_and_the_ticket_number() {
        let n = TicketNumber::new(jiff::civil::date(2026, 11, 24), 38_201_957);
        let raw = mail(
            &format!(
                "From: a@example.com\nSubject: Re: [#{}] Re: login\nMessage-ID: <m3@example.com>\nIn-Reply-To: <k2@kefu.test>\nReferences: <m1@example.com> <k2@kefu.test>\nContent-Type: text/plain; charset=utf-8",
                n.grouped()
            ),
            "Thanks!\n\nOn Mon, 1 Dec 2026, Kefu <support@kefu.test> wrote:\n> Restart the app.\n",
        );
        let m = parse(&raw).unwrap();
        assert_eq!(m.replies_to, ["k2@kefu.test", "m1@example.com"]);
        assert_eq!(m.ticket_number, Some(n));
        assert_eq!(m.subject, "login");
        assert_eq!(m.text, "Thanks!");
    }

    #[test]
    fn an_html_mail_is_sanitized_and_read_as_text() {
        let raw = mail(
            "From: a@example.com\nSubject: hi\nContent-Type: text/html; charset=utf-8",
            "<p>Help <b>please</b></p><script>alert('x')</script><img src=x onerror=alert(1)>",
        );
        let m = parse(&raw).unwrap();
        assert!(
            m.text.contains("Help") && m.text.contains("please"),
            "{}",
            m.text
        );
        assert!(!m.text.contains("alert"), "{}", m.text);
        let html = m.html.unwrap();
        assert!(
            !html.contains("script") && !html.contains("onerror"),
            "{html}"
        );
    }

    #[test]
    fn gbk_mail_is_decoded() {
        let mut raw = b"From: a@example.com\r\nSubject: =?GBK?B?tcfCvA==?=\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".to_vec();
        raw.extend_from_slice(&[0xb5, 0xc7, 0xc2, 0xbc, b'\r', b'\n']);
        let m = parse(&raw).unwrap();
        assert_eq!(m.subject, "登录");
        assert_eq!(m.text, "登录");
    }

    #[test]
    fn attachments_come_with_their_bytes_and_claimed_type() {
        let raw = mail(
            "From: a@example.com\nSubject: pic\nContent-Type: multipart/mixed; boundary=XX",
            "--XX\nContent-Type: text/plain\n\nsee file\n--XX\nContent-Type: image/png\nContent-Disposition: attachment; filename=\"shot.png\"\nContent-Transfer-Encoding: base64\n\naGVsbG8=\n--XX--\n",
        );
        let m = parse(&raw).unwrap();
        assert_eq!(m.text, "see file");
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].name.as_deref(), Some("shot.png"));
        assert_eq!(m.attachments[0].content_type, "image/png");
        assert_eq!(m.attachments[0].bytes, b"hello");
    }

    #[test]
    fn automatic_mail_is_flagged_and_a_missing_id_is_derived_from_the_bytes() {
        let raw = mail(
            "From: a@example.com\nSubject: Out of office\nAuto-Submitted: auto-replied",
            "away\n",
        );
        let m = parse(&raw).unwrap();
        assert!(m.automatic);
        assert!(m.message_id.starts_with("sha256-"));
        assert_eq!(parse(&raw).unwrap().message_id, m.message_id);
    }

    #[test]
    fn mail_without_sender_or_headers_is_refused() {
        assert_eq!(
            parse(&mail("Subject: x", "body\n")),
            Err(MailError::NoSender)
        );
        assert_eq!(parse(b""), Err(MailError::NotAMail));
    }
}
