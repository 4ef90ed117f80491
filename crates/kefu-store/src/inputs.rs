//! What callers hand to the store and get back, beyond the domain types themselves.

use jiff::Timestamp;
use kefu_domain::{
    Actor, AgentId, AgentRole, ApiKeyId, Attachment, CategoryCode, Channel, CustomerId,
    CustomerRef, Message, MessageKind, Priority, Skill, TeamId, Ticket, TicketId, TicketStatus,
};

/// The customer as a channel describes them at intake (created, or updated when known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerProfile {
    pub identity: CustomerRef,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: String,
}

/// An idempotency key and the fingerprint of the request that used it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// Whose key space this is (the credential that sent the request).
    pub scope: String,
    pub key: String,
    /// A hash of the request body: the same key with another body is a conflict.
    pub fingerprint: String,
}

/// A ticket to open, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub customer: CustomerProfile,
    pub channel: Channel,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<Attachment>,
    pub category: CategoryCode,
    pub priority: Priority,
    /// `new` when the bot handles it first, `queued` when it goes straight to people.
    pub status: TicketStatus,
    pub context: serde_json::Value,
    pub first_response_due: Option<Timestamp>,
    pub actor: Actor,
    pub idempotency: Option<IdempotencyKey>,
    /// The bot's first turn, written in the same transaction (bot-first channels). Such an
    /// intake takes the single path (`ops::open_ticket` → `record_bot_exchange`, which writes
    /// the bot message with its suggestions), never the batched plain-intake statements.
    pub bot: Option<BotExchange>,
    /// The SLA clocks and first timers, written in the same transaction.
    pub sla: Option<crate::SlaSchedule>,
    /// Jobs written in the same transaction (the outbox of intake). The ticket has no id
    /// when they are built, so the store gives each the new ticket's id as `"ticket"` in
    /// its payload object and in place of `{ticket}` in its dedupe and ordering keys.
    /// Not written when an idempotent retry replays an earlier ticket.
    pub jobs: Vec<crate::NewJob>,
    pub at: Timestamp,
}

impl NewTicket {
    /// Whether this intake needs the single path (`ops::open_ticket`: a bot turn or jobs
    /// to write with it) rather than the batched plain-intake statements.
    pub(crate) fn needs_single_path(&self) -> bool {
        self.bot.is_some() || !self.jobs.is_empty()
    }
}

/// The outcome of [`crate::Store::open_ticket`].
#[derive(Debug, Clone)]
pub struct OpenedTicket {
    pub ticket: Ticket,
    pub first_message: Option<Message>,
    /// The idempotency key was seen before: this is the first request's ticket.
    pub replayed: bool,
}

/// Sort order of a ticket list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TicketSort {
    /// Newest first (by id).
    #[default]
    Newest,
    /// Most urgent first, then oldest first: the queue order.
    Urgent,
}

/// Where the previous page ended (keyset pagination, never OFFSET).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketCursor {
    pub priority: i16,
    pub id: TicketId,
}

/// Filters of the agent-side list views. Empty `statuses` means any.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub statuses: Vec<TicketStatus>,
    pub assignee: Option<AgentId>,
    pub team: Option<TeamId>,
    pub category: Option<CategoryCode>,
    pub priority: Option<Priority>,
    pub customer: Option<CustomerId>,
    pub sort: TicketSort,
    pub after: Option<TicketCursor>,
    pub limit: u32,
}

/// A message to add to a ticket.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub ticket_id: TicketId,
    pub kind: MessageKind,
    pub actor: Actor,
    pub author_agent: Option<AgentId>,
    pub body: String,
    pub attachments: Vec<Attachment>,
    /// The status the ticket moves to with this message, if any (checked by the machine).
    pub then_status: Option<TicketStatus>,
    pub at: Timestamp,
}

/// A move through the status machine.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub ticket_id: TicketId,
    pub to: TicketStatus,
    pub actor: Actor,
    pub reason: Option<String>,
    pub at: Timestamp,
}

/// A ticket given to an agent.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub ticket_id: TicketId,
    pub agent_id: AgentId,
    pub actor: Actor,
    /// Why this agent, for the event log.
    pub reason: String,
    pub at: Timestamp,
}

/// Category and priority changes.
#[derive(Debug, Clone)]
pub struct TicketPatch {
    pub ticket_id: TicketId,
    pub category: Option<CategoryCode>,
    pub priority: Option<Priority>,
    /// A new first-response deadline (the targets changed with the category or priority).
    pub first_response_due: Option<Timestamp>,
    pub actor: Actor,
    pub at: Timestamp,
}

/// How to find a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerLookup {
    Identity(CustomerRef),
    Email(String),
}

