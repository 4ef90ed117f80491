//! Escalation, send-back and transfer: every hop of a ticket between people, each one
//! step in the store with its event.

use super::handling::{require_owner, ticket};
use super::routing;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::Staff;
use crate::state::AppState;
use jiff::Timestamp;
use kefu_domain::{Actor, AgentId, AgentRole, Team, Ticket, TicketNumber};
use kefu_store::{Conflict, Escalation, SendBack, StoreError, Transfer, TransferTarget};

/// Longest reason or findings text, in characters.
pub const REASON_MAX_CHARS: usize = 2000;

fn text(field: &str, value: &str) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::field(field, "must not be empty"));
    }
    if v.chars().count() > REASON_MAX_CHARS {
        return Err(ApiError::field(
            field,
            format!("must have at most {REASON_MAX_CHARS} characters"),
        ));
    }
    Ok(v.to_owned())
}

async fn team(state: &AppState, code: &str) -> ApiResult<Team> {
    state
        .store
        .list_teams()
        .await?
        .into_iter()
        .find(|t| t.code == code)
        .ok_or_else(|| ApiError::field("team_code", format!("no team {code:?}")))
}

fn conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(Conflict::Rule(r)) if r.contains("escalated") => {
            ApiError::new(ErrorCode::NotEscalated, r)
        }
        StoreError::Conflict(Conflict::Rule(r)) => ApiError::field("agent_id", r),
        other => other.into(),
    }
}

/// Sends a ticket up to a specialist team (its owner or a supervisor).
pub async fn escalate(
    state: &AppState,
    staff: &Staff,
    number: &TicketNumber,
    team_code: &str,
    reason: &str,
) -> ApiResult<Ticket> {
    let reason = text("reason", reason)?;
    let t = ticket(state, number).await?;
    let team = team(state, team_code).await?;
    if !team.specialist {
        return Err(ApiError::field(
            "team_code",
            format!("{team_code:?} is not a specialist team"),
        ));
    }
    if t.assignee.is_some() {
        require_owner(staff, &t)?;
    }
    let up = state
        .store
        .escalate_ticket(Escalation {
            ticket_id: t.id,
            team_id: team.id,
            reason,
            actor: Actor::Agent { id: staff.agent_id },
            at: Timestamp::now(),
        })
        .await
        .map_err(conflict)?;
    if let Some(owner) = t.assignee {
        routing::settle(state, &up, Some(owner)).await;
    }
    Ok(up)
}

/// A specialist sends the ticket back with findings: to its frontline owner, or the queue.
/// Allowed to members of the ticket's team, its assignee, and supervisors.
pub async fn send_back(
    state: &AppState,
    staff: &Staff,
    number: &TicketNumber,
    findings: &str,
) -> ApiResult<Ticket> {
    let findings = text("findings", findings)?;
    let t = ticket(state, number).await?;
    let me = state.store.agent(staff.agent_id).await?;
    let on_team = t.team.is_some() && me.team_id == t.team;
    if !(staff.role.covers(AgentRole::Supervisor) || t.assignee == Some(staff.agent_id) || on_team)
    {
        return Err(ApiError::new(
            ErrorCode::NotTicketOwner,
            "Only the specialist team holding the ticket, its assignee or a supervisor can send it back.",
        ));
    }
    let back = state
        .store
        .send_back(SendBack {
            ticket_id: t.id,
            findings,
            author: staff.agent_id,
            actor: Actor::Agent { id: staff.agent_id },
            at: Timestamp::now(),
        })
        .await
        .map_err(conflict)?;
    routing::settle(
        state,
        &back,
        t.assignee.filter(|a| back.assignee != Some(*a)),
    )
    .await;
    Ok(back)
}

/// Where a transfer goes, as the caller named it.
pub enum TransferTo<'a> {
    Agent(AgentId),
    Team(&'a str),
}

/// Moves a ticket to another agent, or back to the queue for a team (its owner or a
/// supervisor).
pub async fn transfer(
    state: &AppState,
    staff: &Staff,
    number: &TicketNumber,
    to: TransferTo<'_>,
    reason: &str,
) -> ApiResult<Ticket> {
    let reason = text("reason", reason)?;
    let t = ticket(state, number).await?;
    if t.assignee.is_some() {
        require_owner(staff, &t)?;
    }
    let to = match to {
        TransferTo::Agent(id) => TransferTarget::Agent(id),
        TransferTo::Team(code) => TransferTarget::Team(team(state, code).await?.id),
    };
    let moved = state
        .store
        .transfer_ticket(Transfer {
            ticket_id: t.id,
            to,
            reason,
            actor: Actor::Agent { id: staff.agent_id },
            at: Timestamp::now(),
        })
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::field("agent_id", "no such agent"),
            other => conflict(other),
        })?;
    routing::settle(
        state,
        &moved,
        t.assignee.filter(|a| moved.assignee != Some(*a)),
    )
    .await;
    Ok(moved)
}
