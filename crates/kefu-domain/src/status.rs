//! The ticket status machine: which status may follow which.
//!
//! ```text
//! new (bot) ──► queued ──► assigned ──► pending_customer
//!    │            ▲  │        │  ▲            │
//!    │            │  ▼        ▼  │            ▼
//!    └──────────► escalated ◄──┘ └──────── resolved ──► closed
//! resolved ──► queued / assigned   (reopen within the window)
//! ```

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Just opened; the bot is handling it.
    New,
    /// Waiting for an agent.
    Queued,
    /// Owned by an agent.
    Assigned,
    /// Waiting for the customer's answer (SLA clocks pause).
    PendingCustomer,
    /// With a specialist team.
    Escalated,
    /// Solved; the customer may still reply to reopen it.
    Resolved,
    /// Final.
    Closed,
}

/// A status change the machine does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a ticket cannot go from {from} to {to}")]
pub struct IllegalTransition {
    pub from: TicketStatus,
    pub to: TicketStatus,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 7] = [
        Self::New,
        Self::Queued,
        Self::Assigned,
        Self::PendingCustomer,
        Self::Escalated,
        Self::Resolved,
        Self::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Queued => "queued",
            Self::Assigned => "assigned",
            Self::PendingCustomer => "pending_customer",
            Self::Escalated => "escalated",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    /// The statuses that may follow this one.
    pub fn successors(self) -> &'static [TicketStatus] {
        use TicketStatus::*;
        match self {
            New => &[Queued, Assigned, Escalated, Resolved],
            Queued => &[Assigned, Escalated, Resolved],
            Assigned => &[Queued, PendingCustomer, Escalated, Resolved],
            PendingCustomer => &[Queued, Assigned, Escalated, Resolved],
            Escalated => &[Queued, Assigned, PendingCustomer, Resolved],
            Resolved => &[Queued, Assigned, Closed],
            Closed => &[],
        }
    }

    pub fn can_become(self, to: TicketStatus) -> bool {
        self.successors().contains(&to)
    }

    /// Checks a transition; staying in the same status is not a transition.
    pub fn transition(self, to: TicketStatus) -> Result<TicketStatus, IllegalTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// Open tickets still need work from someone.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Resolved | Self::Closed)
    }

    /// Whether the customer is the one who must act next (SLA clocks pause).
    pub fn waits_on_customer(self) -> bool {
        matches!(self, Self::PendingCustomer)
    }
}

impl fmt::Display for TicketStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not a known status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown ticket status {0:?}")]
pub struct StatusParseError(pub String);

impl FromStr for TicketStatus {
    type Err = StatusParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| StatusParseError(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::TicketStatus::*;
    use super::*;

    /// The allowed transitions, written out once more by hand so a change to the table
    /// above has to be made twice on purpose.
    const ALLOWED: &[(TicketStatus, TicketStatus)] = &[
        (New, Queued),
        (New, Assigned),
        (New, Escalated),
        (New, Resolved),
        (Queued, Assigned),
        (Queued, Escalated),
        (Queued, Resolved),
        (Assigned, Queued),
        (Assigned, PendingCustomer),
        (Assigned, Escalated),
        (Assigned, Resolved),
        (PendingCustomer, Queued),
        (PendingCustomer, Assigned),
        (PendingCustomer, Escalated),
        (PendingCustomer, Resolved),
        (Escalated, Queued),
        (Escalated, Assigned),
        (Escalated, PendingCustomer),
        (Escalated, Resolved),
        (Resolved, Queued),
        (Resolved, Assigned),
        (Resolved, Closed),
    ];

    #[test]
    fn every_illegal_transition_is_rejected_with_a_typed_error() {
        let mut illegal = 0;
        for from in TicketStatus::ALL {
            for to in TicketStatus::ALL {
                let expected_ok = ALLOWED.contains(&(from, to));
                match from.transition(to) {
                    Ok(got) => {
                        assert!(expected_ok, "{from} -> {to} should be illegal");
                        assert_eq!(got, to);
                    }
                    Err(e) => {
                        assert!(!expected_ok, "{from} -> {to} should be allowed");
                        assert_eq!(e, IllegalTransition { from, to });
                        illegal += 1;
                    }
                }
            }
        }
        assert_eq!(illegal, 49 - ALLOWED.len());
    }

    #[test]
    fn closed_ticket_cannot_change_at_all() {
        for to in TicketStatus::ALL {
            assert!(Closed.transition(to).is_err());
        }
    }

    #[test]
    fn staying_in_place_is_not_a_transition() {
        for s in TicketStatus::ALL {
            assert!(s.transition(s).is_err());
        }
    }

    #[test]
    fn resolved_ticket_can_be_reopened() {
        assert_eq!(Resolved.transition(Queued), Ok(Queued));
        assert!(!Resolved.is_open());
        assert!(Queued.is_open());
    }

    #[test]
    fn status_round_trips_through_text_and_json() {
        for s in TicketStatus::ALL {
            assert_eq!(s.as_str().parse::<TicketStatus>(), Ok(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
    }
}
