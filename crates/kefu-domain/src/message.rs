//! Messages on a ticket: from the customer, the bot, an agent, the system, or internal notes.

use crate::{AgentId, MessageId, TicketId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Who wrote a message and who may read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Customer,
    Bot,
    Agent,
    System,
    /// Visible to staff only.
    InternalNote,
    /// The satisfaction survey (回访) after a resolution, and its reminder: carries a
    /// [`crate::SurveyInvite`].
    Survey,
}

impl MessageKind {
    pub const ALL: [MessageKind; 6] = [
        Self::Customer,
        Self::Bot,
        Self::Agent,
        Self::System,
        Self::InternalNote,
        Self::Survey,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Bot => "bot",
            Self::Agent => "agent",
            Self::System => "system",
            Self::InternalNote => "internal_note",
            Self::Survey => "survey",
        }
    }

    /// Whether the customer sees messages of this kind.
    pub fn is_public(self) -> bool {
        !matches!(self, Self::InternalNote)
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not a known message kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown message kind {0:?}")]
pub struct MessageKindParseError(pub String);

impl FromStr for MessageKind {
    type Err = MessageKindParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| MessageKindParseError(s.to_owned()))
    }
}

/// What an uploaded file is, judged from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Image,
    Voice,
}

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 2] = [Self::Image, Self::Voice];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Voice => "voice",
        }
    }
}

impl fmt::Display for AttachmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AttachmentKind {
    type Err = MessageKindParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "image" => Ok(Self::Image),
            "voice" => Ok(Self::Voice),
            other => Err(MessageKindParseError(other.to_owned())),
        }
    }
}

/// Metadata of a file attached to a message: either a link the channel gave (`url`), or a
/// file uploaded to kefu (`id`; the bytes live in the attachment store and are fetched
/// through a signed link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size_bytes: u64,
    /// Where the bytes can be fetched (an http(s) URL); empty for uploaded files.
    pub url: String,
    /// The uploaded file's id (absent for links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AttachmentKind>,
    /// A voice message's length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// A voice message's text, when a speech-to-text backend is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
}

/// One choice a bot message offers (a "did you mean…" menu): the knowledge-base entry and
/// its question in the conversation's language. A channel shows it as a button that sends
/// `id` back; the customer may also answer by number or in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The entry id (the article's slug).
    pub id: String,
    pub question: String,
}

/// One message on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub ticket_id: TicketId,
    pub kind: MessageKind,
    /// The staff author, for agent messages and notes.
    pub author_agent: Option<AgentId>,
    pub body: String,
    pub attachments: Vec<Attachment>,
    /// The choices a bot message offers, best first (empty for every other message).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    /// On a survey message: the survey it asks the customer to answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<crate::SurveyInvite>,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_internal_notes_are_hidden_from_customers() {
        for k in MessageKind::ALL {
            assert_eq!(k.is_public(), k != MessageKind::InternalNote);
            assert_eq!(k.as_str().parse::<MessageKind>(), Ok(k));
        }
    }
}
