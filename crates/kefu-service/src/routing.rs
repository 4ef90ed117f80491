//! Routing: who gets a queued ticket. kefu-routing's engine decides over the store's view of
//! online agents; the store applies the decision in one transaction with the agent's row
//! locked, re-checking presence and capacity, so two nodes never over-assign one agent.
//! Called from intake, from status changes that free capacity, and on presence changes.

use crate::core::{Catalogue, Core};
use crate::error::ServiceResult;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{AgentId, AgentPresence, AgentRole, Ticket, TicketStatus};
use kefu_routing::queue_eta::{QueueSnapshot, estimate_wait, minutes_rounded_up};
use kefu_routing::{
    AgentSkills, AgentState, AssignmentPolicy, ChannelKind, PerKind, Presence, QueuedTicket, Router,
};
use kefu_store::{RoutedAssignment, RoutingAgent};

/// Asynchronous tickets an agent may hold at once (agents carry only a chat capacity yet).
pub const DEFAULT_ASYNC_CAPACITY: u16 = 20;
/// Recent average handle time used for wait estimates until handle times are measured.
pub const DEFAULT_AHT_SECONDS: f64 = 600.0;
/// How many of the most urgent queued tickets an agent coming free is matched against.
const QUEUE_WINDOW: u32 = 500;
/// Retries when another node changed the picture between decision and assignment.
const ATTEMPTS: usize = 4;

/// The deployment's policy: domains whose category `requires_certification` go only to
/// agents certified in them.
pub fn policy(catalogue: &Catalogue) -> AssignmentPolicy {
    AssignmentPolicy {
        certification_required: catalogue
            .categories
            .iter()
            .filter(|c| c.requires_certification)
            .map(|c| c.code.as_str().to_owned())
            .collect(),
        min_level: 1,
    }
}

/// `zh-CN` → `zh`: routing matches languages by their primary subtag.
fn language(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or(tag)
        .to_ascii_lowercase()
}

fn presence(p: AgentPresence) -> Presence {
    match p {
        AgentPresence::Online => Presence::Online,
        AgentPresence::Away => Presence::Away,
        AgentPresence::Offline => Presence::Offline,
    }
}

/// The engine's view of an agent at `now`: on shift by their roster (always, without one);
/// agents without language skills speak Chinese.
pub fn agent_state(r: &RoutingAgent, now: Timestamp) -> AgentState {
    let mut skills = AgentSkills::from_domain(&r.agent.skills);
    skills.languages = skills.languages.iter().map(|l| language(l)).collect();
    if skills.languages.is_empty() {
        skills.languages.push("zh".into());
    }
    let clamp = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
    AgentState {
        id: r.agent.id,
        skills,
        capacity: PerKind {
            chat: r.agent.chat_capacity,
            asynchronous: DEFAULT_ASYNC_CAPACITY,
        },
        load: PerKind {
            chat: clamp(r.load_chat),
            asynchronous: clamp(r.load_async),
        },
        presence: presence(r.presence),
        on_shift: super::roster::on_shift(r.roster.as_ref(), now),
        last_assigned_at: r.last_assigned_at,
    }
}

fn queued(t: &Ticket, customer_language: &str) -> QueuedTicket {
    let deadline = t.first_response_due.unwrap_or_else(|| {
        t.created_at
            .checked_add(SignedDuration::from_hours(24))
            .unwrap_or(t.created_at)
    });
    QueuedTicket {
        id: t.id,
        priority: t.priority,
        category: t.category.as_str().to_owned(),
        language: language(customer_language),
        channel: ChannelKind::from(t.channel),
        created_at: t.created_at,
        sla_deadline: deadline,
    }
}

/// Whether a ticket waits for routing: queued for anyone, or escalated to a team and not
/// yet taken by one of its members.
fn waiting(t: &Ticket) -> bool {
    t.assignee.is_none()
        && (t.status == TicketStatus::Queued
            || (t.status == TicketStatus::Escalated && t.team.is_some()))
}

