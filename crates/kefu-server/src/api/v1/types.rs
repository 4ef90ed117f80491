//! Wire types shared by several resources: tickets, messages, attachments as the API shows
//! them. The domain can change behind these without breaking clients.

use kefu_domain::{Attachment, Message, Ticket};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A file on a message: an uploaded file by `id` alone (from `POST /api/v1/attachments`),
/// or a link with `name`, `content_type`, `size_bytes` and `url`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentInput {
    /// An uploaded file's id; with it, leave the other fields out.
    #[schema(pattern = "^[0-9a-f]{32}$")]
    pub id: Option<String>,
    /// Required for a link.
    #[schema(min_length = 1, max_length = 255)]
    pub name: Option<String>,
    /// MIME type, e.g. `image/jpeg`, `audio/amr`. Required for a link.
    #[schema(min_length = 3, max_length = 100, pattern = "/")]
    pub content_type: Option<String>,
    /// At most 50 MiB.
    #[schema(maximum = 52428800)]
    pub size_bytes: Option<u64>,
    /// Where the file can be fetched (http or https). Required for a link.
    #[schema(
        min_length = 1,
        max_length = 2048,
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://"
    )]
    pub url: Option<String>,
}

/// A file attached to a message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentView {
    pub name: String,
    pub content_type: String,
    pub size_bytes: u64,
    /// For a link, the channel's URL; for an uploaded file, a download link (relative to
    /// the server) that expires — read the message again for a fresh one.
    pub url: String,
    /// An uploaded file's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// An uploaded file's kind, judged from its bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::openapi::AttachmentKindName>)]
    pub kind: Option<String>,
    /// A voice message's length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// A voice message's text, when speech-to-text is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
}

impl From<&Attachment> for AttachmentView {
    fn from(a: &Attachment) -> Self {
        Self {
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size_bytes: a.size_bytes,
            url: a.url.clone(),
            id: a.id.clone(),
            kind: a.kind.map(|k| k.as_str().to_owned()),
            duration_ms: a.duration_ms,
            transcript: a.transcript.clone(),
        }
    }
}

/// A ticket as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketView {
    /// The 15-digit ticket number.
    #[schema(pattern = "^[0-9]{15}$", example = "261130000000007")]
    pub number: String,
    /// The number grouped for reading aloud (`261130-0000-0000-7`).
    #[schema(
        pattern = "^[0-9]{6}-[0-9]{4}-[0-9]{4}-[0-9]$",
        example = "261130-0000-0000-7"
    )]
    pub number_display: String,
    #[schema(value_type = crate::openapi::TicketStatusName)]
    pub status: String,
    pub subject: String,
    /// A category code from the catalogue.
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub category: String,
    #[schema(value_type = crate::openapi::PriorityName)]
    pub priority: String,
    #[schema(value_type = crate::openapi::ChannelName)]
    pub channel: String,
    pub customer_id: i64,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    #[schema(value_type = Object)]
    pub context: serde_json::Value,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_response_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_response_due: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_at: Option<jiff::Timestamp>,
}

impl From<&Ticket> for TicketView {
    fn from(t: &Ticket) -> Self {
        Self {
            number: t.number.as_string(),
            number_display: t.number.grouped(),
            status: t.status.as_str().into(),
            subject: t.subject.clone(),
            category: t.category.as_str().into(),
            priority: t.priority.as_str().into(),
            channel: t.channel.as_str().into(),
            customer_id: t.customer_id.0,
            assignee_id: t.assignee.map(|a| a.0),
            team_id: t.team.map(|t| t.0),
            context: t.context.clone(),
            created_at: t.created_at,
            updated_at: t.updated_at,
            first_response_at: t.first_response_at,
            first_response_due: t.first_response_due,
            resolved_at: t.resolved_at,
        }
    }
}

/// A message on a ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    pub id: i64,
    #[schema(value_type = crate::openapi::MessageKindName)]
    pub kind: String,
    pub author_agent_id: Option<i64>,
    pub body: String,
    pub attachments: Vec<AttachmentView>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id.0,
            kind: m.kind.as_str().into(),
            author_agent_id: m.author_agent.map(|a| a.0),
            body: m.body.clone(),
            attachments: m.attachments.iter().map(AttachmentView::from).collect(),
            created_at: m.created_at,
        }
    }
}

/// A message body with optional attachments.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    /// Up to 20,000 characters (after trimming); required unless there are attachments.
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub body: String,
    #[serde(default)]
    #[schema(max_items = 10)]
    pub attachments: Vec<AttachmentInput>,
}

impl From<AttachmentInput> for kefu_service::inputs::AttachmentInput {
    fn from(a: AttachmentInput) -> Self {
        Self {
            id: a.id,
            name: a.name.unwrap_or_default(),
            content_type: a.content_type.unwrap_or_default(),
            size_bytes: a.size_bytes.unwrap_or_default(),
            url: a.url.unwrap_or_default(),
        }
    }
}

impl From<MessageInput> for kefu_service::inputs::MessageInput {
    fn from(m: MessageInput) -> Self {
        Self {
            body: m.body,
            attachments: m.attachments.into_iter().map(Into::into).collect(),
        }
    }
}
