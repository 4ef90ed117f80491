//! The counts behind the supervisor's live dashboard, read in one step: what waits in the
//! queues, what arrived in a window, how much of it the bot kept, and the tickets nearest
//! to an SLA breach.

use jiff::Timestamp;
use kefu_domain::{CategoryCode, Priority, Ticket};

/// How many unowned tickets wait in one lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingCount {
    pub category: CategoryCode,
    pub priority: Priority,
    /// Escalated to a specialist team (else in the frontline queue).
    pub escalated: bool,
    pub count: u64,
}

/// An open ticket with its earliest pending SLA breach: a breach timer, or the
/// first-response deadline while no one has answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaDue {
    pub ticket: Ticket,
    pub due_at: Timestamp,
}

/// What [`crate::Store::dashboard_counts`] reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardCounts {
    /// Unowned queued and escalated tickets by lane.
    pub waiting: Vec<WaitingCount>,
    /// Tickets opened in the window, per whole hour since its start: `(hour, count)`.
    pub arrivals: Vec<(u32, u64)>,
    /// Tickets opened in the window that the bot spoke in.
    pub bot_conversations: u64,
    /// Of those, how many the bot resolved itself (contained).
    pub bot_contained: u64,
    /// Open tickets with a pending breach, soonest first.
    pub nearest_breach: Vec<SlaDue>,
}

/// What [`crate::Store::live_counts`] reads for the Prometheus gauges: cheap aggregates of
/// the state right now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveCounts {
    /// Unowned queued and escalated tickets by lane (as on the dashboard).
    pub waiting: Vec<WaitingCount>,
    /// When the oldest of those was opened; `None` when nothing waits.
    pub oldest_waiting_since: Option<Timestamp>,
    /// Agents with a presence row, by presence (an agent without one is offline).
    pub presence: Vec<(kefu_domain::AgentPresence, u64)>,
}
