//! The customer side: find a ticket by number with proof that it is theirs, read progress,
//! add a message (which may reopen a resolved ticket).

use super::intake::attachments;
use super::validate::Checks;
use crate::api::v1::types::MessageInput;
use crate::auth::{Principal, constant_time_eq, lookup_code, normalize_lookup_code};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;
use jiff::Timestamp;
use kefu_domain::ticket::BODY_MAX_CHARS;
use kefu_domain::{Actor, Message, MessageKind, Ticket, TicketNumber, TicketStatus};
use kefu_store::NewMessage;

/// What the customer offers as proof that a ticket is theirs.
pub enum Proof<'a> {
    /// The lookup code returned at intake.
    Code(&'a str),
    /// A channel key vouching for one of its customers (by the channel's id for them).
    Channel {
        principal: &'a Principal,
        external_id: &'a str,
    },
}

/// Parses a typed ticket number; a typo is a clear 400, never "not found".
pub fn parse_number(input: &str) -> ApiResult<TicketNumber> {
    input.parse::<TicketNumber>().map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidTicketNumber,
            format!("{input:?} is not a valid ticket number: {e}."),
        )
    })
}

/// The ticket, if it exists and the proof holds. Every failure looks the same to the caller.
pub async fn find_own_ticket(
    state: &AppState,
    number: &TicketNumber,
    proof: Proof<'_>,
) -> ApiResult<Ticket> {
    let Some(ticket) = state.store.ticket_by_number(number).await? else {
        tracing::info!(ticket.number = %number, reason = "no such ticket", "customer lookup refused");
        return Err(ApiError::ticket_not_found());
    };
    let ok = match proof {
        Proof::Code(code) => constant_time_eq(
            &normalize_lookup_code(code),
            &lookup_code(&state.lookup_secret, number),
        ),
        Proof::Channel {
            principal: Principal::Channel { channel, .. },
            external_id,
        } => {
            // A key bound to a channel vouches only for that channel's customers.
            let customer = state.store.customer(ticket.customer_id).await?;
            channel.is_none_or(|ch| ch == customer.identity.channel)
                && customer.identity.channel == ticket.channel
                && customer.identity.external_id == external_id
        }
        Proof::Channel {
            principal: Principal::Staff { .. },
            ..
        } => false,
    };
    if ok {
        Ok(ticket)
    } else {
        tracing::info!(ticket.number = %number, reason = "wrong proof", "customer lookup refused");
        Err(ApiError::ticket_not_found())
    }
}

/// The messages a customer may see.
pub async fn public_messages(state: &AppState, ticket: &Ticket) -> ApiResult<Vec<Message>> {
    Ok(state.store.messages(ticket.id, false).await?)
}

/// Adds the customer's message. A reply while we wait on them hands the ticket back to its
/// agent; a reply to a resolved ticket within the reopen window reopens it.
pub async fn add_customer_message(
    state: &AppState,
    ticket: &Ticket,
    input: MessageInput,
) -> ApiResult<Message> {
    let mut c = Checks::default();
    let body = c.text("body", &input.body, 1, BODY_MAX_CHARS);
    let files = attachments(&mut c, "attachments", &input.attachments);
    c.finish()?;
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
                return Err(ApiError::new(
                    ErrorCode::TicketClosed,
                    "This ticket was resolved too long ago to reopen; please open a new one.",
                ));
            }
        }
        TicketStatus::Closed => {
            return Err(ApiError::new(
                ErrorCode::TicketClosed,
                "This ticket is closed; please open a new one.",
            ));
        }
        // The bot is still handling it: the bot answers (and may hand over).
        TicketStatus::New => {
            let written = super::bot::customer_turn(state, ticket, body, files).await?;
            return written
                .into_iter()
                .next()
                .ok_or_else(|| ApiError::internal("the bot exchange stored no message"));
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
