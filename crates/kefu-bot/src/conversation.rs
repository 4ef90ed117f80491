//! Conversation state: what happened on the previous turns, passed in by the caller and
//! returned updated, so the bot itself stays stateless.

use serde::{Deserialize, Serialize};

use crate::collect::PendingHandoff;

/// What the bot did on one turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Answered from the knowledge base.
    Answered,
    /// Offered choices (unsure).
    Suggested,
    /// Found nothing (unsure).
    NotUnderstood,
    /// Replied to small talk.
    SmallTalk,
    /// Handed over.
    HandedOff,
    /// Asked for details (domain, account, description) before handing over.
    Collecting,
}

/// One past turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    /// What the customer wrote.
    pub query: String,
    /// What the bot did.
    pub outcome: Outcome,
    /// The entry answered, or the top suggestion.
    #[serde(default)]
    pub entry_id: Option<String>,
    /// The category of that entry.
    #[serde(default)]
    pub category: Option<String>,
}

/// The turns so far, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationState {
    /// Past turns.
    #[serde(default)]
    pub turns: Vec<Turn>,
    /// A handoff waiting for the details the bot asked for on the last turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingHandoff>,
}

impl ConversationState {
    /// True when the previous turn left the bot unsure.
    pub fn last_was_unsure(&self) -> bool {
        self.turns
            .last()
            .is_some_and(|t| matches!(t.outcome, Outcome::Suggested | Outcome::NotUnderstood))
    }

    /// This state with one more turn (the pending handoff is kept; see
    /// [`ConversationState::with_pending`]).
    pub fn with_turn(&self, turn: Turn) -> ConversationState {
        let mut next = self.clone();
        next.turns.push(turn);
        next
    }

    /// This state with the pending handoff replaced.
    pub fn with_pending(mut self, pending: Option<PendingHandoff>) -> ConversationState {
        self.pending = pending;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(outcome: Outcome) -> Turn {
        Turn {
            query: "问".to_owned(),
            outcome,
            entry_id: None,
            category: None,
        }
    }

    #[test]
    fn a_fresh_conversation_is_not_unsure() {
        assert!(!ConversationState::default().last_was_unsure());
    }

    #[test]
    fn a_state_stored_before_collection_existed_still_loads() {
        let old = r#"{"turns":[{"query":"问","outcome":"answered"}]}"#;
        let state: ConversationState = serde_json::from_str(old).unwrap();
        assert_eq!(state.turns.len(), 1);
        assert_eq!(state.pending, None);
        assert!(!serde_json::to_string(&state).unwrap().contains("pending"));
    }

    #[test]
    fn a_suggestion_or_miss_leaves_the_bot_unsure() {
        let state = ConversationState::default().with_turn(turn(Outcome::Suggested));
        assert!(state.last_was_unsure());
        let state = state.with_turn(turn(Outcome::Answered));
        assert!(!state.last_was_unsure());
    }
}
