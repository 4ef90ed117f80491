//! The waiting queue: tickets ordered by priority (most urgent first), then SLA deadline,
//! then age, then id — and, for an agent who frees capacity, the most urgent ticket they
//! can take.
//!
//! Tickets are kept in one ordered set per lane (domain × language × channel kind), so the
//! best ticket for an agent is the smallest head among the lanes the agent qualifies for:
//! no scan over tickets the agent could not take, however long the queue.

use crate::assign::{AgentState, AssignmentPolicy, ChannelKind, Presence, QueuedTicket};
use jiff::Timestamp;
use kefu_domain::{Priority, TicketId};
use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

/// A ticket's place in the queue; the smallest key is the most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QueueOrder {
    pub priority: Reverse<Priority>,
    pub sla_deadline: Timestamp,
    pub created_at: Timestamp,
    pub id: TicketId,
}

impl QueueOrder {
    pub fn of(t: &QueuedTicket) -> Self {
        Self {
            priority: Reverse(t.priority),
            sla_deadline: t.sla_deadline,
            created_at: t.created_at,
            id: t.id,
        }
    }
}

type Lanes = HashMap<String, HashMap<String, [BTreeSet<QueueOrder>; 2]>>;

/// Queued tickets, indexed for urgency order and for per-agent lookup.
#[derive(Debug, Clone, Default)]
pub struct TicketQueue {
    tickets: HashMap<TicketId, QueuedTicket>,
    all: BTreeSet<QueueOrder>,
    lanes: Lanes,
}

