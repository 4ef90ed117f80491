//! Plain input types of the use-cases, as any entry point fills them (the API converts its
//! request types into these). Values arrive unchecked; each use-case validates them and
//! names every bad field.

/// The customer a ticket is opened for, as the channel knows them.
#[derive(Debug, Clone, Default)]
pub struct CustomerInput {
    /// The channel's own id for the customer (app user id, social handle, e-mail).
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// BCP 47 tag; `zh-CN` when absent.
    pub language: Option<String>,
}

/// A new request from a customer.
#[derive(Debug, Clone, Default)]
pub struct NewTicketInput {
    pub customer: CustomerInput,
    /// in_app, web_form, social, email or api; defaults to the key's channel.
    pub channel: Option<String>,
    pub subject: Option<String>,
    pub body: String,
    pub category: Option<String>,
    pub priority: Option<String>,
    pub attachments: Vec<AttachmentInput>,
    /// Free-form context from the channel (app version, device, page …), a JSON object.
    pub context: Option<serde_json::Value>,
}

/// A file on a message: an uploaded file by `id` (the other fields empty), or a link with
/// its metadata.
#[derive(Debug, Clone, Default)]
pub struct AttachmentInput {
    /// The id `POST /api/v1/attachments` answered.
    pub id: Option<String>,
    pub name: String,
    pub content_type: String,
    pub size_bytes: u64,
    pub url: String,
}

/// A message body with optional attachments (the body may be empty when there are some).
#[derive(Debug, Clone, Default)]
pub struct MessageInput {
    pub body: String,
    pub attachments: Vec<AttachmentInput>,
}
