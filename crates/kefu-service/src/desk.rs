//! The agent's desk (the console's home): who the caller is with their presence, the open
//! tickets they hold, and the queue they may take from — their team's unowned tickets, or,
//! for frontline agents, the shared queue no team holds — each with the SLA deadline that
//! runs now. Reads only; the moves are the handling and escalation use-cases.

use crate::caller::Caller;
use crate::core::Core;
use crate::error::ServiceResult;
use jiff::Timestamp;
use kefu_domain::{Agent, AgentPresence, AgentRole, Ticket, TicketStatus};
use kefu_store::{TicketFilter, TicketSort};

/// Most tickets each list of the desk shows.
pub const DESK_LIMIT: u32 = 100;

/// Which SLA target a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaClock {
    FirstResponse,
    Resolution,
}

/// A ticket on the desk with the deadline its running SLA clock counts to.
#[derive(Debug, Clone)]
pub struct DeskTicket {
    pub ticket: Ticket,
    pub due: Option<(SlaClock, Timestamp)>,
}

/// The caller's desk.
#[derive(Debug, Clone)]
pub struct Desk {
    pub agent: Agent,
    pub presence: AgentPresence,
    /// Open tickets assigned to the caller, most urgent first.
    pub mine: Vec<DeskTicket>,
    /// Unowned open tickets the caller may take, most urgent first.
    pub queue: Vec<DeskTicket>,
}

/// The deadline a ticket's SLA clock runs to now: the first response until a person
/// answered, then the resolution target; none once resolved or while it waits on the
/// customer.
pub fn deadline(core: &Core, t: &Ticket) -> Option<(SlaClock, Timestamp)> {
    if !t.status.is_open() || t.status.waits_on_customer() {
        return None;
    }
    if t.first_response_at.is_none() {
        let due = t
            .first_response_due
            .or_else(|| crate::sla::first_response_due(&core.catalogue(), t))?;
        return Some((SlaClock::FirstResponse, due));
    }
    crate::sla::expected_resolution(&core.catalogue(), t).map(|d| (SlaClock::Resolution, d))
}

fn on_desk(core: &Core, tickets: Vec<Ticket>) -> Vec<DeskTicket> {
    tickets
        .into_iter()
        .map(|ticket| DeskTicket {
            due: deadline(core, &ticket),
            ticket,
        })
        .collect()
}

/// The caller's account and presence.
pub async fn me(core: &Core, caller: &Caller) -> ServiceResult<(Agent, AgentPresence)> {
    let staff = caller.staff()?;
    let agent = core.store.agent(staff.agent_id).await?;
    let presence = core.store.agent_presence(staff.agent_id).await?;
    Ok((agent, presence))
}

/// The caller's desk: their open tickets and the queue they may take from.
pub async fn desk(core: &Core, caller: &Caller) -> ServiceResult<Desk> {
    let staff = caller.staff()?;
    let (agent, presence) = me(core, caller).await?;
    let open = vec![
        TicketStatus::New,
        TicketStatus::Queued,
        TicketStatus::Assigned,
        TicketStatus::PendingCustomer,
        TicketStatus::Escalated,
    ];
    let mine = core
        .store
        .list_tickets(&TicketFilter {
            statuses: open.clone(),
            assignee: Some(staff.agent_id),
            sort: TicketSort::Urgent,
            limit: DESK_LIMIT,
            ..TicketFilter::default()
        })
        .await?;
    let queue = core
        .store
        .list_tickets(&TicketFilter {
            statuses: open,
            team: staff.team.filter(|_| staff.role == AgentRole::Specialist),
            sort: TicketSort::Urgent,
            // Unowned ones are filtered below: the store's filter has no "unassigned".
            limit: DESK_LIMIT.saturating_mul(2),
            ..TicketFilter::default()
        })
        .await?
        .into_iter()
        .filter(|t| t.assignee.is_none() && may_take(&staff, t))
        .take(usize::try_from(DESK_LIMIT).unwrap_or(usize::MAX))
        .collect();
    Ok(Desk {
        agent,
        presence,
        mine: on_desk(core, mine),
        queue: on_desk(core, queue),
    })
}

/// Whether an unowned ticket belongs in the caller's queue: their team's (specialists:
/// escalated to the team), or for frontline agents any the team filter let through.
fn may_take(staff: &crate::Staff, t: &Ticket) -> bool {
    match staff.role {
        AgentRole::Specialist => t.team.is_some() && t.team == staff.team,
        _ => staff.may_follow(t),
    }
}
