//! Inbound: a normalized platform message → a message on a ticket of that customer, once
//! per platform message id.
//!
//! 1. The platform message id is claimed (`channel_inbound`); a repeat finds the claim and
//!    answers with the first result, writing nothing. A claim whose writer died (no ticket
//!    after [`CLAIM_STALE_AFTER`]) is taken over.
//! 2. The ticket: the one a message it answers belongs to (`replies_to`: a message kefu
//!    received, or one it delivered), else the latest of its platform thread, else the
//!    ticket number the customer quoted — each only if it is this customer's and still
//!    takes messages ([`crate::lookup::add_customer_message`]; a reply to a resolved ticket
//!    within the reopen window reopens it). Otherwise a new ticket through
//!    [`crate::intake::open_ticket`] (idempotent on `<adapter>:<message id>`).
//! 3. A public post is answered in public with a short note that moves the conversation
//!    to private messages ([`OutboundKind::PublicRedirect`]); the details never go public.
//!
//! The channel acts as a channel key bound to its kind of channel with the reserved key id
//! [`ADAPTER_KEY_ID`] (no API key has id 0): the event log shows `channel` as the actor.

use super::{ChannelAdapter, InboundMessage, OutboundKind, Visibility};
use crate::caller::{Caller, ChannelKey, CustomerProof};
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::inputs::NewTicketInput;
use crate::lookup::CustomerMessageInput;
use crate::validate::Checks;
use jiff::Timestamp;
use kefu_domain::{ApiKeyId, MessageKind, Ticket, TicketId, TicketStatus};
use kefu_store::{InboundClaim, InboundClaimed};
use std::time::Duration;

/// The key id channel adapters act under (API keys start at 1).
pub const ADAPTER_KEY_ID: ApiKeyId = ApiKeyId(0);
/// How long a claimed platform message may stay unwritten before another request takes
/// it over.
pub const CLAIM_STALE_AFTER: Duration = Duration::from_secs(60);
/// Longest platform id (message, thread) kept.
pub const EXTERNAL_ID_MAX_CHARS: usize = 200;

/// What receiving a platform message did.
#[derive(Debug, Clone)]
pub struct Received {
    pub ticket: Ticket,
    /// The customer's message, when one was written.
    pub message: Option<i64>,
    /// A new ticket was opened for it.
    pub opened: bool,
    /// The platform sent this message before: nothing was written now.
    pub duplicate: bool,
}

/// The caller an adapter acts as.
pub fn adapter_caller(adapter: &dyn ChannelAdapter) -> Caller {
    Caller::Channel(ChannelKey {
        key_id: ADAPTER_KEY_ID,
        channel: Some(adapter.channel()),
    })
}

/// Puts a platform message on the right ticket (see the module header).
pub async fn receive(
    core: &Core,
    adapter: &dyn ChannelAdapter,
    msg: InboundMessage,
) -> ServiceResult<Received> {
    let mut c = Checks::default();
    let external_id = c.text("external_id", &msg.external_id, 1, EXTERNAL_ID_MAX_CHARS);
    let thread = c.opt_text("thread", msg.thread.as_deref(), EXTERNAL_ID_MAX_CHARS);
    c.finish()?;
    let name = adapter.name().to_owned();
    let store = core.store.channels();
    let now = Timestamp::now();
    let claim = InboundClaim {
        adapter: name.clone(),
        external_id: external_id.clone(),
        thread: thread.clone(),
        visibility: msg.visibility.as_str().to_owned(),
        at: now,
        stale_after: CLAIM_STALE_AFTER,
    };
    match store.claim_inbound(claim).await? {
        InboundClaimed::New => {}
        InboundClaimed::Duplicate { ticket, message } => {
            tracing::info!(channel = %name, ticket.id = ticket.0, "duplicate platform message ignored");
            return Ok(Received {
                ticket: core.store.ticket(ticket).await?,
                message,
                opened: false,
                duplicate: true,
            });
        }
        InboundClaimed::InProgress => {
            return Err(ServiceError::new(
                ErrorCode::IdempotencyKeyInProgress,
                "This platform message is being received right now; send it again in a minute.",
            ));
        }
    }
    match write(core, adapter, &msg, &external_id, thread.as_deref()).await {
        Ok(received) => {
            store
                .finish_inbound(
                    &name,
                    &external_id,
                    received.ticket.id,
                    received.message,
                    Timestamp::now(),
                )
                .await?;
            if msg.visibility == Visibility::Public {
                redirect_to_private(core, &received.ticket, &name, &external_id).await;
            }
            Ok(received)
        }
        Err(e) => {
            if let Err(release) = store.release_inbound(&name, &external_id).await {
                tracing::warn!(channel = %name, error = %release, "releasing a platform message claim failed; it frees itself in a minute");
            }
            Err(e)
        }
    }
}

