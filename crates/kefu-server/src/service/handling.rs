//! The agent side: list views, taking, replying, notes, status and classification changes.
//! Agents and specialists may read every ticket and take queued ones, but change only their
//! own; supervisors and admins may act on any ticket.

use super::intake::attachments;
use super::validate::Checks;
use crate::api::v1::types::MessageInput;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::Staff;
use crate::state::AppState;
use jiff::Timestamp;
use kefu_domain::ticket::BODY_MAX_CHARS;
use kefu_domain::{
    Actor, AgentId, AgentRole, CategoryCode, Message, MessageKind, Priority, Ticket, TicketNumber,
    TicketStatus,
};
use kefu_store::{Assignment, NewMessage, StatusChange, StoreError, TicketPatch};

/// The ticket by number for staff.
pub async fn ticket(state: &AppState, number: &TicketNumber) -> ApiResult<Ticket> {
    state
        .store
        .ticket_by_number(number)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::TicketNotFound, format!("No ticket {number}.")))
}

/// Fails unless the caller owns the ticket or is a supervisor or admin.
pub fn require_owner(staff: &Staff, ticket: &Ticket) -> ApiResult<()> {
    if staff.role.covers(AgentRole::Supervisor) || ticket.assignee == Some(staff.agent_id) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::NotTicketOwner,
            "Only the assigned agent or a supervisor can change this ticket; take it first.",
        ))
    }
}

fn actor(staff: &Staff) -> Actor {
    Actor::Agent { id: staff.agent_id }
}

/// Takes a ticket: queued or unowned tickets go to the caller; someone else's only for
/// supervisors.
pub async fn take(state: &AppState, staff: &Staff, number: &TicketNumber) -> ApiResult<Ticket> {
    let t = ticket(state, number).await?;
    if t.assignee.is_some_and(|a| a != staff.agent_id) {
        require_owner(staff, &t)?;
    }
    assign(
        state,
        staff,
        &t,
        staff.agent_id,
        "taken by the agent".into(),
    )
    .await
}

/// Assigns a ticket to an agent (supervisors).
pub async fn assign(
    state: &AppState,
    staff: &Staff,
    t: &Ticket,
    agent: AgentId,
    reason: String,
) -> ApiResult<Ticket> {
    let assignment = Assignment {
        ticket_id: t.id,
        agent_id: agent,
        actor: actor(staff),
        reason,
        at: Timestamp::now(),
    };
    state
        .store
        .assign_ticket(assignment)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::field("agent_id", "no such agent"),
            StoreError::Conflict(kefu_store::Conflict::Rule(r)) => ApiError::field("agent_id", r),
            other => other.into(),
        })
}

/// A reply to the customer, optionally moving the ticket (usually to pending_customer or
/// resolved). Replying to a queued ticket takes it first.
pub async fn reply(
    state: &AppState,
    staff: &Staff,
    number: &TicketNumber,
    input: MessageInput,
    status: Option<TicketStatus>,
) -> ApiResult<Message> {
    let mut t = ticket(state, number).await?;
    if t.assignee.is_none() && t.status.is_open() {
        t = take(state, staff, number).await?;
    }
    require_owner(staff, &t)?;
    let m = add(state, staff, &t, MessageKind::Agent, input, status).await?;
    let after = state.store.ticket(t.id).await?;
    super::routing::follow(state, &t, &after, super::routing::Wrote::Agent).await;
    Ok(m)
}

/// An internal note, visible to staff only. Anyone on staff may add one.
pub async fn note(
    state: &AppState,
    staff: &Staff,
    number: &TicketNumber,
    input: MessageInput,
) -> ApiResult<Message> {
    let t = ticket(state, number).await?;
    add(state, staff, &t, MessageKind::InternalNote, input, None).await
}

async fn add(
    state: &AppState,
    staff: &Staff,
    t: &Ticket,
    kind: MessageKind,
    input: MessageInput,
    status: Option<TicketStatus>,
) -> ApiResult<Message> {
    let mut c = Checks::default();
    let body = c.text("body", &input.body, 1, BODY_MAX_CHARS);
    let files = attachments(&mut c, "attachments", &input.attachments);
    c.finish()?;
    let new = NewMessage {
        ticket_id: t.id,
        kind,
        actor: actor(staff),
        author_agent: Some(staff.agent_id),
        body,
        attachments: files,
        then_status: status,
        at: Timestamp::now(),
    };
    Ok(state.store.add_message(new).await?)
}

/// Moves a ticket through the status machine.
pub async fn change_status(
    state: &AppState,
    staff: &Staff,
    number: &TicketNumber,
    to: TicketStatus,
    reason: Option<String>,
) -> ApiResult<Ticket> {
    let t = ticket(state, number).await?;
    require_owner(staff, &t)?;
    let change = StatusChange {
        ticket_id: t.id,
        to,
        actor: actor(staff),
        reason,
        at: Timestamp::now(),
    };
    let after = state.store.change_status(change).await?;
    super::routing::follow(state, &t, &after, super::routing::Wrote::Nobody).await;
    Ok(after)
}

/// Re-classifies a ticket.
pub async fn update(
    state: &AppState,
    staff: &Staff,
    number: &TicketNumber,
    category: Option<CategoryCode>,
    priority: Option<Priority>,
) -> ApiResult<Ticket> {
    let t = ticket(state, number).await?;
    require_owner(staff, &t)?;
    let patch = TicketPatch {
        ticket_id: t.id,
        category,
        priority,
        actor: actor(staff),
        at: Timestamp::now(),
    };
    Ok(state.store.update_ticket(patch).await?)
}
