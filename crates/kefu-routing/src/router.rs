//! The routing engine as one state machine: agents (indexed by domain and language), the
//! waiting queue, and who holds which ticket. The server and the simulator both drive it:
//! a new ticket is placed or queued; an agent who frees capacity, comes online or comes on
//! shift pulls the most urgent ticket they can take; an agent who goes away, offline or off
//! shift hands their chat tickets back to the queue with a note (asynchronous ones stay owned).

use crate::assign::{AgentState, AssignmentPolicy, ChannelKind, Choice, Presence, QueuedTicket};
use crate::presence::hands_back_chats;
use crate::queue::TicketQueue;
use jiff::Timestamp;
use kefu_domain::{AgentId, TicketId};
use std::collections::HashMap;

/// Why the router refused an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouterError {
    #[error("agent {0} is not known to the router")]
    UnknownAgent(AgentId),
    #[error("ticket {0} is not assigned to anyone")]
    NotAssigned(TicketId),
    #[error("ticket {0} is already queued or assigned")]
    DuplicateTicket(TicketId),
}

/// Where a submitted ticket went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Assigned(Choice),
    /// Waiting; `position` tickets are ahead of it in its lane.
    Queued {
        position: usize,
    },
}

/// A ticket handed to an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub ticket_id: TicketId,
    pub choice: Choice,
}

/// A chat ticket returned to the queue because its agent left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requeued {
    pub ticket_id: TicketId,
    pub from: AgentId,
    /// The handover note for the ticket's event log.
    pub note: String,
    pub placement: Placement,
}

/// What changed after an agent's state changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub assigned: Vec<Assignment>,
    pub requeued: Vec<Requeued>,
}

#[derive(Debug, Clone)]
struct Held {
    agent: AgentId,
    ticket: QueuedTicket,
}

/// Agents, queue and assignments; all decisions go through [`AssignmentPolicy`].
#[derive(Debug, Clone, Default)]
pub struct Router {
    policy: AssignmentPolicy,
    agents: Vec<AgentState>,
    by_id: HashMap<AgentId, usize>,
    /// category → language → agent positions.
    by_skill: HashMap<String, HashMap<String, Vec<usize>>>,
    queue: TicketQueue,
    held: HashMap<TicketId, Held>,
}

impl Router {
    pub fn new(policy: AssignmentPolicy) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    pub fn policy(&self) -> &AssignmentPolicy {
        &self.policy
    }

    pub fn queue(&self) -> &TicketQueue {
        &self.queue
    }

    pub fn agents(&self) -> &[AgentState] {
        &self.agents
    }

    pub fn agent(&self, id: AgentId) -> Option<&AgentState> {
        self.by_id.get(&id).map(|&i| &self.agents[i])
    }

    /// Who holds a ticket, if anyone.
    pub fn holder(&self, ticket: TicketId) -> Option<AgentId> {
        self.held.get(&ticket).map(|h| h.agent)
    }

    /// Adds or replaces an agent (its load is kept as given). Does not pull work; call
    /// [`Self::fill`] afterwards.
    pub fn upsert_agent(&mut self, agent: AgentState) {
        if let Some(&i) = self.by_id.get(&agent.id) {
            let reindex = self.agents[i].skills != agent.skills;
            self.agents[i] = agent;
            if reindex {
                self.reindex();
            }
        } else {
            let i = self.agents.len();
            self.by_id.insert(agent.id, i);
            self.index_one(i, &agent);
            self.agents.push(agent);
        }
    }

    fn index_one(&mut self, i: usize, agent: &AgentState) {
        for c in &agent.skills.categories {
            let by_lang = self.by_skill.entry(c.category.clone()).or_default();
            for l in &agent.skills.languages {
                by_lang.entry(l.clone()).or_default().push(i);
            }
        }
    }

    fn reindex(&mut self) {
        self.by_skill.clear();
        let agents = std::mem::take(&mut self.agents);
        for (i, a) in agents.iter().enumerate() {
            self.index_one(i, a);
        }
        self.agents = agents;
    }