async fn write(
    core: &Core,
    adapter: &dyn ChannelAdapter,
    msg: &InboundMessage,
    external_id: &str,
    thread: Option<&str>,
) -> ServiceResult<Received> {
    let caller = adapter_caller(adapter);
    let proof = Caller::Customer(CustomerProof::Channel {
        key: ChannelKey {
            key_id: ADAPTER_KEY_ID,
            channel: Some(adapter.channel()),
        },
        external_id: msg.customer.external_id.trim().to_owned(),
    });
    // Public posts each open their own ticket (or join their own thread): a comment is not
    // a continuation of the customer's private conversation.
    if let Some(ticket) = existing_ticket(core, adapter, msg, thread).await? {
        let input = CustomerMessageInput {
            body: Some(msg.body.clone()),
            attachments: msg.attachments.clone(),
            pick: None,
        };
        match crate::lookup::add_customer_message(core, &proof, &ticket.number, input).await {
            Ok(view) => {
                let message = view
                    .messages
                    .iter()
                    .rev()
                    .find(|m| m.kind == MessageKind::Customer)
                    .map(|m| m.id.0);
                return Ok(Received {
                    ticket: view.ticket,
                    message,
                    opened: false,
                    duplicate: false,
                });
            }
            // Too old to reopen (or not theirs after all): a new ticket instead.
            Err(e) if matches!(e.code, ErrorCode::TicketClosed | ErrorCode::TicketNotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let mut context = match &msg.context {
        serde_json::Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    context.insert("channel_adapter".into(), adapter.name().into());
    context.insert("visibility".into(), msg.visibility.as_str().into());
    let input = NewTicketInput {
        customer: msg.customer.clone(),
        channel: Some(adapter.channel().as_str().to_owned()),
        subject: msg.subject.clone(),
        body: msg.body.clone(),
        category: None,
        priority: None,
        attachments: msg.attachments.clone(),
        context: Some(serde_json::Value::Object(context)),
    };
    let key = format!("{}:{external_id}", adapter.name());
    let fingerprint = format!("{key}\n{}", msg.body);
    let intake =
        crate::intake::open_ticket(core, &caller, input, fingerprint.as_bytes(), Some(key)).await?;
    // The customer's message is the ticket's first.
    let message = core
        .store
        .messages(intake.ticket.id, false)
        .await?
        .iter()
        .find(|m| m.kind == MessageKind::Customer)
        .map(|m| m.id.0);
    Ok(Received {
        ticket: intake.ticket,
        message,
        opened: !intake.replayed,
        duplicate: intake.replayed,
    })
}

/// The open ticket of this customer the message continues, if any.
async fn existing_ticket(
    core: &Core,
    adapter: &dyn ChannelAdapter,
    msg: &InboundMessage,
    thread: Option<&str>,
) -> ServiceResult<Option<Ticket>> {
    let store = core.store.channels();
    let name = adapter.name();
    let mut candidates: Vec<TicketId> = Vec::new();
    for id in msg.replies_to.iter().take(20) {
        if let Some(r) = store.inbound(name, id).await? {
            candidates.push(r.ticket);
        } else if let Some(d) = store.delivery_by_remote(name, id).await? {
            candidates.push(d.ticket);
        }
    }
    if let Some(thread) = thread
        && let Some(t) = store.thread_ticket(name, thread).await?
    {
        candidates.push(t);
    }
    let mut tickets = Vec::new();
    for id in candidates {
        tickets.push(core.store.ticket(id).await?);
    }
    if let Some(number) = msg.ticket_number
        && let Some(t) = core.store.ticket_by_number(&number).await?
    {
        tickets.push(t);
    }
    for ticket in tickets {
        if ticket.status == TicketStatus::Closed || ticket.channel != adapter.channel() {
            continue;
        }
        let customer = core.store.customer(ticket.customer_id).await?;
        if customer.identity.external_id == msg.customer.external_id.trim() {
            return Ok(Some(ticket));
        }
    }
    Ok(None)
}

/// Answers a public post in public: a short note, in the customer's language, asking them
/// to continue in a private message.
async fn redirect_to_private(core: &Core, ticket: &Ticket, adapter: &str, external_id: &str) {
    let language = match core.store.customer(ticket.customer_id).await {
        Ok(c) => c.language,
        Err(_) => String::new(),
    };
    let body =
        (crate::messages::notify::texts(&language).public_redirect)(&ticket.number.to_string());
    let out = super::outbound::NewOutbound {
        source: format!("redirect:{adapter}:{external_id}"),
        kind: OutboundKind::PublicRedirect,
        visibility: Visibility::Public,
        body,
        topics: None,
    };
    if let Err(e) = super::outbound::enqueue(core, ticket, out).await {
        tracing::warn!(ticket.number = %ticket.number, error = %e.detail, "queueing the public answer failed");
    }
}
