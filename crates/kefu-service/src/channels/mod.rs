//! One channel abstraction for every way customers reach kefu and kefu reaches them back.
//!
//! A channel is one module implementing [`ChannelAdapter`]:
//!
//! - **inbound** ([`ChannelAdapter::parse`]): a platform's payload (a webhook body, a raw
//!   e-mail) → an [`Inbound`] — a normalized message with the platform's message id, the
//!   customer as the platform knows them, and threading hints. [`inbound::receive`] then
//!   puts it on a new or existing ticket of that customer through the ordinary intake and
//!   customer-message use-cases, once per platform message id (duplicates are answered
//!   with the first result and write nothing).
//! - **outbound** ([`ChannelAdapter::deliver`]): delivers one [`Outbound`] (an agent reply,
//!   a bot answer, a progress notification, a survey) to the customer. Every delivery is a
//!   row of `channel_deliveries` and one durable `channel.deliver` job ([`outbound`]), in
//!   order per ticket, retried with exponential backoff and dead-lettered after the
//!   channel's `max_attempts`. [`ChannelAdapter::deliver`] must accept the same delivery
//!   twice (a lost lease reruns a job): platforms de-duplicate on
//!   [`Outbound::idempotency_key`].
//!
//! Entry points authenticate the platform (the webhook's signature, [`signature`]; an IMAP
//! login) before handing the payload to [`inbound::receive`]. Adapters are installed on
//! [`crate::Core::channels`] by the binary at start ([`Registry::install`]).

pub mod app_token;
pub mod follower;
pub mod inbound;
pub mod notify;
pub mod outbound;
pub mod registry;
pub mod settings;
pub mod signature;
pub mod webhook;

pub use registry::Registry;
pub use settings::{AppSecret, ChannelSettings, WebhookChannel};

use crate::inputs::{AttachmentInput, CustomerInput};
use kefu_domain::{Channel, TicketNumber};

/// A channel integration: both directions of one platform (see the module header).
#[async_trait::async_trait]
pub trait ChannelAdapter: Send + Sync + 'static {
    /// The adapter's name in routes and configuration (`weibo`, `email`): 1–32 of
    /// `a-z 0-9 _ -` ([`valid_name`]).
    fn name(&self) -> &str;
    /// The kind of channel tickets from this adapter carry.
    fn channel(&self) -> Channel;
    /// Reads a platform payload the entry point has authenticated. An unknown shape is an
    /// [`InboundError`] (the payload is kept for an admin to inspect); a payload that
    /// carries no customer message (a platform ping, a read receipt) is
    /// [`Inbound::Ignored`].
    fn parse(&self, payload: &[u8]) -> Result<Inbound, InboundError>;
    /// Delivers one message to the customer on the platform. Called again for the same
    /// delivery after a failure or a lost lease: send [`Outbound::idempotency_key`] so the
    /// platform can drop the repeat.
    async fn deliver(&self, out: &Outbound) -> Result<Delivered, DeliveryError>;
}

/// What an inbound payload says.
#[derive(Debug, Clone)]
pub enum Inbound {
    /// A customer's message.
    Message(Box<InboundMessage>),
    /// Nothing for kefu (a ping, a receipt); why, for the log.
    Ignored(String),
}

/// Where a customer wrote: in the open or to us alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// A private (direct) message, an e-mail, an in-app chat.
    Private,
    /// A public post or comment mentioning the account: answered in public with a short
    /// note that moves the conversation to private messages, never with the details.
    Public,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Public => "public",
        }
    }
}

