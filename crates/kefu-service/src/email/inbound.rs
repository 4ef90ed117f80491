//! A mail from the support mailbox → a message on its customer's ticket.
//!
//! 1. The mail is read ([`super::parse`]); automatic mail (out-of-office replies, bounces,
//!    lists) and mail from kefu's own address are ignored, so robots never write to each
//!    other forever.
//! 2. Its files go through the attachment checks ([`crate::attachments::upload`]: type
//!    sniffed from the bytes, size limits, metadata stripped); a refused file is named in
//!    the message instead.
//! 3. The ticket: the one a kefu mail it answers belongs to (`In-Reply-To`, `References`),
//!    else the number in the subject — each only if it is this sender's and still takes
//!    messages (a reply to a resolved ticket within the reopen window reopens it).
//!    Otherwise a new ticket, idempotent on the Message-ID.
//!
//! The channel acts as a channel key bound to `email` with the reserved key id 0 (API keys
//! start at 1): the event log shows `channel` as the actor.

use super::parse::{ParsedMail, parse};
use super::thread::ticket_number_in_id;
use crate::attachments::NewUpload;
use crate::caller::{Caller, ChannelKey, CustomerProof};
use crate::core::Core;
use crate::error::{ErrorCode, ServiceResult};
use crate::inputs::{AttachmentInput, CustomerInput, NewTicketInput};
use crate::lookup::CustomerMessageInput;
use kefu_domain::ticket::{BODY_MAX_CHARS, SUBJECT_MAX_CHARS};
use kefu_domain::{ApiKeyId, Channel, TicketNumber};

/// The key id the e-mail channel acts under.
pub const EMAIL_KEY_ID: ApiKeyId = ApiKeyId(0);

/// What taking one mail did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// A new ticket was opened for it.
    Opened(TicketNumber),
    /// It was added to this existing ticket.
    Added(TicketNumber),
    /// Nothing was written; why, for the log.
    Ignored(String),
}

fn key() -> ChannelKey {
    ChannelKey {
        key_id: EMAIL_KEY_ID,
        channel: Some(Channel::Email),
    }
}

/// Takes one raw mail (see the module header). An error leaves the mail to be read again
/// only when it is `service_unavailable`; the caller decides.
pub async fn take(core: &Core, own_address: &str, raw: &[u8]) -> ServiceResult<Taken> {
    let mail = match parse(raw) {
        Ok(m) => m,
        Err(e) => return Ok(Taken::Ignored(format!("unreadable mail: {e}"))),
    };
    if mail.automatic {
        return Ok(Taken::Ignored(
            "automatic mail (auto-reply, bounce or list)".into(),
        ));
    }
    if mail.from.eq_ignore_ascii_case(own_address.trim()) {
        return Ok(Taken::Ignored("mail from kefu's own address".into()));
    }
    let caller = Caller::Channel(key());
    let (files, refused) = upload_files(core, &caller, &mail).await?;
    let body = body_of(&mail, &refused, files.is_empty());
    let proof = Caller::Customer(CustomerProof::Channel {
        key: key(),
        external_id: mail.from.clone(),
    });
    for number in candidates(&mail) {
        let input = CustomerMessageInput {
            body: Some(body.clone()),
            attachments: files.clone(),
            pick: None,
        };
        match crate::lookup::add_customer_message(core, &proof, &number, input).await {
            Ok(t) => return Ok(Taken::Added(t.ticket.number)),
            // Not this sender's, or too old to reopen: try the next, then a new ticket.
            Err(e) if matches!(e.code, ErrorCode::TicketNotFound | ErrorCode::TicketClosed) => {}
            Err(e) => return Err(e),
        }
    }
    let subject: String = mail.subject.chars().take(SUBJECT_MAX_CHARS).collect();
    let input = NewTicketInput {
        customer: CustomerInput {
            external_id: mail.from.clone(),
            name: mail
                .from_name
                .as_ref()
                .map(|n| n.chars().take(100).collect()),
            email: Some(mail.from.clone()),
            phone: None,
            language: None,
        },
        channel: Some(Channel::Email.as_str().to_owned()),
        subject: (!subject.trim().is_empty()).then_some(subject),
        body,
        category: None,
        priority: None,
        attachments: files,
        context: Some(serde_json::json!({"email": {"message_id": mail.message_id}})),
    };
    let opened = crate::intake::open_ticket(
        core,
        &caller,
        input,
        mail.message_id.as_bytes(),
        Some(format!("email:{}", mail.message_id)),
    )
    .await?;
    Ok(Taken::Opened(opened.ticket.number))
}

