//! Inputs and records of the learning-loop steps (`learning_ops.rs`): how bot answers ended
//! per article version, tickets people resolved (for FAQ proposals), and what editors
//! dismissed.

use jiff::Timestamp;
use kefu_domain::{AgentId, TicketId, TicketNumber};

/// The query of `Store::handled_tickets`: resolved or closed tickets with an agent reply and
/// without a bot resolution, newest resolution first (`$1`: how many). Read in the order of
/// index `tickets_by_resolution` (migration 0022); public so a test can check the plan.
/// `t.status || ''` keeps the status out of SQLite's index choice: without statistics it
/// would otherwise read `tickets_by_status` and sort every resolved ticket.
#[doc(hidden)]
pub const HANDLED_TICKETS_SQL: &str = "SELECT t.id, t.number, t.resolved_at, \
       (SELECT m.body FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'customer' \
          ORDER BY m.id LIMIT 1) AS question \
     FROM tickets t \
     WHERE t.status || '' IN ('resolved', 'closed') AND t.resolved_at IS NOT NULL \
       AND EXISTS (SELECT 1 FROM messages a WHERE a.ticket_id = t.id AND a.kind = 'agent') \
       AND NOT EXISTS (SELECT 1 FROM bot_answers b WHERE b.ticket_id = t.id AND b.contained = 1) \
     ORDER BY t.resolved_at DESC, t.id DESC LIMIT $1";

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