/// A customer's message as the platform sent it, normalized.
#[derive(Debug, Clone)]
pub struct InboundMessage {
    /// The platform's id of this message: a repeat delivery with the same id is a duplicate.
    pub external_id: String,
    /// The customer as the platform knows them (`external_id`: the platform's user id,
    /// the e-mail address).
    pub customer: CustomerInput,
    pub visibility: Visibility,
    /// The platform's conversation (a DM thread, a post, an e-mail thread's root
    /// Message-ID): later messages of the same thread go to the same open ticket.
    pub thread: Option<String>,
    /// Platform message ids this one answers (e-mail In-Reply-To and References): a
    /// message answering one kefu received or sent goes to that ticket.
    pub replies_to: Vec<String>,
    /// A ticket number the customer quoted (an e-mail subject): used when it is theirs.
    pub ticket_number: Option<TicketNumber>,
    pub subject: Option<String>,
    pub body: String,
    pub attachments: Vec<AttachmentInput>,
    /// Extra context kept on a new ticket (a JSON object).
    pub context: serde_json::Value,
}

/// An inbound payload kefu cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct InboundError {
    /// What is wrong with it, for the platform's developers and the admin inbox.
    pub reason: String,
}

impl InboundError {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// What is being delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboundKind {
    /// An agent's reply.
    Reply,
    /// A bot answer (with suggestions in the body's text).
    Bot,
    /// A progress notification ([`crate::messages`] templates).
    Notification,
    /// The satisfaction survey or its reminder (the body carries the link).
    Survey,
    /// The short public answer to a public post that moves the conversation to private.
    PublicRedirect,
    /// Any other customer-visible message kefu wrote (a system message).
    System,
}

impl OutboundKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reply => "reply",
            Self::Bot => "bot",
            Self::Notification => "notification",
            Self::Survey => "survey",
            Self::PublicRedirect => "public_redirect",
            Self::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Reply,
            Self::Bot,
            Self::Notification,
            Self::Survey,
            Self::PublicRedirect,
            Self::System,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One delivery to a customer, as an adapter gets it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outbound {
    /// The `channel_deliveries` row.
    pub delivery_id: i64,
    /// Stable across retries of this delivery (`kefu-delivery-<id>`): send it to the
    /// platform so a repeat is dropped there.
    pub idempotency_key: String,
    pub kind: OutboundKind,
    /// Public (an answer under a post) or private (a direct message).
    pub visibility: Visibility,
    pub ticket_number: TicketNumber,
    /// The ticket's subject (an e-mail's subject line).
    pub subject: String,
    /// The customer's id on the platform, and what else kefu knows of them.
    pub customer_external_id: String,
    pub customer_email: Option<String>,
    pub customer_name: Option<String>,
    /// The customer's language (BCP 47).
    pub language: String,
    /// The platform thread of the customer's last message on this ticket, if any.
    pub thread: Option<String>,
    /// The platform id of the customer's last message on this ticket (to reply to it).
    pub in_reply_to: Option<String>,
    /// The text to deliver.
    pub body: String,
}

/// A successful delivery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    /// The platform's id of what was posted (e-mail Message-ID, post id), if it gives one.
    pub remote_id: Option<String>,
}

/// A failed delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth another attempt later (the platform is down, timed out, rate-limited us).
    #[error("{0}")]
    Retry(String),
    /// Will never succeed (the platform refused the message or the recipient).
    #[error("{0}")]
    Permanent(String),
}

/// Whether `name` can name an adapter: 1–32 of `a-z 0-9 _ -`.
pub fn valid_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adapter_names_are_short_lowercase_slugs() {
        assert!(valid_name("weibo"));
        assert!(valid_name("email_2"));
        assert!(!valid_name(""));
        assert!(!valid_name("Weibo"));
        assert!(!valid_name("a/b"));
        assert!(!valid_name(&"a".repeat(33)));
    }

    #[test]
    fn outbound_kinds_round_trip_through_text() {
        for k in [
            OutboundKind::Reply,
            OutboundKind::Bot,
            OutboundKind::Notification,
            OutboundKind::Survey,
            OutboundKind::PublicRedirect,
            OutboundKind::System,
        ] {
            assert_eq!(OutboundKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(OutboundKind::parse("fax"), None);
    }
}
