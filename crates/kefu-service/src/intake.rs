//! Intake: any channel → one validated ticket with its number, durable before the answer.

use super::validate::Checks;
use crate::caller::Caller;
use crate::core::Core;
use crate::credentials::lookup_code;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::inputs::AttachmentInput;
use crate::inputs::NewTicketInput;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::ticket::{BODY_MAX_CHARS, SUBJECT_MAX_CHARS};
use kefu_domain::{Attachment, CategoryCode, Channel, CustomerRef, Priority, Ticket, TicketStatus};
use kefu_store::{CustomerLookup, CustomerProfile, IdempotencyKey, NewTicket};
use sha2::{Digest, Sha256};

/// Most attachments on one message.
pub const MAX_ATTACHMENTS: usize = 10;
/// Largest attachment accepted (metadata check; the store enforces it again on upload).
pub const MAX_ATTACHMENT_BYTES: u64 = 50 * 1024 * 1024;
/// Largest `context` object, serialized.
pub const MAX_CONTEXT_BYTES: usize = 16 * 1024;

/// A freshly opened (or replayed) ticket and the customer's lookup code.
pub struct Intake {
    pub ticket: Ticket,
    pub lookup_code: String,
    pub replayed: bool,
}

/// Validates attachment metadata.
pub fn attachments(checks: &mut Checks, field: &str, input: &[AttachmentInput]) -> Vec<Attachment> {
    if input.len() > MAX_ATTACHMENTS {
        checks.fail(field, format!("at most {MAX_ATTACHMENTS} attachments"));
    }
    input
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let f = |name: &str| format!("{field}[{i}].{name}");
            if let Some(id) = &a.id {
                return uploaded(checks, &f, id, a);
            }
            let content_type = checks.text(&f("content_type"), &a.content_type, 3, 100);
            if !content_type.contains('/') {
                checks.fail(&f("content_type"), "must be a MIME type such as image/jpeg");
            }
            if a.size_bytes > MAX_ATTACHMENT_BYTES {
                checks.fail(
                    &f("size_bytes"),
                    format!("must be at most {MAX_ATTACHMENT_BYTES} bytes"),
                );
            }
            Attachment {
                name: checks.text(&f("name"), &a.name, 1, 255),
                content_type,
                size_bytes: a.size_bytes,
                url: attachment_url(checks, &f("url"), &a.url),
                id: None,
                kind: None,
                duration_ms: None,
                transcript: None,
            }
        })
        .collect()
}

/// An uploaded file named by id alone; [`crate::attachments::resolve`] fills in the rest.
fn uploaded(
    checks: &mut Checks,
    f: &dyn Fn(&str) -> String,
    id: &str,
    a: &AttachmentInput,
) -> Attachment {
    if !crate::attachments::valid_id(id) {
        checks.fail(&f("id"), "is not an attachment id (32 hexadecimal digits)");
    }
    for (name, set) in [
        ("name", !a.name.is_empty()),
        ("content_type", !a.content_type.is_empty()),
        ("size_bytes", a.size_bytes != 0),
        ("url", !a.url.is_empty()),
    ] {
        if set {
            checks.fail(
                &f(name),
                "not with id: an uploaded file's details come from the upload",
            );
        }
    }
    Attachment {
        name: String::new(),
        content_type: String::new(),
        size_bytes: 0,
        url: String::new(),
        id: Some(id.to_owned()),
        kind: None,
        duration_ms: None,
        transcript: None,
    }
}

/// What stands for an attachment-only message where text is needed (a subject, the bot's
/// input): the transcript of a voice message if there is one, else a label.
pub fn stand_in_text(files: &[Attachment]) -> String {
    if let Some(t) = files.iter().find_map(|a| a.transcript.as_deref()) {
        return t.to_owned();
    }
    match files.first().and_then(|a| a.kind) {
        Some(kefu_domain::AttachmentKind::Voice) => "[语音]".to_owned(),
        Some(kefu_domain::AttachmentKind::Image) => "[图片]".to_owned(),
        None => "[附件]".to_owned(),
    }
}

/// An attachment's address: an absolute `http` or `https` URL (no `javascript:`, `data:`,
/// `file:` … for an agent's console to open).
fn attachment_url(checks: &mut Checks, field: &str, value: &str) -> String {
    let url = checks.text(field, value, 1, 2048);
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !host.contains(char::is_whitespace)
    });
    if !url.is_empty() && !host_ok {
        checks.fail(field, "must be an http:// or https:// URL");
    }
    url
}

