//! The ticket: one customer request, tracked until it is solved.

use crate::{
    AgentId, Channel, CustomerId, Priority, TeamId, TicketId, TicketNumber, TicketStatus,
    category::CategoryCode,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Longest subject, in characters.
pub const SUBJECT_MAX_CHARS: usize = 200;
/// Longest message body, in characters.
pub const BODY_MAX_CHARS: usize = 20_000;

/// A ticket as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub number: TicketNumber,
    pub customer_id: CustomerId,
    pub channel: Channel,
    pub subject: String,
    pub category: CategoryCode,
    pub priority: Priority,
    pub status: TicketStatus,
    pub assignee: Option<AgentId>,
    pub team: Option<TeamId>,
    /// Free-form context the channel sent (app version, device, page …).
    pub context: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the first agent reply was sent.
    pub first_response_at: Option<Timestamp>,
    /// The first-response deadline set by the SLA policy at intake.
    pub first_response_due: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
}