    /// The best eligible agent for a ticket, looking only at agents with its domain and
    /// language.
    pub fn choose(&self, ticket: &QueuedTicket, now: Timestamp) -> Option<Choice> {
        let candidates = self
            .by_skill
            .get(&ticket.category)
            .and_then(|m| m.get(&ticket.language))?;
        self.policy
            .choose_among(ticket, candidates.iter().map(|&i| &self.agents[i]), now)
    }

    /// Assigns a new ticket at once when someone is eligible, otherwise queues it.
    pub fn submit(
        &mut self,
        ticket: QueuedTicket,
        now: Timestamp,
    ) -> Result<Placement, RouterError> {
        if self.held.contains_key(&ticket.id) || self.queue.get(ticket.id).is_some() {
            return Err(RouterError::DuplicateTicket(ticket.id));
        }
        Ok(self.place(ticket, now))
    }

    fn place(&mut self, ticket: QueuedTicket, now: Timestamp) -> Placement {
        match self.choose(&ticket, now) {
            Some(choice) => {
                self.hold(choice.agent_id, ticket, now);
                Placement::Assigned(choice)
            }
            None => {
                let id = ticket.id;
                self.queue.push(ticket);
                Placement::Queued {
                    position: self.queue.position(id).unwrap_or(0),
                }
            }
        }
    }

    fn hold(&mut self, agent: AgentId, ticket: QueuedTicket, now: Timestamp) {
        if let Some(&i) = self.by_id.get(&agent) {
            let a = &mut self.agents[i];
            let load = a.load.get_mut(ticket.channel);
            *load = load.saturating_add(1);
            a.last_assigned_at = Some(now);
        }
        self.held.insert(ticket.id, Held { agent, ticket });
    }

    /// Gives the agent queued tickets until they are full or nothing fits.
    pub fn fill(&mut self, agent: AgentId, now: Timestamp) -> Result<Vec<Assignment>, RouterError> {
        let i = *self
            .by_id
            .get(&agent)
            .ok_or(RouterError::UnknownAgent(agent))?;
        let mut out = Vec::new();
        loop {
            let state = &self.agents[i];
            let Some(next) = self.queue.next_for_agent(&self.policy, state) else {
                break;
            };
            let reason = format!(
                "most urgent queued ticket this agent can take ({} {}, {}/{} {})",
                next.priority,
                next.category,
                state.load.get(next.channel),
                state.capacity.get(next.channel),
                next.channel.as_str(),
            );
            let id = next.id;
            let Some(ticket) = self.queue.remove(id) else {
                break;
            };
            self.hold(agent, ticket, now);
            out.push(Assignment {
                ticket_id: id,
                choice: Choice {
                    agent_id: agent,
                    reason,
                },
            });
        }
        Ok(out)
    }

    /// The ticket no longer needs its agent (resolved, or waiting on the customer): frees
    /// the capacity and lets the agent pull the next ticket.
    pub fn release(
        &mut self,
        ticket: TicketId,
        now: Timestamp,
    ) -> Result<Vec<Assignment>, RouterError> {
        let held = self
            .held
            .remove(&ticket)
            .ok_or(RouterError::NotAssigned(ticket))?;
        let i = *self
            .by_id
            .get(&held.agent)
            .ok_or(RouterError::UnknownAgent(held.agent))?;
        let load = self.agents[i].load.get_mut(held.ticket.channel);
        *load = load.saturating_sub(1);
        self.fill(held.agent, now)
    }

    /// Withdraws a ticket from the queue (closed before anyone took it).
    pub fn withdraw(&mut self, ticket: TicketId) -> Option<QueuedTicket> {
        self.queue.remove(ticket)
    }