/// Gives a waiting ticket to the best eligible online agent, if any — for an escalated
/// ticket, a member of its team; `None` leaves it waiting. The event log's `assigned`
/// reason is the engine's explanation. A queued ticket left waiting for a skill no active
/// agent has is flagged to supervisors ([`crate::starving`]).
pub async fn place(state: &Core, ticket: &Ticket) -> ServiceResult<Option<Ticket>> {
    place_for(state, ticket, None).await
}

/// [`place`] when the customer's language is known already (intake), saving a read.
pub async fn place_for(
    state: &Core,
    ticket: &Ticket,
    language: Option<&str>,
) -> ServiceResult<Option<Ticket>> {
    let placed = place_now(state, ticket).await?;
    if placed.is_none() && ticket.status == TicketStatus::Queued && ticket.assignee.is_none() {
        crate::starving::check(state, ticket, language).await;
    }
    Ok(placed)
}

async fn place_now(state: &Core, ticket: &Ticket) -> ServiceResult<Option<Ticket>> {
    if !waiting(ticket) {
        return Ok(None);
    }
    let team = (ticket.status == TicketStatus::Escalated)
        .then_some(ticket.team)
        .flatten();
    let now = std::time::Instant::now();
    if state
        .nobody_online_until
        .lock()
        .ok()
        .and_then(|u| *u)
        .is_some_and(|u| now < u)
    {
        return Ok(None);
    }
    let policy = policy(&state.catalogue());
    let mut wanted = None;
    for _ in 0..ATTEMPTS {
        let mut agents = state.store.routing_agents(None).await?;
        if let Some(team) = team {
            agents.retain(|a| a.agent.team_id == Some(team));
            if agents.is_empty() {
                return Ok(None);
            }
        } else {
            // Specialists work their team's escalations, not the frontline queue.
            agents.retain(|a| a.agent.role != AgentRole::Specialist);
        }
        if agents.is_empty() {
            // Agents coming online pull the queue themselves (`fill`), so a ticket placed
            // during this second is not stranded.
            if let Ok(mut until) = state.nobody_online_until.lock() {
                *until = Some(now + std::time::Duration::from_secs(1));
            }
            return Ok(None);
        }
        // The customer's language matters only once someone could take the ticket.
        let wanted = match &wanted {
            Some(w) => w,
            None => {
                let customer = state.store.customer(ticket.customer_id).await?;
                wanted.insert(queued(ticket, &customer.language))
            }
        };
        let now = Timestamp::now();
        let states: Vec<AgentState> = agents.iter().map(|a| agent_state(a, now)).collect();
        let Some(choice) = policy.choose(wanted, &states, now) else {
            return Ok(None);
        };
        let capacity = states
            .iter()
            .find(|s| s.id == choice.agent_id)
            .map_or(0, |s| s.capacity.get(wanted.channel));
        let assignment = RoutedAssignment {
            ticket_id: ticket.id,
            agent_id: choice.agent_id,
            chat: wanted.channel == ChannelKind::Chat,
            capacity: u32::from(capacity),
            reason: choice.reason,
            at: now,
        };
        if let Some(t) = state.store.assign_if_room(assignment).await? {
            tracing::debug!(ticket.number = %t.number, agent.id = %choice.agent_id, "ticket routed");
            return Ok(Some(t));
        }
        // Someone else took the ticket or the agent's last slot: look again.
        let fresh = state.store.ticket(ticket.id).await?;
        if !waiting(&fresh) {
            return Ok(None);
        }
    }
    Ok(None)
}

/// Gives an online agent the most urgent waiting tickets they can take, until they are
/// full: their team's escalations first, then the general queue.
pub async fn fill(state: &Core, agent: AgentId) -> ServiceResult<Vec<Ticket>> {
    let mut given = Vec::new();
    let Some(me) = state.store.routing_agents(Some(agent)).await?.pop() else {
        return Ok(given);
    };
    if let Some(team) = me.agent.team_id {
        given.extend(fill_from(state, agent, Some(team)).await?);
    }
    if me.agent.role != AgentRole::Specialist {
        given.extend(fill_from(state, agent, None).await?);
    }
    Ok(given)
}

