//! Inputs and records of the learning-loop steps (`learning_ops.rs`): how bot answers ended
//! per article version, tickets people resolved (for FAQ proposals), and what editors
//! dismissed.

use jiff::Timestamp;
use kefu_domain::{AgentId, TicketId, TicketNumber};

/// How a bot answer ended, written on the ticket's latest answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerMark {
    /// The customer said the answer helped (`true`) or not (`false`).
    Helpful(bool),
    /// The bot resolved the conversation (contained).
    Contained,
}

/// The answers the bot gave with one version of one article, and how they ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionAnswers {
    pub slug: String,
    pub version: u32,
    pub answers: i64,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    pub contained: i64,
}

/// A ticket people resolved after the bot: the customer's first message and the agents'
/// replies, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandledTicket {
    pub ticket_id: TicketId,
    pub number: TicketNumber,
    pub question: String,
    pub replies: Vec<String>,
    pub resolved_at: Timestamp,
}

/// An editor hides a cluster or a proposal (`kind`) by its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dismissal {
    pub kind: String,
    pub key: String,
    pub by: Option<AgentId>,
    pub at: Timestamp,
}
