//! Agents and their roles and skills.

use crate::{AgentId, TeamId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// What a staff account may do. Ordered by reach: an admin may do all a supervisor may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentRole {
    /// Frontline agent (一线客服).
    Agent,
    /// Member of a specialist team (二线).
    Specialist,
    /// Watches queues and reports, edits the knowledge base and policies.
    Supervisor,
    /// Manages staff, teams, categories and API keys.
    Admin,
}

impl AgentRole {
    pub const ALL: [AgentRole; 4] = [Self::Agent, Self::Specialist, Self::Supervisor, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Specialist => "specialist",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    /// Whether this role may act on behalf of `needed` (admin ⊇ supervisor ⊇ agent/specialist).
    pub fn covers(self, needed: AgentRole) -> bool {
        match needed {
            Self::Agent | Self::Specialist => true,
            Self::Supervisor => matches!(self, Self::Supervisor | Self::Admin),
            Self::Admin => self == Self::Admin,
        }
    }
}

impl fmt::Display for AgentRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not a known role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}; expected agent, specialist, supervisor or admin")]
pub struct RoleParseError(pub String);

impl FromStr for AgentRole {
    type Err = RoleParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| RoleParseError(s.to_owned()))
    }
}

/// A skill: a domain (category code) or a language, at a level from 1 to 5.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Skill {
    /// `category:<code>` or `lang:<tag>`.
    pub name: String,
    pub level: u8,
    /// Domains that require training are only routed once this is set.
    pub certified: bool,
}

/// A staff account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub email: String,
    pub display_name: String,
    pub role: AgentRole,
    pub team_id: Option<TeamId>,
    pub skills: Vec<Skill>,
    /// Concurrent chat conversations this agent can hold.
    pub chat_capacity: u16,
    pub active: bool,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::AgentRole::*;

    #[test]
    fn admin_covers_every_role_and_agent_covers_only_the_floor() {
        for r in super::AgentRole::ALL {
            assert!(Admin.covers(r));
        }
        assert!(Supervisor.covers(Agent));
        assert!(!Supervisor.covers(Admin));
        assert!(!Agent.covers(Supervisor));
        assert!(!Specialist.covers(Admin));
        assert!(Specialist.covers(Agent));
    }
}