/// Checks an `Idempotency-Key` header value: 1–255 visible ASCII characters.
pub fn idempotency_key(value: Option<&[u8]>) -> ServiceResult<Option<String>> {
    let Some(raw) = value else { return Ok(None) };
    let ok = !raw.is_empty() && raw.len() <= 255 && raw.iter().all(|b| b.is_ascii_graphic());
    if !ok {
        return Err(ServiceError::new(
            ErrorCode::InvalidIdempotencyKey,
            "Idempotency-Key must be 1–255 visible ASCII characters.",
        ));
    }
    Ok(Some(String::from_utf8_lossy(raw).into_owned()))
}

/// Opens a ticket for the caller (a channel key, or staff opening one for a customer).
pub async fn open_ticket(
    state: &Core,
    caller: &Caller,
    req: NewTicketInput,
    raw_body: &[u8],
    idempotency: Option<String>,
) -> ServiceResult<Intake> {
    // Channel keys open tickets for their customers; staff open them on a customer's behalf.
    let key_channel = match caller {
        Caller::Channel(key) => key.channel,
        Caller::Staff(_) => None,
        // An in-app user opens tickets for themselves only.
        Caller::Customer(crate::caller::CustomerProof::AppUser { .. }) => Some(Channel::InApp),
        _ => {
            return Err(ServiceError::forbidden(
                "Tickets are opened with a channel API key or by staff.",
            ));
        }
    };
    let mut c = Checks::default();
    let channel = match (req.channel.as_deref(), key_channel) {
        (Some(s), bound) => match s.parse::<Channel>() {
            Ok(ch) if bound.is_some_and(|b| b != ch) => {
                c.fail(
                    "channel",
                    format!(
                        "this API key may only open {} tickets",
                        bound.map_or("", |b| b.as_str())
                    ),
                );
                ch
            }
            Ok(ch) => ch,
            Err(e) => {
                c.fail("channel", e.to_string());
                Channel::Api
            }
        },
        (None, Some(bound)) => bound,
        (None, None) => Channel::Api,
    };
    let external_id = c.text("customer.external_id", &req.customer.external_id, 1, 200);
    if let Caller::Customer(crate::caller::CustomerProof::AppUser {
        external_id: me, ..
    }) = caller
        && *me != external_id
    {
        c.fail(
            "customer.external_id",
            "must be the signed-in app user's id (the token's sub)",
        );
    }
    let display_name = c.opt_text("customer.name", req.customer.name.as_deref(), 100);
    let email = req
        .customer
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(|e| c.email("customer.email", e));
    let phone = c.opt_text("customer.phone", req.customer.phone.as_deref(), 32);
    if phone.as_deref().is_some_and(|p| {
        !p.chars()
            .all(|ch| ch.is_ascii_digit() || "+-() ".contains(ch))
    }) {
        c.fail(
            "customer.phone",
            "may contain only digits, spaces and + - ( )",
        );
    }
    let language = c
        .opt_text("customer.language", req.customer.language.as_deref(), 35)
        .unwrap_or_else(|| "zh-CN".to_owned());
    if !language
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
    {
        c.fail(
            "customer.language",
            "must be a language tag such as zh-CN or en",
        );
    }
    // A message may be a file alone (a voice message, a screenshot).
    let min_body = usize::from(req.attachments.is_empty());
    let body = c.text("body", &req.body, min_body, BODY_MAX_CHARS);
    let subject = match req.subject.as_deref() {
        Some(s) => c.text("subject", s, 1, SUBJECT_MAX_CHARS),
        // No subject: the start of the body stands in (whole characters, marked as cut).
        None => {
            let mut s: String = body.chars().take(60).collect();
            if body.chars().count() > 60 {
                s.push('…');
            }
            s.replace(['\n', '\r', '\t'], " ")
        }
    };
    let category = match req.category.as_deref() {
        None => CategoryCode::general(),
        Some(code) => {
            let known = state
                .catalogue
                .read()
                .map(|cat| cat.has_category(code))
                .unwrap_or(false);
            match CategoryCode::parse(code) {
                Ok(cc) if known => cc,
                _ => {
                    c.fail("category", format!("unknown category {code:?}"));
                    CategoryCode::general()
                }
            }
        }
    };
    let priority = match req.priority.as_deref().map(str::parse::<Priority>) {
        None => Priority::Normal,
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            c.fail("priority", e.to_string());
            Priority::Normal
        }
    };
    let mut attachments = attachments(&mut c, "attachments", &req.attachments);
    let context = req.context.unwrap_or_else(|| serde_json::json!({}));
    if !context.is_object() {
        c.fail("context", "must be a JSON object");
    } else if serde_json::to_vec(&context).map_or(0, |v| v.len()) > MAX_CONTEXT_BYTES {
        c.fail(
            "context",
            format!("must be at most {MAX_CONTEXT_BYTES} bytes as JSON"),
        );
    }
    c.finish()?;
    crate::attachments::resolve(
        state,
        caller,
        crate::attachments::Target::NewTicket {
            retry: idempotency.is_some(),
        },
        "attachments",
        &mut attachments,
    )
    .await?;
    let subject = if subject.is_empty() {
        stand_in_text(&attachments)
    } else {
        subject
    };

    let now = Timestamp::now();
    let scope = match caller {
        Caller::Channel(key) => format!("key:{}", key.key_id.0),
        Caller::Staff(staff) => format!("key:{}", staff.credential.0),
        Caller::Customer(crate::caller::CustomerProof::AppUser { app, external_id }) => {
            format!("app:{app}:{external_id}")
        }
        _ => String::new(),
    };
    let actor = caller.actor();
    let fingerprint = crate::credentials::hex(&Sha256::digest(raw_body));
    let category_code = category.clone();
    // The bot speaks the language the channel gave for the customer; without one it tells
    // from the message (the stored profile still defaults to zh-CN).
    let bot_language = req.customer.language.as_deref();
    // A file alone goes to a person unless its transcript gives the bot words to read.
    let bot_text = if body.is_empty() {
        attachments.iter().find_map(|a| a.transcript.clone())
    } else {
        Some(body.clone())
    };
    let bot = if let (true, Some(body)) = (super::bot::bot_first(channel), bot_text) {
        super::bot::first_turn(state, &body, bot_language, priority, now).await?
    } else {
        None
    };
    // A hand-over with priority at the first message opens the ticket at that priority.
    let bot_state = bot.as_ref().map(|(x, _)| x.state.clone());
    let (bot, priority) = match bot {
        Some((x, raise)) => (Some(x), raise.unwrap_or(priority)),
        None => (None, priority),
    };
    let minutes = state
        .catalogue
        .read()
        .map(|cat| cat.first_response_minutes(category.as_str(), priority))
        .unwrap_or(kefu_domain::sla::FIRST_RESPONSE_CEILING_MINUTES);
    let due = now
        .checked_add(SignedDuration::from_mins(i64::from(minutes)))
        .ok();
    let mut customer = CustomerProfile {
        identity: CustomerRef {
            channel,
            external_id,
        },
        display_name,
        email,
        phone,
        language,
    };
    // Only the channel a customer came from speaks for their profile: staff opening a
    // ticket on someone's behalf never rewrite an existing customer's details.
    if matches!(caller, Caller::Staff(_))
        && let Some(existing) = state
            .store
            .find_customer(&CustomerLookup::Identity(customer.identity.clone()))
            .await?
    {
        customer.display_name = None;
        customer.email = None;
        customer.phone = None;
        customer.language = existing.language;
    }
    let new = NewTicket {
        customer,
        channel,
        subject,
        body,
        attachments,
        category,
        priority,
        // Bot-first channels open in `new` with the bot's first turn in the same transaction
        // (a handoff moves them on to `queued` there); the others wait for a person at once.
        status: if bot.is_some() {
            TicketStatus::New
        } else {
            TicketStatus::Queued
        },
        context,
        first_response_due: due,
        actor,
        idempotency: idempotency.map(|key| IdempotencyKey {
            scope,
            key,
            fingerprint,
        }),
        bot,
        sla: state.catalogue.read().ok().and_then(|cat| {
            super::sla::opening(
                &state.settings.calendar,
                &cat,
                category_code.as_str(),
                priority,
                now,
            )
        }),
        at: now,
    };
    let customer_language = new.customer.language.clone();
    let files = new.attachments.clone();
    let opened = state.store.open_ticket(new).await?;
    if !opened.replayed
        && let Err(e) = crate::attachments::bind(state, caller, opened.ticket.id, &files).await
    {
        // The ticket is accepted: a file lost to a concurrent message stays where it is.
        tracing::warn!(ticket.number = %opened.ticket.number, error = %e.detail, "binding attachments at intake failed");
    }
    let code = lookup_code(&state.lookup_secret, &opened.ticket.number);
    let mut ticket = opened.ticket;
    if !opened.replayed {
        super::containment::after_first_turn(state, &ticket, bot_state.as_deref()).await;
        // Accepted already: a routing failure is logged and the ticket waits in the queue.
        match super::routing::place_for(state, &ticket, Some(&customer_language)).await {
            Ok(Some(assigned)) => ticket = assigned,
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(ticket.number = %ticket.number, error = %e.detail, "routing at intake failed")
            }
        }
    }
    Ok(Intake {
        ticket,
        lookup_code: code,
        replayed: opened.replayed,
    })
}
