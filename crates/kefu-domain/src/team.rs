//! Teams: frontline pools and specialist teams that take escalations.

use crate::TeamId;
use serde::{Deserialize, Serialize};

/// A team of agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    /// Stable code (`account_security`).
    pub code: String,
    pub name: String,
    /// Specialist teams take escalations; the frontline takes the queue.
    pub specialist: bool,
}