impl TicketQueue {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.tickets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty()
    }

    pub fn get(&self, id: TicketId) -> Option<&QueuedTicket> {
        self.tickets.get(&id)
    }

    /// Adds a ticket, replacing any queued ticket with the same id (e.g. raised priority).
    pub fn push(&mut self, ticket: QueuedTicket) {
        self.remove(ticket.id);
        let key = QueueOrder::of(&ticket);
        self.all.insert(key);
        self.lanes
            .entry(ticket.category.clone())
            .or_default()
            .entry(ticket.language.clone())
            .or_default()[ticket.channel.index()]
        .insert(key);
        self.tickets.insert(ticket.id, ticket);
    }

    /// Takes a ticket out of the queue (assigned, closed or withdrawn).
    pub fn remove(&mut self, id: TicketId) -> Option<QueuedTicket> {
        let ticket = self.tickets.remove(&id)?;
        let key = QueueOrder::of(&ticket);
        self.all.remove(&key);
        if let Some(by_lang) = self.lanes.get_mut(&ticket.category)
            && let Some(lanes) = by_lang.get_mut(&ticket.language)
        {
            lanes[ticket.channel.index()].remove(&key);
        }
        Some(ticket)
    }

    /// All queued tickets, most urgent first.
    pub fn iter(&self) -> impl Iterator<Item = &QueuedTicket> {
        self.all.iter().filter_map(|k| self.tickets.get(&k.id))
    }

    /// How many tickets are ahead of this one among those the same agents could take
    /// (same domain, language and channel kind); 0 means next. `None` if not queued.
    pub fn position(&self, id: TicketId) -> Option<usize> {
        let t = self.tickets.get(&id)?;
        let lane = &self.lanes.get(&t.category)?.get(&t.language)?[t.channel.index()];
        Some(lane.range(..QueueOrder::of(t)).count())
    }

    /// The most urgent ticket this agent may take now, if any.
    pub fn next_for_agent(
        &self,
        policy: &AssignmentPolicy,
        agent: &AgentState,
    ) -> Option<&QueuedTicket> {
        if !agent.on_shift || agent.presence != Presence::Online {
            return None;
        }
        let kinds: Vec<ChannelKind> = ChannelKind::ALL
            .into_iter()
            .filter(|k| agent.has_room(*k))
            .collect();
        let mut best: Option<&QueueOrder> = None;
        for skill in &agent.skills.categories {
            if policy.skill_qualifies(skill).is_err() {
                continue;
            }
            let Some(by_lang) = self.lanes.get(&skill.category) else {
                continue;
            };
            for lang in &agent.skills.languages {
                let Some(lanes) = by_lang.get(lang) else {
                    continue;
                };
                for kind in &kinds {
                    if let Some(head) = lanes[kind.index()].first()
                        && best.is_none_or(|b| head < b)
                    {
                        best = Some(head);
                    }
                }
            }
        }
        best.and_then(|k| self.tickets.get(&k.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::tests::{agent, ticket, ts};

    #[test]
    fn urgent_tickets_come_before_older_normal_ones() {
        let mut q = TicketQueue::new();
        let old = ticket(1);
        let mut urgent = ticket(2);
        urgent.priority = Priority::Urgent;
        urgent.created_at = ts(500);
        urgent.sla_deadline = ts(9000);
        q.push(old);
        q.push(urgent);
        let order: Vec<i64> = q.iter().map(|t| t.id.0).collect();
        assert_eq!(order, vec![2, 1]);
    }

    #[test]
    fn equal_priority_orders_by_deadline_then_age_then_id() {
        let mut q = TicketQueue::new();
        let mut a = ticket(1);
        a.sla_deadline = ts(2000);
        let mut b = ticket(2);
        b.sla_deadline = ts(1000);
        b.created_at = ts(10);
        let mut c = ticket(3);
        c.sla_deadline = ts(1000);
        c.created_at = ts(5);
        let mut d = ticket(4);
        d.sla_deadline = ts(1000);
        d.created_at = ts(5);
        for t in [d, a, b, c] {
            q.push(t);
        }
        let order: Vec<i64> = q.iter().map(|t| t.id.0).collect();
        assert_eq!(order, vec![3, 4, 2, 1]);
    }

    #[test]
    fn agent_gets_the_most_urgent_ticket_they_can_take() {
        let mut q = TicketQueue::new();
        let mut foreign = ticket(1);
        foreign.priority = Priority::Urgent;
        foreign.category = "advertising".into();
        let mut english = ticket(2);
        english.priority = Priority::Urgent;
        english.language = "en".into();
        let mut high = ticket(3);
        high.priority = Priority::High;
        let normal = ticket(4);
        for t in [foreign, english, high, normal] {
            q.push(t);
        }
        let p = AssignmentPolicy::default();
        assert_eq!(q.next_for_agent(&p, &agent(1)).unwrap().id, TicketId(3));
    }

    #[test]
    fn agent_with_full_chat_capacity_gets_async_work_only() {
        let mut q = TicketQueue::new();
        let mut chat = ticket(1);
        chat.priority = Priority::Urgent;
        let mut email = ticket(2);
        email.channel = ChannelKind::Async;
        q.push(chat);
        q.push(email);
        let mut a = agent(1);
        a.load.chat = a.capacity.chat;
        let p = AssignmentPolicy::default();
        assert_eq!(q.next_for_agent(&p, &a).unwrap().id, TicketId(2));
        a.load.asynchronous = a.capacity.asynchronous;
        assert!(q.next_for_agent(&p, &a).is_none());
    }

    #[test]
    fn uncertified_agent_does_not_get_certified_domains_from_the_queue() {
        let mut q = TicketQueue::new();
        q.push(ticket(1));
        let mut a = agent(1);
        a.skills.categories[0].certified = false;
        let strict = AssignmentPolicy {
            certification_required: ["account".to_owned()].into(),
            min_level: 0,
        };
        assert!(q.next_for_agent(&strict, &a).is_none());
        a.on_shift = false;
        assert!(q.next_for_agent(&AssignmentPolicy::default(), &a).is_none());
    }

    #[test]
    fn pushing_again_replaces_and_remove_cleans_every_index() {
        let mut q = TicketQueue::new();
        q.push(ticket(1));
        let mut raised = ticket(1);
        raised.priority = Priority::Urgent;
        q.push(raised);
        assert_eq!(q.len(), 1);
        assert_eq!(q.iter().count(), 1);
        assert_eq!(q.get(TicketId(1)).unwrap().priority, Priority::Urgent);
        assert!(q.remove(TicketId(1)).is_some());
        assert!(q.is_empty());
        assert!(
            q.next_for_agent(&AssignmentPolicy::default(), &agent(1))
                .is_none()
        );
    }

    #[test]
    fn position_counts_only_tickets_ahead_in_the_same_lane() {
        let mut q = TicketQueue::new();
        for i in 1..=3 {
            let mut t = ticket(i);
            t.created_at = ts(i);
            q.push(t);
        }
        let mut other = ticket(9);
        other.category = "general".into();
        q.push(other);
        assert_eq!(q.position(TicketId(1)), Some(0));
        assert_eq!(q.position(TicketId(3)), Some(2));
        assert_eq!(q.position(TicketId(9)), Some(0));
        assert_eq!(q.position(TicketId(42)), None);
    }
}