/// [`fill`] from one queue: a team's escalations, or the general queue.
async fn fill_from(
    state: &Core,
    agent: AgentId,
    team: Option<kefu_domain::TeamId>,
) -> ServiceResult<Vec<Ticket>> {
    let policy = policy(&state.catalogue());
    let mut given = Vec::new();
    for _ in 0..ATTEMPTS {
        let Some(me) = state.store.routing_agents(Some(agent)).await?.pop() else {
            break;
        };
        if me.presence != AgentPresence::Online {
            break;
        }
        let queue = match team {
            Some(team) => state.store.team_queue(team, QUEUE_WINDOW).await?,
            None => state.store.queued_tickets(QUEUE_WINDOW).await?,
        };
        if queue.is_empty() {
            break;
        }
        // The engine's own queue and fill: the agent joins offline (so submitting queues
        // every ticket), then comes online and pulls in urgency order.
        let now = Timestamp::now();
        let online = agent_state(&me, now);
        if !online.on_shift {
            break;
        }
        let mut router = Router::new(policy.clone());
        let mut offline = online.clone();
        offline.presence = Presence::Offline;
        router.upsert_agent(offline);
        for entry in &queue {
            let _ = router.submit(queued(&entry.ticket, &entry.language), now);
        }
        router.upsert_agent(online.clone());
        let Ok(picks) = router.fill(agent, now) else {
            break;
        };
        if picks.is_empty() {
            break;
        }
        let mut missed = false;
        for pick in picks {
            let Some(entry) = queue.iter().find(|e| e.ticket.id == pick.ticket_id) else {
                continue;
            };
            let kind = ChannelKind::from(entry.ticket.channel);
            let assignment = RoutedAssignment {
                ticket_id: pick.ticket_id,
                agent_id: agent,
                chat: kind == ChannelKind::Chat,
                capacity: u32::from(online.capacity.get(kind)),
                reason: pick.choice.reason,
                at: now,
            };
            match state.store.assign_if_room(assignment).await? {
                Some(t) => given.push(t),
                None => missed = true,
            }
        }
        if !missed {
            break;
        }
    }
    Ok(given)
}

/// After a change that may free capacity or requeue a ticket: the ticket looks for an
/// agent, the agent who held it pulls the next one. Failures are logged, never returned:
/// the change itself has been made.
pub async fn settle(state: &Core, ticket: &Ticket, freed: Option<AgentId>) {
    if let Err(e) = place(state, ticket).await {
        tracing::warn!(ticket.number = %ticket.number, error = %e.detail, "routing a queued ticket failed");
    }
    if let Some(agent) = freed
        && let Err(e) = fill(state, agent).await
    {
        tracing::warn!(agent.id = %agent, error = %e.detail, "filling an agent's capacity failed");
    }
}

