//! Escalation, send-back and transfer: every hop of a ticket between people, each one step
//! in the store with its event. All three follow the one ownership rule
//! ([`crate::Staff::may_change`]); a send-back is also open to the holding team's members.

use super::handling::by_number;
use super::routing;
use crate::caller::{Caller, Staff};
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use jiff::Timestamp;
use kefu_domain::{AgentId, Team, Ticket, TicketNumber};
use kefu_store::{Escalation, SendBack, StoreError, Transfer, TransferTarget};

/// Longest reason or findings text, in characters.
pub const REASON_MAX_CHARS: usize = 2000;

/// A required reason: trimmed, 1–[`REASON_MAX_CHARS`] characters, no control characters.
pub fn reason_text(field: &str, value: &str) -> ServiceResult<String> {
    let mut c = super::validate::Checks::default();
    let v = c.text(field, value, 1, REASON_MAX_CHARS);
    c.finish()?;
    Ok(v)
}

async fn team(core: &Core, code: &str) -> ServiceResult<Team> {
    core.store
        .list_teams()
        .await?
        .into_iter()
        .find(|t| t.code == code)
        .ok_or_else(|| ServiceError::field("team_code", format!("no team {code:?}")))
}

/// Sends a ticket up to a specialist team, where it goes to an on-shift, online, skilled
/// member with room, or waits in that team's queue.
pub async fn escalate(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
    team_code: &str,
    reason: &str,
) -> ServiceResult<Ticket> {
    let staff = caller.staff()?;
    let reason = reason_text("reason", reason)?;
    let team = team(core, team_code).await?;
    if !team.specialist {
        return Err(ServiceError::field(
            "team_code",
            format!("{team_code:?} is not a specialist team"),
        ));
    }
    let t = by_number(core, number).await?;
    staff.require_owner(&t)?;
    let up = core
        .store
        .escalate_ticket(Escalation {
            ticket_id: t.id,
            team_id: team.id,
            reason,
            actor: caller.actor(),
            at: Timestamp::now(),
        })
        .await?;
    routing::settle(core, &up, t.assignee).await;
    Ok(core.store.ticket(up.id).await.unwrap_or(up))
}

/// Whether `staff` may send `t` back: members of the team holding it, its assignee and
/// supervisors.
pub fn may_send_back(staff: &Staff, t: &Ticket) -> bool {
    staff.may_change(t) || (t.team.is_some() && staff.team == t.team)
}

/// A specialist sends the ticket back with findings: to its frontline owner, or the queue.
/// Allowed to members of the ticket's team, its assignee, and supervisors.
pub async fn send_back(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
    findings: &str,
) -> ServiceResult<Ticket> {
    let staff = caller.staff()?;
    let findings = reason_text("findings", findings)?;
    let t = by_number(core, number).await?;
    if !may_send_back(&staff, &t) {
        return Err(ServiceError::new(
            ErrorCode::NotTicketOwner,
            "Only the specialist team holding the ticket, its assignee or a supervisor can send it back.",
        ));
    }
    let back = core
        .store
        .send_back(SendBack {
            ticket_id: t.id,
            findings,
            reason: core.settings.staff_messages().sent_back_reason.to_owned(),
            author: staff.agent_id,
            actor: caller.actor(),
            at: Timestamp::now(),
        })
        .await?;
    routing::settle(
        core,
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

/// Moves a ticket to another agent, or back to the queue for a team.
pub async fn transfer(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
    to: TransferTo<'_>,
    reason: &str,
) -> ServiceResult<Ticket> {
    let staff = caller.staff()?;
    let reason = reason_text("reason", reason)?;
    let t = by_number(core, number).await?;
    staff.require_owner(&t)?;
    let to = match to {
        TransferTo::Agent(id) => TransferTarget::Agent(id),
        TransferTo::Team(code) => TransferTarget::Team(team(core, code).await?.id),
    };
    let moved = core
        .store
        .transfer_ticket(Transfer {
            ticket_id: t.id,
            to,
            reason,
            actor: caller.actor(),
            at: Timestamp::now(),
        })
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ServiceError::field("agent_id", "no such agent"),
            other => other.into(),
        })?;
    routing::settle(
        core,
        &moved,
        t.assignee.filter(|a| moved.assignee != Some(*a)),
    )
    .await;
    Ok(moved)
}
