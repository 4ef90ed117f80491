//! The bot's error type.

use thiserror::Error;

/// Why a knowledge base could not be turned into a bot.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BotError {
    /// The entry at `index` (0-based) has an empty id.
    #[error("FAQ entry #{index} has an empty id")]
    EmptyId {
        /// Position of the entry in the input.
        index: usize,
    },
    /// Two entries share one id.
    #[error("FAQ id {id:?} is used by more than one entry")]
    DuplicateId {
        /// The repeated id.
        id: String,
    },
    /// The entry has an empty standard question.
    #[error("FAQ entry {id:?} has an empty question")]
    EmptyQuestion {
        /// Id of the entry.
        id: String,
    },
    /// A semantic model file is malformed (see `semantic.rs` for the layout).
    #[error("invalid semantic model: {reason}")]
    BadModel {
        /// What is wrong with it.
        reason: String,
    },
}
