//! What an SLA breach does to its ticket (the breach policy): the priority goes up one
//! step so the queue puts it first, and a ticket whose owner is not present (by the same
//! rule as [`crate::presence`]) goes back to the queue, because nobody will answer it
//! where it is. The note for the team lead is always written; its words are the service's.

use crate::presence::is_present;
use kefu_domain::{AgentPresence, Priority};

/// The decided actions for one breached ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreachActions {
    /// The new priority; `None` when it is already `urgent`.
    pub raise_to: Option<Priority>,
    /// Return the ticket to the queue (its owner is not present).
    pub requeue: bool,
}

/// The actions for a breach on a ticket at `priority`; `owner` is the presence of the
/// agent holding it (`None` when nobody does: queued, escalated to a team).
pub fn breach_actions(priority: Priority, owner: Option<AgentPresence>) -> BreachActions {
    let raised = priority.raised();
    BreachActions {
        raise_to: (raised != priority).then_some(raised),
        requeue: owner.is_some_and(|p| !is_present(p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breach_raises_priority_one_step() {
        assert_eq!(
            breach_actions(Priority::Low, None).raise_to,
            Some(Priority::Normal)
        );
        assert_eq!(
            breach_actions(Priority::Normal, None).raise_to,
            Some(Priority::High)
        );
        assert_eq!(
            breach_actions(Priority::High, None).raise_to,
            Some(Priority::Urgent)
        );
    }

    #[test]
    fn urgent_ticket_stays_urgent() {
        assert_eq!(breach_actions(Priority::Urgent, None).raise_to, None);
    }

    #[test]
    fn owner_away_or_offline_requeues_the_ticket() {
        for p in [AgentPresence::Away, AgentPresence::Offline] {
            assert!(breach_actions(Priority::Normal, Some(p)).requeue, "{p}");
        }
    }

    #[test]
    fn online_owner_keeps_the_ticket() {
        assert!(!breach_actions(Priority::Normal, Some(AgentPresence::Online)).requeue);
    }

    #[test]
    fn unowned_ticket_is_not_requeued() {
        assert!(!breach_actions(Priority::Normal, None).requeue);
    }
}