/// A staff account to create.
#[derive(Debug, Clone)]
pub struct NewAgent {
    pub email: String,
    pub display_name: String,
    pub role: AgentRole,
    pub team_id: Option<TeamId>,
    pub password_hash: Option<String>,
    pub skills: Vec<Skill>,
    pub chat_capacity: u16,
    pub at: Timestamp,
}

/// Changes to a staff account; `None` leaves a field alone.
#[derive(Debug, Clone)]
pub struct AgentPatch {
    pub id: AgentId,
    pub display_name: Option<String>,
    pub role: Option<AgentRole>,
    pub team_id: Option<Option<TeamId>>,
    pub password_hash: Option<String>,
    pub skills: Option<Vec<Skill>>,
    pub chat_capacity: Option<u16>,
    pub active: Option<bool>,
}

/// A team to create.
#[derive(Debug, Clone)]
pub struct NewTeam {
    pub code: String,
    pub name: String,
    pub specialist: bool,
}

/// Sessions are staff logins; API keys are channel integrations (or staff automation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    Session,
    ApiKey,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::ApiKey => "api_key",
        }
    }
}

/// A credential to store; only the hash of its token is kept.
#[derive(Debug, Clone)]
pub struct NewCredential {
    pub kind: CredentialKind,
    pub token_hash: String,
    /// The staff account it acts as (sessions, staff API keys).
    pub agent_id: Option<AgentId>,
    /// The channel it speaks for (channel API keys).
    pub channel: Option<Channel>,
    pub name: String,
    pub at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

/// A stored credential (never with its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub id: ApiKeyId,
    pub kind: CredentialKind,
    pub agent_id: Option<AgentId>,
    pub channel: Option<Channel>,
    pub name: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// An article to create, or a new version of one (matched by slug).
#[derive(Debug, Clone)]
pub struct ArticleDraft {
    pub slug: String,
    pub category: Option<String>,
    pub content: kefu_domain::ArticleContent,
}

/// Articles to save together, all or nothing.
#[derive(Debug, Clone)]
pub struct SaveArticles {
    pub drafts: Vec<ArticleDraft>,
    /// Publish what is saved (the bot index follows published versions).
    pub publish: bool,
    pub author: Option<AgentId>,
    pub at: Timestamp,
}

/// What a save did; saving identical content twice creates no version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaveReport {
    pub created: u32,
    pub new_versions: u32,
    pub published: u32,
    pub unchanged: u32,
    /// Each article the save changed (unchanged ones are left out), in input order.
    pub saved: Vec<SavedArticle>,
}

/// One article a save wrote or published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedArticle {
    pub slug: String,
    /// The version now latest (and published, when `published`).
    pub version: u32,
    /// A version was written (false: an existing version was only published).
    pub new_version: bool,
    pub published: bool,
}

/// One version of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleVersion {
    pub version: u32,
    pub content: kefu_domain::ArticleContent,
    pub author: Option<AgentId>,
    pub created_at: Timestamp,
}

/// The bot hands a conversation to people.
#[derive(Debug, Clone)]
pub struct BotHandoff {
    pub reason: String,
    /// The summary written for the agent (also added as an internal note).
    pub summary: String,
    /// The domain the bot recognised, applied when the ticket is still `general`.
    pub category: Option<CategoryCode>,
}

/// A question the bot could not answer, for knowledge-base editors.
#[derive(Debug, Clone, PartialEq)]
pub struct UnansweredQuestion {
    pub query: String,
    /// `no_match`, `low_confidence_twice`, `not_helpful` …
    pub reason: String,
    pub top_article: Option<String>,
    pub top_score: Option<f64>,
}

/// A stored unanswered question.
#[derive(Debug, Clone, PartialEq)]
pub struct UnansweredRecord {
    pub id: i64,
    pub ticket_id: TicketId,
    pub question: UnansweredQuestion,
    pub at: Timestamp,
}

/// One bot turn on a ticket, written in one transaction: the customer's message (unless it
/// is already stored, as at intake), the bot's reply, the conversation state, and the
/// handoff or unanswered question it led to.
#[derive(Debug, Clone)]
pub struct BotExchange {
    pub ticket_id: TicketId,
    pub customer_message: Option<(String, Vec<Attachment>)>,
    pub bot_reply: String,
    /// The choices the reply offers, stored with the bot's message (its `meta`).
    pub suggestions: Vec<kefu_domain::Suggestion>,
    /// The bot's conversation state (JSON).
    pub state: String,
    pub handoff: Option<BotHandoff>,
    pub unanswered: Option<UnansweredQuestion>,
    /// The article the bot answered with (its slug), recorded with the version published
    /// now (see `Store::answers_by_version`).
    pub answered: Option<String>,
    pub at: Timestamp,
}