/// The tickets this mail may belong to, most certain first, without repeats.
fn candidates(mail: &ParsedMail) -> Vec<TicketNumber> {
    let mut out: Vec<TicketNumber> = Vec::new();
    let from_ids = mail
        .replies_to
        .iter()
        .filter_map(|id| ticket_number_in_id(id));
    for n in from_ids.chain(mail.ticket_number) {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// Uploads the mail's files through the attachment checks: the accepted ones, and the
/// refused ones with why.
async fn upload_files(
    core: &Core,
    caller: &Caller,
    mail: &ParsedMail,
) -> ServiceResult<(Vec<AttachmentInput>, Vec<String>)> {
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for file in &mail.attachments {
        let name = file
            .name
            .clone()
            .unwrap_or_else(|| file.content_type.clone());
        let upload = NewUpload {
            name: file.name.clone(),
            bytes: file.bytes.clone(),
            kind: None,
            ticket: None,
        };
        match crate::attachments::upload(core, caller, upload).await {
            Ok(up) => accepted.push(AttachmentInput {
                id: Some(up.record.id),
                ..AttachmentInput::default()
            }),
            Err(e) if e.code == ErrorCode::ServiceUnavailable => return Err(e),
            Err(e) => refused.push(format!("{name}: {}", e.detail)),
        }
    }
    Ok((accepted, refused))
}

/// The message text: what the customer wrote now (or the subject when the mail has no
/// text), and a line per refused file; within the body limit.
fn body_of(mail: &ParsedMail, refused: &[String], no_files: bool) -> String {
    let mut body = if mail.text.trim().is_empty() {
        mail.subject.clone()
    } else {
        mail.text.clone()
    };
    for r in refused {
        body.push_str(&format!("\n[附件未接收 attachment not accepted] {r}"));
    }
    let body = body.trim();
    let body = if body.is_empty() && no_files {
        "[空邮件 empty mail]"
    } else {
        body
    };
    body.chars().take(BODY_MAX_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::thread::outbound_message_id;

    fn mail() -> ParsedMail {
        ParsedMail {
            message_id: "m2@example.com".into(),
            replies_to: vec![],
            from: "a@example.com".into(),
            from_name: None,
            subject: "login".into(),
            ticket_number: None,
            text: "hello".into(),
            html: None,
            attachments: vec![],
            automatic: false,
        }
    }

    #[test]
    fn replies_to_kefu_mails_come_before_the_subject_number_without_repeats() {
        let a = TicketNumber::new(jiff::civil::date(2026, 11, 24), 1);
        let b = TicketNumber::new(jiff::civil::date(2026, 11, 25), 2);
        let mut m = mail();
        m.replies_to = vec![
            "x@example.com".into(),
            outbound_message_id(&b, "1", "kefu.test"),
            outbound_message_id(&b, "2", "kefu.test"),
        ];
        m.ticket_number = Some(a);
        assert_eq!(candidates(&m), [b, a]);
        assert!(candidates(&self::mail()).is_empty());
    }

    #[test]
    fn the_body_falls_back_to_the_subject_and_names_refused_files() {
        let mut m = mail();
        m.text = " ".into();
        let body = body_of(&m, &["a.pdf: not accepted".into()], true);
        assert_eq!(
            body,
            "login\n[附件未接收 attachment not accepted] a.pdf: not accepted"
        );
        m.subject = String::new();
        assert_eq!(body_of(&m, &[], true), "[空邮件 empty mail]");
        assert_eq!(body_of(&m, &[], false), "");
    }
}
