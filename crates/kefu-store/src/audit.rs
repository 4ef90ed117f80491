//! The audit log's types: who changed what outside a ticket, and when. A ticket's changes
//! have their own event log; this one holds staff accounts, teams, the catalogue, SLA
//! policies, API keys, the knowledge base, dead jobs, rosters and login lockouts.
//!
//! A step that changes one of these can write its audit rows in its own transaction: the
//! `*_audited` methods of [`crate::Store`] take an [`AuditOf`], which builds the rows from
//! the step's result (the new agent's id, the saved article's version) before the commit.
//! [`crate::Store::record_audit`] writes a row on its own, for steps without a variant.

use jiff::Timestamp;
use kefu_domain::AgentId;

/// Who did an audited change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditActor {
    /// A staff member, signed in or with a staff API key.
    Agent(AgentId),
    /// kefu itself: the CLI on the server's machine, workers, the login guard.
    System,
}

impl AuditActor {
    /// The stored form: `agent:<id>` or `system`.
    pub fn key(&self) -> String {
        match self {
            AuditActor::Agent(id) => format!("agent:{}", id.0),
            AuditActor::System => "system".to_owned(),
        }
    }

    /// The actor of a stored form (`None` when it is neither).
    pub fn from_key(key: &str) -> Option<Self> {
        if key == "system" {
            return Some(AuditActor::System);
        }
        let id = key.strip_prefix("agent:")?.parse::<i64>().ok()?;
        Some(AuditActor::Agent(AgentId(id)))
    }
}

/// One audit row to write.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub actor: AuditActor,
    /// A dotted name (`agent.created`, `kb.article.published`).
    pub action: String,
    /// What it was done to (`agent:7`, `article:login-help`), when something in particular.
    pub subject: Option<String>,
    /// A small JSON object; never a secret (password, hash, token).
    pub detail: serde_json::Value,
    pub at: Timestamp,
}

/// One stored audit row.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// Increasing with time: the keyset cursor of [`AuditFilter::before`].
    pub id: i64,
    pub entry: AuditEntry,
}

/// A page of the audit log, newest first, each key matched exactly when given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<AuditActor>,
    pub action: Option<String>,
    pub subject: Option<String>,
    /// Only rows with a smaller id (the last id of the previous page).
    pub before: Option<i64>,
    pub limit: u32,
}

/// Builds the audit rows of a step from its result, inside the step's transaction.
pub type AuditOf<T> = Box<dyn FnOnce(&T) -> Vec<AuditEntry> + Send>;

/// No audit rows: what the plain (unaudited) steps pass.
pub fn no_audit<T>() -> AuditOf<T> {
    Box::new(|_| Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_keys_round_trip_and_junk_is_none() {
        for a in [AuditActor::System, AuditActor::Agent(AgentId(42))] {
            assert_eq!(AuditActor::from_key(&a.key()), Some(a));
        }
        assert_eq!(AuditActor::from_key("agent:x"), None);
        assert_eq!(AuditActor::from_key("cli"), None);
    }
}