/// A queued ticket's place in its lane and the estimated wait in whole minutes (from the
/// agents online for its domain, their free slots and [`DEFAULT_AHT_SECONDS`]).
pub async fn queue_eta(state: &Core, ticket: &Ticket) -> ServiceResult<(Option<u64>, Option<i64>)> {
    let Some(position) = state.store.queue_position(ticket.id).await? else {
        return Ok((None, None));
    };
    let customer = state.store.customer(ticket.customer_id).await?;
    let wanted = queued(ticket, &customer.language);
    let policy = policy(&state.catalogue());
    let (mut servers, mut free) = (0u32, 0u32);
    let now = Timestamp::now();
    for r in state.store.routing_agents(None).await? {
        let a = agent_state(&r, now);
        let skilled = a.on_shift
            && a.skills
                .category(&wanted.category)
                .is_some_and(|s| policy.skill_qualifies(s).is_ok())
            && a.skills.speaks(&wanted.language);
        if skilled {
            let (cap, load) = (a.capacity.get(wanted.channel), a.load.get(wanted.channel));
            servers = servers.saturating_add(u32::from(cap));
            free = free.saturating_add(u32::from(cap.saturating_sub(load)));
        }
    }
    let wait = estimate_wait(QueueSnapshot {
        ahead: usize::try_from(position).unwrap_or(usize::MAX),
        servers,
        free_servers: free,
        aht_seconds: DEFAULT_AHT_SECONDS,
    });
    Ok((Some(position), wait.map(minutes_rounded_up)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_match_by_primary_subtag() {
        assert_eq!(language("zh-CN"), "zh");
        assert_eq!(language("EN_us"), "en");
        assert_eq!(language("zh"), "zh");
    }
}

/// Who wrote, when a message came with the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrote {
    Nobody,
    Agent,
    Customer,
}

/// SLA clocks and routing follow a change to a ticket: replies stop or start response
/// clocks, waiting on the customer pauses them, resolving stops them; a ticket back in
/// the queue looks for an agent and an agent who let go of one pulls the next.
pub async fn follow(state: &Core, before: &Ticket, after: &Ticket, wrote: Wrote) {
    use super::sla::{SlaEvent, record};
    use TicketStatus::{Closed, PendingCustomer, Queued, Resolved};
    let now = after.updated_at;
    match wrote {
        Wrote::Agent => record(state, after, SlaEvent::AgentReplied, now).await,
        Wrote::Customer if !before.status.is_open() => {
            record(state, after, SlaEvent::Reopened, now).await;
        }
        Wrote::Customer => record(state, after, SlaEvent::CustomerReplied, now).await,
        Wrote::Nobody => {}
    }
    if before.status == after.status {
        return;
    }
    let event = match after.status {
        PendingCustomer => Some(SlaEvent::WaitingOnCustomer),
        Resolved | Closed if before.status.is_open() => Some(SlaEvent::Resolved),
        _ if before.status == PendingCustomer && wrote == Wrote::Nobody => {
            Some(SlaEvent::StoppedWaiting)
        }
        _ => None,
    };
    if let Some(event) = event {
        record(state, after, event, now).await;
    }
    if matches!(
        after.status,
        Resolved | Closed | Queued | TicketStatus::Escalated
    ) {
        let freed = before.assignee.filter(|a| after.assignee != Some(*a));
        settle(state, after, freed).await;
    }
}

/// What a presence change did: tickets given to the agent, chats handed back to the queue.
pub struct PresenceOutcome {
    pub assigned: Vec<Ticket>,
    pub requeued: Vec<Ticket>,
}

/// The caller sets their own presence. Going away or offline hands their live chats back
/// (kefu-routing's [`kefu_routing::hands_back_chats`], the rule the simulator's router
/// follows too), with a note in the staff language; coming online pulls queued work.
pub async fn set_presence(
    core: &Core,
    caller: &crate::Caller,
    presence: AgentPresence,
) -> ServiceResult<PresenceOutcome> {
    let staff = caller.staff()?;
    let hand_back_note = if kefu_routing::hands_back_chats(presence) {
        let name = core.store.agent(staff.agent_id).await?.display_name;
        let messages = core.settings.staff_messages();
        Some((messages.chat_handed_back_on_presence)(&name, presence))
    } else {
        None
    };
    let ids = core
        .store
        .set_presence(kefu_store::PresenceChange {
            agent_id: staff.agent_id,
            presence,
            hand_back_note,
            actor: caller.actor(),
            at: Timestamp::now(),
        })
        .await?;
    if let Ok(mut until) = core.nobody_online_until.lock() {
        *until = None;
    }
    let mut requeued = Vec::with_capacity(ids.len());
    for id in ids {
        let t = core.store.ticket(id).await?;
        settle(core, &t, None).await;
        requeued.push(t);
    }
    let assigned = if presence == AgentPresence::Online {
        fill(core, staff.agent_id).await?
    } else {
        vec![]
    };
    Ok(PresenceOutcome { assigned, requeued })
}
