//! Uploaded files on messages: which files a caller may put on a message (their own unused
//! uploads, or files already on that ticket), and binding them to the ticket for good.

use super::uploader_of;
use crate::caller::Caller;
use crate::core::Core;
use crate::error::{FieldError, ServiceError, ServiceResult};
use kefu_domain::{Attachment, TicketId};
use kefu_store::{AttachmentBinding, AttachmentRecord};

/// Is an id one kefu could have made (32 lowercase hex digits)?
pub fn valid_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Where a message's files are going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A message on this ticket.
    Ticket(TicketId),
    /// Intake. `retry`: the request has an Idempotency-Key, so it may repeat one whose
    /// files are already bound; the uploader's own bound files pass, and the store's replay
    /// answers with the first ticket (a new ticket with them keeps them where they are).
    NewTicket { retry: bool },
}

/// Replaces the id-only entries of `files` (as the message checks left them) with the
/// stored files, if the caller may attach each: their own unbound upload, or a file
/// already on the target ticket. A file the caller may not use is reported as not found,
/// naming the field.
pub async fn resolve(
    core: &Core,
    caller: &Caller,
    target: Target,
    field: &str,
    files: &mut [Attachment],
) -> ServiceResult<()> {
    let uploader = uploader_of(caller);
    let mut errors = Vec::new();
    for (i, a) in files.iter_mut().enumerate() {
        let Some(id) = a.id.clone() else { continue };
        let own = |r: &AttachmentRecord| Some(&r.uploader) == uploader.as_ref();
        let usable = match (core.store.attachment(&id).await?, target) {
            (Some(r), Target::Ticket(t)) if r.ticket == Some(t) => Some(r),
            (Some(r), _) if r.ticket.is_none() && own(&r) => Some(r),
            (Some(r), Target::NewTicket { retry: true }) if own(&r) => Some(r),
            _ => None,
        };
        match usable {
            Some(r) => {
                *a = Attachment {
                    name: r.name,
                    content_type: r.content_type,
                    size_bytes: r.size_bytes,
                    url: String::new(),
                    id: Some(r.id),
                    kind: Some(r.kind),
                    duration_ms: r.duration_ms,
                    transcript: r.transcript,
                }
            }
            None => errors.push(FieldError {
                field: format!("{field}[{i}].id"),
                message:
                    "no such attachment of yours (upload it first with POST /api/v1/attachments)"
                        .into(),
            }),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::fields(errors))
    }
}

/// Binds the uploaded files among `files` to `ticket` (after [`resolve`]).
pub async fn bind(
    core: &Core,
    caller: &Caller,
    ticket: TicketId,
    files: &[Attachment],
) -> ServiceResult<()> {
    let ids: Vec<String> = files.iter().filter_map(|a| a.id.clone()).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let uploader = uploader_of(caller).unwrap_or_else(|| format!("ticket:{}", ticket.0));
    match core
        .store
        .bind_attachments(AttachmentBinding {
            ids,
            ticket,
            uploader,
        })
        .await
    {
        Ok(_) => Ok(()),
        // Another message took the file for another ticket between resolve and bind.
        Err(kefu_store::StoreError::NotFound) => Err(ServiceError::field(
            "attachments",
            "a file is already attached to another ticket",
        )),
        Err(e) => Err(e.into()),
    }
}
