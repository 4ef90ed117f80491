//! The ticket event log: every change, with who and when.

use crate::{AgentId, EventId, TicketId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    Customer,
    Bot,
    Agent {
        id: AgentId,
    },
    /// A channel integration acting through an API key.
    Channel {
        key_id: i64,
    },
    /// kefu itself (timers, workers).
    System,
}

/// What happened. Stored as a kind string plus a JSON payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    Opened {
        channel: String,
    },
    /// The bot handed the conversation to people: why, and the summary it wrote.
    HandedOff {
        reason: String,
        summary: String,
    },
    MessageAdded {
        message_id: i64,
        message_kind: String,
    },
    StatusChanged {
        from: String,
        to: String,
        reason: Option<String>,
    },
    Assigned {
        agent_id: AgentId,
        reason: String,
    },
    CategoryChanged {
        from: String,
        to: String,
    },
    PriorityChanged {
        from: String,
        to: String,
    },
    /// Sent up to a specialist team, with the reason; `from_agent` owned it before.
    Escalated {
        team: String,
        from_agent: Option<AgentId>,
        reason: String,
    },
    /// A specialist sent it back with findings, to its frontline owner (or the queue).
    SentBack {
        to_agent: Option<AgentId>,
        findings: String,
    },
    /// Moved to another agent or team.
    Transferred {
        from_agent: Option<AgentId>,
        to_agent: Option<AgentId>,
        team: Option<String>,
        reason: String,
    },
    /// An SLA target (`first_response`, `next_response`, `resolution`) is close.
    SlaWarning {
        target: String,
        due_at: Timestamp,
    },
    /// An SLA target was missed.
    SlaBreached {
        target: String,
        due_at: Timestamp,
    },
    /// No active agent (online or not) has a skill the ticket waits for (its language, or
    /// its domain): it would starve in the queue, so supervisors are told. Written once per
    /// ticket; `reason` names the missing skill (`language:en`, `category:ads`).
    Unroutable {
        reason: String,
    },
    /// The customer answered the satisfaction survey: a score (people resolved it) or
    /// whether it helped (the bot resolved it).
    SurveyAnswered {
        survey_id: String,
        score: Option<u8>,
        helpful: Option<bool>,
    },
    /// A low score opened a review for the team's supervisor.
    ReviewOpened {
        review_id: i64,
        score: u8,
    },
    /// A review was given to a staff member.
    ReviewAssigned {
        review_id: i64,
        agent_id: AgentId,
    },
    /// A review was closed with its outcome.
    ReviewClosed {
        review_id: i64,
        outcome: String,
    },
    /// The customer was told of progress (one coalesced notification of `topics`) through
    /// their channel: `result` is `delivered`, `failed` or `undeliverable` (no channel to
    /// reach them on).
    CustomerNotified {
        topics: Vec<String>,
        delivery_id: i64,
        result: String,
    },
    /// A delivery to the customer (a reply, a survey …) failed for good and was
    /// dead-lettered.
    DeliveryFailed {
        delivery_id: i64,
        delivery_kind: String,
        error: String,
    },
}

impl EventKind {
    /// The stored kind name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Opened { .. } => "opened",
            Self::HandedOff { .. } => "handed_off",
            Self::MessageAdded { .. } => "message_added",
            Self::StatusChanged { .. } => "status_changed",
            Self::Assigned { .. } => "assigned",
            Self::CategoryChanged { .. } => "category_changed",
            Self::PriorityChanged { .. } => "priority_changed",
            Self::Escalated { .. } => "escalated",
            Self::SentBack { .. } => "sent_back",
            Self::Transferred { .. } => "transferred",
            Self::SlaWarning { .. } => "sla_warning",
            Self::SlaBreached { .. } => "sla_breached",
            Self::Unroutable { .. } => "unroutable",
            Self::SurveyAnswered { .. } => "survey_answered",
            Self::ReviewOpened { .. } => "review_opened",
            Self::ReviewAssigned { .. } => "review_assigned",
            Self::ReviewClosed { .. } => "review_closed",
            Self::CustomerNotified { .. } => "customer_notified",
            Self::DeliveryFailed { .. } => "delivery_failed",
        }
    }
}

/// One row of a ticket's event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEvent {
    /// Global and increasing (a node tails every ticket's events by it).
    pub id: EventId,
    pub ticket_id: TicketId,
    /// The event's place in its ticket's log: 1, 2, 3 … without gaps.
    pub seq: i64,
    pub actor: Actor,
    pub kind: EventKind,
    pub at: Timestamp,
}