    /// Changes presence: leaving ([`hands_back_chats`]: away or offline) hands chat tickets
    /// back; coming online pulls work.
    pub fn set_presence(
        &mut self,
        agent: AgentId,
        presence: Presence,
        now: Timestamp,
    ) -> Result<Changes, RouterError> {
        let i = *self
            .by_id
            .get(&agent)
            .ok_or(RouterError::UnknownAgent(agent))?;
        self.agents[i].presence = presence;
        let why = format!("went {presence}");
        self.after_change(agent, i, hands_back_chats(presence), &why, now)
    }

    /// Changes the roster flag: going off shift hands chat tickets back; coming on pulls work.
    pub fn set_on_shift(
        &mut self,
        agent: AgentId,
        on_shift: bool,
        now: Timestamp,
    ) -> Result<Changes, RouterError> {
        let i = *self
            .by_id
            .get(&agent)
            .ok_or(RouterError::UnknownAgent(agent))?;
        if self.agents[i].on_shift == on_shift {
            return Ok(Changes::default());
        }
        self.agents[i].on_shift = on_shift;
        self.after_change(agent, i, !on_shift, "went off shift", now)
    }

    fn after_change(
        &mut self,
        agent: AgentId,
        i: usize,
        leaving: bool,
        why: &str,
        now: Timestamp,
    ) -> Result<Changes, RouterError> {
        let mut changes = Changes::default();
        if leaving {
            let mut chats: Vec<TicketId> = self
                .held
                .iter()
                .filter(|(_, h)| h.agent == agent && h.ticket.channel == ChannelKind::Chat)
                .map(|(id, _)| *id)
                .collect();
            chats.sort();
            for id in chats {
                let Some(held) = self.held.remove(&id) else {
                    continue;
                };
                let load = self.agents[i].load.get_mut(ChannelKind::Chat);
                *load = load.saturating_sub(1);
                let placement = self.place(held.ticket, now);
                changes.requeued.push(Requeued {
                    ticket_id: id,
                    from: agent,
                    note: format!("agent {agent} {why}; chat returned to the queue"),
                    placement,
                });
            }
        } else {
            changes.assigned = self.fill(agent, now)?;
        }
        Ok(changes)
    }

