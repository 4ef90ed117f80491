//! A mail from the support mailbox → a message on its customer's ticket.
//!
//! 1. The mail is read ([`super::parse`]); automatic mail (out-of-office replies, bounces,
//!    lists) and mail from kefu's own address are ignored, so robots never write to each
//!    other forever.
//! 2. Its files go through the attachment checks ([`crate::attachments::upload`]: type
//!    sniffed from the bytes, size limits, metadata stripped); a refused file is named in
//!    the message instead.
//! 3. The channel abstraction puts it on a ticket ([`crate::channels::inbound::receive`]):
//!    once per Message-ID; onto the ticket of a mail it answers (`In-Reply-To`,
//!    `References`: one kefu received or sent), of its thread, or whose number is in the
//!    subject (or inside a kefu Message-ID it names) — each only if it is this sender's;
//!    otherwise a new ticket.

use super::adapter::EmailAdapter;
use super::parse::{ParsedMail, parse};
use crate::attachments::NewUpload;
use crate::caller::Caller;
use crate::channels::Inbound;
use crate::channels::inbound::{adapter_caller, receive};
use crate::core::Core;
use crate::error::{ErrorCode, ServiceResult};
use crate::inputs::AttachmentInput;
use kefu_domain::TicketNumber;
use kefu_domain::ticket::BODY_MAX_CHARS;

/// What taking one mail did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// A new ticket was opened for it.
    Opened(TicketNumber),
    /// It was added to this existing ticket.
    Added(TicketNumber),
    /// It was taken before (the same Message-ID): nothing was written.
    Duplicate(TicketNumber),
    /// Nothing was written; why, for the log.
    Ignored(String),
}

/// Takes one raw mail (see the module header). An error leaves the mail to be read again
/// only when it is `service_unavailable`; the caller decides.
pub async fn take(core: &Core, adapter: &EmailAdapter, raw: &[u8]) -> ServiceResult<Taken> {
    let mail = match parse(raw) {
        Ok(m) => m,
        Err(e) => return Ok(Taken::Ignored(format!("unreadable mail: {e}"))),
    };
    if let Inbound::Ignored(why) = adapter.message(&mail, String::new()) {
        return Ok(Taken::Ignored(why));
    }
    let caller = adapter_caller(adapter);
    let (files, refused) = upload_files(core, &caller, &mail).await?;
    let body = body_of(&mail, &refused, files.is_empty());
    let Inbound::Message(mut msg) = adapter.message(&mail, body) else {
        return Ok(Taken::Ignored("nothing to take".into()));
    };
    msg.attachments = files;
    let received = receive(core, adapter, *msg).await?;
    let number = received.ticket.number;
    Ok(if received.duplicate {
        Taken::Duplicate(number)
    } else if received.opened {
        Taken::Opened(number)
    } else {
        Taken::Added(number)
    })
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
pub fn body_of(mail: &ParsedMail, refused: &[String], no_files: bool) -> String {
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
pub(crate) mod tests {
    use super::*;

    pub(crate) fn mail() -> ParsedMail {
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
