//! What the routing, escalation and SLA-timer steps take and give back.

use jiff::Timestamp;
use kefu_domain::{Actor, Agent, AgentId, AgentPresence, Priority, TeamId, Ticket, TicketId};

/// An agent's presence changes.
#[derive(Debug, Clone)]
pub struct PresenceChange {
    pub agent_id: AgentId,
    pub presence: AgentPresence,
    /// `Some(note)`: the caller's rule says the agent is leaving, so their live chats go
    /// back to the queue with this note (asynchronous tickets stay owned).
    pub hand_back_note: Option<String>,
    pub actor: Actor,
    pub at: Timestamp,
}

/// An active agent as routing sees them: presence, when last given a ticket, and how many
/// open tickets they hold per channel kind (chat / asynchronous).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingAgent {
    pub agent: Agent,
    pub presence: AgentPresence,
    pub last_assigned_at: Option<Timestamp>,
    pub load_chat: u32,
    pub load_async: u32,
    /// Their roster, if they have one (without one they are always on shift).
    pub roster: Option<AgentRoster>,
}

/// An agent's roster: recurring shifts in local time of an IANA zone. `shifts` is
/// kefu-routing's `Shift` list as JSON, opaque to the store (the server validates it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRoster {
    pub agent_id: AgentId,
    pub time_zone: String,
    pub shifts: String,
    pub updated_at: Timestamp,
}

/// An agent's live chats go back to the queue with a handover note; asynchronous tickets
/// stay owned.
#[derive(Debug, Clone)]
pub struct Handover {
    pub agent_id: AgentId,
    /// The note on each returned chat's status change, in the caller's words.
    pub note: String,
    pub actor: Actor,
    pub at: Timestamp,
}

/// A queued, unowned ticket and its customer's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedEntry {
    pub ticket: Ticket,
    pub language: String,
}

/// An automatic assignment, applied only if the agent is still online and under
/// `capacity` for the ticket's channel kind, and the ticket is still queued.
#[derive(Debug, Clone)]
pub struct RoutedAssignment {
    pub ticket_id: TicketId,
    pub agent_id: AgentId,
    /// Whether the ticket counts against chat (else asynchronous) capacity.
    pub chat: bool,
    pub capacity: u32,
    /// The routing engine's explanation, for the event log.
    pub reason: String,
    pub at: Timestamp,
}

/// Up to a specialist team.
#[derive(Debug, Clone)]
pub struct Escalation {
    pub ticket_id: TicketId,
    pub team_id: TeamId,
    pub reason: String,
    pub actor: Actor,
    pub at: Timestamp,
}

/// Back from the specialist team, with findings (kept as an internal note).
#[derive(Debug, Clone)]
pub struct SendBack {
    pub ticket_id: TicketId,
    pub findings: String,
    /// The reason on the status change back to the owner (or the queue), in the caller's
    /// words.
    pub reason: String,
    pub author: AgentId,
    pub actor: Actor,
    pub at: Timestamp,
}

/// Where a transfer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferTarget {
    Agent(AgentId),
    /// Back to the queue, for this team.
    Team(TeamId),
}

/// A ticket moved to another agent or team.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub ticket_id: TicketId,
    pub to: TransferTarget,
    pub reason: String,
    pub actor: Actor,
    pub at: Timestamp,
}

/// What a timer does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlaTimerKind {
    Warning,
    Breach,
}

impl SlaTimerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Breach => "breach",
        }
    }
}

/// A timer to keep pending for one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewTimer {
    pub kind: SlaTimerKind,
    pub due_at: Timestamp,
}

/// A ticket's SLA state (opaque to the store) and, per target (`first_response`,
/// `next_response`, `resolution`), the timer that replaces its pending one (`None` cancels
/// it). Targets not listed keep their timers.
#[derive(Debug, Clone, Default)]
pub struct SlaSchedule {
    pub state: String,
    pub timers: Vec<(String, Option<NewTimer>)>,
}

/// Computes the new schedule from the stored state (`None` before the first one);
/// `None` leaves everything as it is. Runs inside the store's transaction.
pub type SlaUpdate = Box<dyn FnOnce(Option<String>) -> Option<SlaSchedule> + Send>;

/// A breach timer firing on an open ticket, as the claiming transaction sees it.
#[derive(Debug, Clone, Copy)]
pub struct Breach<'a> {
    pub ticket: &'a Ticket,
    /// `first_response`, `next_response` or `resolution`.
    pub target: &'a str,
    pub due_at: Timestamp,
    /// The presence of the agent holding the ticket while it is `assigned`; `None` when
    /// nobody holds it that way.
    pub owner_presence: Option<AgentPresence>,
}

/// What to do about a breach, decided by the caller (the store only applies it): logged
/// as `sla_breached` in every case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreachResponse {
    /// The ticket's new priority (`priority_changed` logged), if it changes.
    pub raise_to: Option<Priority>,
    /// An internal note for the team lead, if any.
    pub lead_note: Option<String>,
    /// `Some(reason)`: the ticket goes back to the queue with this status-change reason.
    pub requeue_reason: Option<String>,
}

/// Decides each breach inside the claiming transaction, so claiming a timer and applying
/// its breach stay one atomic step.
pub type BreachPolicy = Box<dyn FnMut(&Breach<'_>) -> BreachResponse + Send>;

/// What firing a timer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerOutcome {
    /// `sla_warning` logged.
    Warned,
    /// `sla_breached` logged; `priority` is the ticket's priority after the breach and
    /// `requeued` says whether it went back to the queue (both as the policy decided).
    Breached { priority: Priority, requeued: bool },
    /// The ticket no longer needs it (answered, resolved); marked fired, nothing logged.
    Skipped,
}

/// A timer claimed and fired by this node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiredTimer {
    pub id: i64,
    pub ticket_id: TicketId,
    pub kind: SlaTimerKind,
    pub target: String,
    pub due_at: Timestamp,
    pub outcome: TimerOutcome,
}

/// A pending (unfired) timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingTimer {
    pub id: i64,
    pub kind: SlaTimerKind,
    pub target: String,
    pub due_at: Timestamp,
}