    /// Moves a held ticket to another agent (a supervisor's or agent's decision, so the
    /// target need only be known; capacity is counted but not enforced).
    pub fn transfer(
        &mut self,
        ticket: TicketId,
        to: AgentId,
        now: Timestamp,
    ) -> Result<Vec<Assignment>, RouterError> {
        if !self.by_id.contains_key(&to) {
            return Err(RouterError::UnknownAgent(to));
        }
        let held = self
            .held
            .get(&ticket)
            .ok_or(RouterError::NotAssigned(ticket))?
            .clone();
        let freed = self.release(ticket, now)?;
        self.hold(to, held.ticket, now);
        Ok(freed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::tests::{agent, ticket, ts};

    fn router(n: i64) -> Router {
        let mut r = Router::new(AssignmentPolicy::default());
        for id in 1..=n {
            r.upsert_agent(agent(id));
        }
        r
    }

    #[test]
    fn ticket_is_queued_when_nobody_is_eligible_and_pulled_when_capacity_frees() {
        let mut r = router(1);
        for id in 1..=5 {
            assert!(matches!(
                r.submit(ticket(id), ts(id)).unwrap(),
                Placement::Assigned(_)
            ));
        }
        assert_eq!(
            r.submit(ticket(6), ts(6)).unwrap(),
            Placement::Queued { position: 0 }
        );
        let pulled = r.release(TicketId(1), ts(100)).unwrap();
        assert_eq!(pulled.len(), 1);
        assert_eq!(pulled[0].ticket_id, TicketId(6));
        assert!(r.queue().is_empty());
        assert_eq!(r.agent(AgentId(1)).unwrap().load.chat, 5);
    }

    #[test]
    fn equal_agents_share_the_work_evenly() {
        let mut r = router(4);
        for id in 1..=20 {
            r.submit(ticket(id), ts(id)).unwrap();
        }
        for a in r.agents() {
            assert_eq!(a.load.chat, 5, "{a:?}");
        }
        // Releasing and refilling over time keeps everyone busy; nobody is starved.
        let mut served: HashMap<AgentId, usize> = HashMap::new();
        for step in 0..400 {
            let next = 21 + step;
            let done = TicketId(next - 20);
            let holder = r.holder(done).unwrap();
            *served.entry(holder).or_default() += 1;
            r.release(done, ts(1000 + step)).unwrap();
            r.submit(ticket(next), ts(1000 + step)).unwrap();
        }
        let counts: Vec<usize> = served.values().copied().collect();
        assert_eq!(counts.len(), 4);
        assert!(
            counts.iter().max().unwrap() - counts.iter().min().unwrap() <= 1,
            "{counts:?}"
        );
    }

    #[test]
    fn agent_going_offline_hands_chats_back_but_keeps_async_work() {
        let mut r = router(2);
        r.set_presence(AgentId(2), Presence::Away, ts(0)).unwrap();
        r.submit(ticket(1), ts(1)).unwrap();
        let mut email = ticket(2);
        email.channel = ChannelKind::Async;
        r.submit(email, ts(2)).unwrap();
        assert_eq!(r.holder(TicketId(1)), Some(AgentId(1)));
        let changes = r
            .set_presence(AgentId(1), Presence::Offline, ts(3))
            .unwrap();
        assert_eq!(changes.requeued.len(), 1);
        assert_eq!(changes.requeued[0].ticket_id, TicketId(1));
        assert!(changes.requeued[0].note.contains("went offline"));
        assert_eq!(
            changes.requeued[0].placement,
            Placement::Queued { position: 0 }
        );
        assert_eq!(r.holder(TicketId(2)), Some(AgentId(1)));
        // The other agent comes back and takes the returned chat.
        let back = r.set_presence(AgentId(2), Presence::Online, ts(4)).unwrap();
        assert_eq!(back.assigned[0].ticket_id, TicketId(1));
        assert_eq!(r.holder(TicketId(1)), Some(AgentId(2)));
    }

    #[test]
    fn agent_going_away_hands_chats_back_like_going_offline() {
        let mut r = router(1);
        r.submit(ticket(1), ts(1)).unwrap();
        let changes = r.set_presence(AgentId(1), Presence::Away, ts(2)).unwrap();
        assert_eq!(changes.requeued.len(), 1);
        assert!(changes.requeued[0].note.contains("went away"));
        assert_eq!(r.holder(TicketId(1)), None);
    }

    #[test]
    fn going_off_shift_requeues_chats_to_someone_still_on_shift() {
        let mut r = router(2);
        r.submit(ticket(1), ts(1)).unwrap();
        let first = r.holder(TicketId(1)).unwrap();
        let changes = r.set_on_shift(first, false, ts(2)).unwrap();
        assert!(matches!(
            changes.requeued[0].placement,
            Placement::Assigned(_)
        ));
        assert_ne!(r.holder(TicketId(1)), Some(first));
    }

    #[test]
    fn transfer_moves_the_load_between_agents() {
        let mut r = router(2);
        r.submit(ticket(1), ts(1)).unwrap();
        let from = r.holder(TicketId(1)).unwrap();
        let to = if from == AgentId(1) {
            AgentId(2)
        } else {
            AgentId(1)
        };
        r.transfer(TicketId(1), to, ts(2)).unwrap();
        assert_eq!(r.holder(TicketId(1)), Some(to));
        assert_eq!(r.agent(from).unwrap().load.chat, 0);
        assert_eq!(r.agent(to).unwrap().load.chat, 1);
        assert_eq!(
            r.transfer(TicketId(1), AgentId(9), ts(3)),
            Err(RouterError::UnknownAgent(AgentId(9)))
        );
    }

    #[test]
    fn duplicate_submission_is_refused() {
        let mut r = router(1);
        r.submit(ticket(1), ts(1)).unwrap();
        assert_eq!(
            r.submit(ticket(1), ts(2)),
            Err(RouterError::DuplicateTicket(TicketId(1)))
        );
    }
}
