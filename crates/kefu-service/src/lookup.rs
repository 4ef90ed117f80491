//! The customer side: find a ticket by number with proof that it is theirs, read progress,
//! add a message (which may reopen a resolved ticket).

use super::intake::attachments;
use super::validate::Checks;
use crate::caller::{Caller, ChannelKey, CustomerProof};
use crate::core::Core;
use crate::credentials::{constant_time_eq, lookup_code, normalize_lookup_code};
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::inputs::AttachmentInput;
use jiff::Timestamp;
use kefu_domain::ticket::BODY_MAX_CHARS;
use kefu_domain::{
    Actor, Customer, CustomerRef, Message, MessageKind, Ticket, TicketId, TicketNumber,
    TicketStatus,
};
use kefu_store::{CustomerLookup, NewMessage, TicketCursor, TicketFilter, TicketSort};

/// Parses a typed ticket number; a typo is a clear 400, never "not found".
pub fn parse_number(input: &str) -> ServiceResult<TicketNumber> {
    input.parse::<TicketNumber>().map_err(|e| {
        ServiceError::new(
            ErrorCode::InvalidTicketNumber,
            format!("{input:?} is not a valid ticket number: {e}."),
        )
    })
}

/// The ticket, if it exists and the caller proves it is theirs (a lookup code, or a key
/// bound to the ticket's channel naming the customer). Every failure looks the same to the
/// caller; the reason goes to the log only.
pub async fn find_own_ticket(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
) -> ServiceResult<Ticket> {
    let Caller::Customer(proof) = caller else {
        return Err(ServiceError::new(
            ErrorCode::Unauthenticated,
            "Send the lookup code, or the channel's key with the customer's id.",
        ));
    };
    let Some(ticket) = core.store.ticket_by_number(number).await? else {
        tracing::info!(ticket.number = %number, reason = "no such ticket", "customer lookup refused");
        return Err(ServiceError::ticket_not_found());
    };
    let ok = match proof {
        CustomerProof::LookupCode(code) => constant_time_eq(
            &normalize_lookup_code(code),
            &lookup_code(&core.lookup_secret, number),
        ),
        CustomerProof::Channel { key, external_id } => {
            let customer = core.store.customer(ticket.customer_id).await?;
            channel_vouches_for(key, &customer, external_id)
                && customer.identity.channel == ticket.channel
        }
        CustomerProof::Verified(identity) => {
            core.store.customer(ticket.customer_id).await?.identity == *identity
        }
    };
    if ok {
        Ok(ticket)
    } else {
        tracing::info!(ticket.number = %number, reason = "wrong proof", "customer lookup refused");
        Err(ServiceError::ticket_not_found())
    }
}

/// A key vouches only for customers of the channel it is bound to; an unbound key vouches
/// for nobody.
fn channel_vouches_for(key: &ChannelKey, customer: &Customer, external_id: &str) -> bool {
    key.channel == Some(customer.identity.channel) && customer.identity.external_id == external_id
}

/// A ticket as its customer sees it now: public messages, and where it stands.
#[derive(Debug, Clone)]
pub struct CustomerTicket {
    pub ticket: Ticket,
    /// Public messages, oldest first (internal notes never appear).
    pub messages: Vec<Message>,
    /// While queued: tickets ahead of this one (0 = next).
    pub queue_position: Option<u64>,
    /// While queued: the estimated wait in whole minutes (absent when nobody is on duty).
    pub estimated_wait_minutes: Option<i64>,
    /// While with a specialist team or a person: when it should be resolved by.
    pub expected_resolution_by: Option<Timestamp>,
    /// The customer's language (a BCP 47 tag): the one their progress line is shown in.
    pub language: String,
}

/// Reads the caller's ticket with its progress.
pub async fn customer_ticket(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
) -> ServiceResult<CustomerTicket> {
    let ticket = find_own_ticket(core, caller, number).await?;
    progress(core, ticket).await
}

/// Most messages a ticket view carries: the newest ones; earlier ones page in through
/// [`customer_messages`].
pub const VIEW_MESSAGES: u32 = 100;

/// Most messages on one page.
pub const MAX_MESSAGE_PAGE: u32 = 200;

