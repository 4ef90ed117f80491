//! Agent presence: whether an agent is at their desk to take tickets.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Whether an agent is at their desk. Only `online` agents are given tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentPresence {
    Online,
    Away,
    Offline,
}

impl AgentPresence {
    pub const ALL: [AgentPresence; 3] = [Self::Online, Self::Away, Self::Offline];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Away => "away",
            Self::Offline => "offline",
        }
    }
}

impl fmt::Display for AgentPresence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not `online`, `away` or `offline`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown presence {0:?}; expected online, away or offline")]
pub struct PresenceParseError(pub String);

impl FromStr for AgentPresence {
    type Err = PresenceParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| PresenceParseError(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_round_trips_through_text() {
        for p in AgentPresence::ALL {
            assert_eq!(p.as_str().parse::<AgentPresence>(), Ok(p));
        }
        assert!("busy".parse::<AgentPresence>().is_err());
    }
}
