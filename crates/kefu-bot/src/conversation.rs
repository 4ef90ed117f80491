//! Conversation state: what happened on the previous turns, passed in by the caller and
//! returned updated, so the bot itself stays stateless.

use serde::{Deserialize, Serialize};

use crate::collect::PendingHandoff;
use crate::messages::Lang;

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
    /// Every entry offered on this turn (a suggestion), best first; the customer's next
    /// message may pick one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offered: Vec<String>,
}

impl Turn {
    /// A turn with no entry.
    pub fn new(query: &str, outcome: Outcome) -> Turn {
        Turn {
            query: query.to_owned(),
            outcome,
            entry_id: None,
            category: None,
            offered: Vec::new(),
        }
    }
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
    /// The conversation's language: set by the channel ([`ConversationState::with_language`])
    /// or detected from the customer's messages; `None` until known (the bot then speaks
    /// Chinese).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Lang>,
}

impl ConversationState {
    /// A new conversation in a language the channel knows (the app's or browser's locale).
    pub fn with_language(mut self, language: Lang) -> ConversationState {
        self.language = Some(language);
        self
    }

    /// The language to answer `message` in: the message's own when it clearly has one
    /// (switching away from a known language takes a real sentence, not "ok" or "thanks"),
    /// else the conversation's, else Chinese.
    pub fn language_for(&self, message: &str) -> Lang {
        let detected = Lang::detect(message);
        match (self.language, detected) {
            (None, Some(lang)) => lang,
            (Some(known), Some(lang)) if lang != known && substantial(message, lang) => lang,
            (Some(known), _) => known,
            (None, None) => Lang::default(),
        }
    }

    /// The entries offered on the last turn when it was a suggestion, best first.
    pub fn offered(&self) -> &[String] {
        match self.turns.last() {
            Some(t) if t.outcome == Outcome::Suggested && self.pending.is_none() => &t.offered,
            _ => &[],
        }
    }

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

/// True when a message is long enough to switch the conversation's language: four words of
/// English (not a formula such as "none of these"), or three Chinese characters.
fn substantial(message: &str, lang: Lang) -> bool {
    match lang {
        Lang::En => {
            message
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 2)
                .count()
                >= 4
        }
        Lang::Zh => {
            message
                .chars()
                .filter(|c| crate::normalize::is_han(*c))
                .count()
                >= 3
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(outcome: Outcome) -> Turn {
        Turn::new("问", outcome)
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
    fn the_language_follows_the_customer_not_a_stray_word() {
        let fresh = ConversationState::default();
        assert_eq!(fresh.language_for("怎么改密码"), Lang::Zh);
        assert_eq!(fresh.language_for("How do I change my password"), Lang::En);
        assert_eq!(fresh.language_for("1"), Lang::Zh);
        let english = fresh.with_language(Lang::En);
        assert_eq!(english.language_for("2"), Lang::En);
        assert_eq!(english.language_for("好的"), Lang::En);
        assert_eq!(english.language_for("怎么修改密码"), Lang::Zh);
        let chinese = ConversationState::default().with_language(Lang::Zh);
        assert_eq!(chinese.language_for("thanks"), Lang::Zh);
        assert_eq!(chinese.language_for("how do I reset it"), Lang::En);
    }

    #[test]
    fn offers_are_kept_only_while_the_menu_is_open() {
        let mut suggested = turn(Outcome::Suggested);
        suggested.offered = vec!["a".to_owned(), "b".to_owned()];
        let state = ConversationState::default().with_turn(suggested);
        assert_eq!(state.offered(), ["a", "b"]);
        let json = serde_json::to_string(&state).unwrap();
        let back: ConversationState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, state);
        assert!(
            state
                .with_turn(turn(Outcome::Answered))
                .offered()
                .is_empty()
        );
    }

    #[test]
    fn a_suggestion_or_miss_leaves_the_bot_unsure() {
        let state = ConversationState::default().with_turn(turn(Outcome::Suggested));
        assert!(state.last_was_unsure());
        let state = state.with_turn(turn(Outcome::Answered));
        assert!(!state.last_was_unsure());
    }
}