/// The customer's view of a ticket they proved is theirs.
pub async fn progress(core: &Core, ticket: Ticket) -> ServiceResult<CustomerTicket> {
    let messages = core
        .store
        .messages_page(ticket.id, false, None, VIEW_MESSAGES)
        .await?;
    let mut messages = messages;
    crate::attachments::sign_links(core, &mut messages);
    crate::survey::sign_invites(core, &mut messages);
    let language = core.store.customer(ticket.customer_id).await?.language;
    let mut view = CustomerTicket {
        messages,
        language,
        queue_position: None,
        estimated_wait_minutes: None,
        expected_resolution_by: None,
        ticket,
    };
    match view.ticket.status {
        TicketStatus::Queued => {
            (view.queue_position, view.estimated_wait_minutes) =
                crate::routing::queue_eta(core, &view.ticket).await?;
        }
        TicketStatus::Escalated | TicketStatus::Assigned | TicketStatus::PendingCustomer
            if view.ticket.team.is_some() =>
        {
            view.expected_resolution_by =
                crate::sla::expected_resolution(&core.catalogue(), &view.ticket);
        }
        _ => {}
    }
    Ok(view)
}

/// A page of the public messages of the caller's ticket, oldest first: those after message
/// id `after` (from the start when absent).
pub async fn customer_messages(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
    after: Option<i64>,
    limit: u32,
) -> ServiceResult<Vec<Message>> {
    if !(1..=MAX_MESSAGE_PAGE).contains(&limit) {
        return Err(ServiceError::field(
            "limit",
            format!("must be from 1 to {MAX_MESSAGE_PAGE}"),
        ));
    }
    let ticket = find_own_ticket(core, caller, number).await?;
    let mut page = core
        .store
        .messages_page(ticket.id, false, Some(after.unwrap_or(0)), limit)
        .await?;
    crate::attachments::sign_links(core, &mut page);
    crate::survey::sign_invites(core, &mut page);
    Ok(page)
}

/// Most tickets on one page of a customer's list.
pub const MAX_PAGE: u32 = 100;

/// A page of a customer's own tickets.
#[derive(Debug, Clone)]
pub struct OwnTickets {
    /// Newest first.
    pub tickets: Vec<Ticket>,
    /// The customer's language (a BCP 47 tag; zh-CN for a customer kefu has not met yet).
    pub language: String,
}

/// The tickets of the customer a channel key speaks for, newest first: a customer who lost
/// a number finds it again. Needs a key bound to a channel and the customer's id there.
pub async fn list_own_tickets(
    core: &Core,
    caller: &Caller,
    limit: u32,
    before: Option<TicketId>,
) -> ServiceResult<OwnTickets> {
    let (channel, external_id) = match caller {
        Caller::Customer(CustomerProof::Channel { key, external_id }) => match key.channel {
            Some(channel) => (channel, external_id),
            None => {
                return Err(ServiceError::forbidden(
                    "This API key is not bound to a channel, so it cannot act for customers.",
                ));
            }
        },
        // An app user's token or a web visitor's cookie: the identity kefu vouched for.
        Caller::Customer(CustomerProof::Verified(who)) => (who.channel, &who.external_id),
        _ => {
            return Err(ServiceError::new(
                ErrorCode::Unauthenticated,
                "Listing a customer's tickets needs the channel's key and the customer's id, or an app-user token or visitor cookie.",
            ));
        }
    };
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ServiceError::field(
            "limit",
            format!("must be from 1 to {MAX_PAGE}"),
        ));
    }
    let lookup = CustomerLookup::Identity(CustomerRef {
        channel,
        external_id: external_id.clone(),
    });
    let Some(customer) = core.store.find_customer(&lookup).await? else {
        return Ok(OwnTickets {
            tickets: vec![],
            language: crate::messages::Messages::for_language("").tag.to_owned(),
        });
    };
    let filter = TicketFilter {
        customer: Some(customer.id),
        sort: TicketSort::Newest,
        after: before.map(|id| TicketCursor { priority: 0, id }),
        limit,
        ..TicketFilter::default()
    };
    Ok(OwnTickets {
        tickets: core.store.list_tickets(&filter).await?,
        language: customer.language,
    })
}

/// What a customer sends: a message (`body`, with attachments), or a pick of a suggestion
/// the bot offered (`pick`, the entry id; `body` may carry the question as the button
/// showed it).
#[derive(Debug, Clone, Default)]
pub struct CustomerMessageInput {
    pub body: Option<String>,
    pub attachments: Vec<AttachmentInput>,
    pub pick: Option<String>,
}

/// Longest entry id a pick may name (an article slug).
pub const PICK_MAX_CHARS: usize = 200;

