//! "Must read" policy updates as the store keeps them: a published notice (title, body,
//! must-read or not) and, per staff member, the moment they acknowledged it (once).

use jiff::Timestamp;
use kefu_domain::AgentId;

/// An update to publish.
#[derive(Debug, Clone)]
pub struct NewPolicy {
    pub title: String,
    pub body: String,
    /// Every staff member must acknowledge it.
    pub must_read: bool,
    pub author: Option<AgentId>,
    pub at: Timestamp,
}

/// A published update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyUpdate {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub must_read: bool,
    pub author: Option<AgentId>,
    pub published_at: Timestamp,
}

/// A staff member acknowledging an update.
#[derive(Debug, Clone, Copy)]
pub struct PolicyAck {
    pub policy: i64,
    pub agent: AgentId,
    pub at: Timestamp,
}

/// Who acknowledged an update, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acknowledgement {
    pub agent: AgentId,
    pub at: Timestamp,
}