/// Adds the customer's message. A reply while we wait on them hands the ticket back to its
/// agent; a reply to a resolved ticket within the reopen window reopens it. A pick of an
/// offered suggestion goes to the bot ([`crate::bot::pick_turn`]) while it handles the
/// ticket; after that only a pick that also carries its question (`body`) is taken, as
/// that text.
pub async fn add_customer_message(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
    input: CustomerMessageInput,
) -> ServiceResult<CustomerTicket> {
    let mut c = Checks::default();
    // A message may be a file alone (a voice message, a screenshot).
    let min_body = usize::from(input.attachments.is_empty());
    let body = match (&input.body, &input.pick) {
        (Some(b), _) => Some(c.text("body", b, min_body, BODY_MAX_CHARS)),
        (None, Some(_)) => None,
        (None, None) if !input.attachments.is_empty() => Some(String::new()),
        (None, None) => {
            c.fail(
                "body",
                "is required (or pick an offered suggestion with pick)",
            );
            None
        }
    };
    let pick = input
        .pick
        .as_deref()
        .map(|p| c.text("pick", p, 1, PICK_MAX_CHARS));
    if pick.is_some() && !input.attachments.is_empty() {
        c.fail("attachments", "cannot come with a pick");
    }
    let mut files = attachments(&mut c, "attachments", &input.attachments);
    c.finish()?;
    let ticket = find_own_ticket(core, caller, number).await?;
    crate::attachments::resolve(
        core,
        caller,
        crate::attachments::Target::Ticket(ticket.id),
        "attachments",
        &mut files,
    )
    .await?;
    crate::attachments::bind(core, caller, ticket.id, &files).await?;
    match (pick, body) {
        (Some(id), body) if ticket.status == TicketStatus::New => {
            super::bot::pick_turn(core, &ticket, &id, body).await?;
        }
        (Some(_), None) => {
            return Err(ServiceError::new(
                ErrorCode::BotNotHandling,
                "A person is handling this ticket now; write your question instead of picking a suggestion.",
            ));
        }
        (_, Some(body)) => {
            write_customer_message(core, &ticket, body, files).await?;
        }
        (None, None) => return Err(ServiceError::field("body", "is required")),
    }
    progress(core, core.store.ticket(ticket.id).await?).await
}

/// Writes a checked customer message on a ticket whose ownership is proven.
async fn write_customer_message(
    state: &Core,
    ticket: &Ticket,
    body: String,
    files: Vec<kefu_domain::Attachment>,
) -> ServiceResult<Message> {
    let now = Timestamp::now();
    let owner_status = if ticket.assignee.is_some() {
        TicketStatus::Assigned
    } else {
        TicketStatus::Queued
    };
    let then_status = match ticket.status {
        TicketStatus::PendingCustomer => Some(owner_status),
        TicketStatus::Resolved => {
            let window = jiff::SignedDuration::try_from(state.settings.reopen_window)
                .unwrap_or(jiff::SignedDuration::MAX);
            let resolved = ticket.resolved_at.unwrap_or(ticket.updated_at);
            if now.duration_since(resolved) <= window {
                Some(owner_status)
            } else {
                return Err(ServiceError::new(
                    ErrorCode::TicketClosed,
                    "This ticket was resolved too long ago to reopen; please open a new one.",
                ));
            }
        }
        TicketStatus::Closed => {
            return Err(ServiceError::new(
                ErrorCode::TicketClosed,
                "This ticket is closed; please open a new one.",
            ));
        }
        // The bot is still handling it: the bot answers (and may hand over).
        TicketStatus::New => {
            // A file alone: its transcript, or a label the bot will not understand (it hands over).
            let body = if body.is_empty() {
                super::intake::stand_in_text(&files)
            } else {
                body
            };
            let written = super::bot::customer_turn(state, ticket, body, files).await?;
            return written
                .into_iter()
                .next()
                .ok_or_else(|| ServiceError::internal("the bot exchange stored no message"));
        }
        _ => None,
    };
    let message = state
        .store
        .add_message(NewMessage {
            ticket_id: ticket.id,
            kind: MessageKind::Customer,
            actor: Actor::Customer,
            author_agent: None,
            body,
            attachments: files,
            then_status,
            at: now,
        })
        .await?;
    let after = state.store.ticket(ticket.id).await?;
    super::routing::follow(state, ticket, &after, super::routing::Wrote::Customer).await;
    Ok(message)
}
