//! Uploaded files as the store keeps them: what they are, who uploaded them and the ticket
//! they were bound to once a message used them (that ticket decides who may read them).

use kefu_domain::{AttachmentKind, TicketId};

/// A file just uploaded and checked; its bytes are already in the attachment store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    /// A random id (UUID, simple form).
    pub id: String,
    pub kind: AttachmentKind,
    pub content_type: String,
    pub size_bytes: u64,
    pub name: String,
    pub storage_key: String,
    /// Who may attach it while unbound (`agent:<id>`, `key:<id>`, `ticket:<id>`).
    pub uploader: String,
    /// Bound at upload (a customer uploading into their ticket), or `None` until used.
    pub ticket: Option<TicketId>,
    pub duration_ms: Option<u64>,
    pub transcript: Option<String>,
    pub at: jiff::Timestamp,
}

/// A stored attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRecord {
    pub id: String,
    pub kind: AttachmentKind,
    pub content_type: String,
    pub size_bytes: u64,
    pub name: String,
    pub storage_key: String,
    pub uploader: String,
    pub ticket: Option<TicketId>,
    pub duration_ms: Option<u64>,
    pub transcript: Option<String>,
    pub created_at: jiff::Timestamp,
}

/// Ties uploaded files to the ticket a message puts them on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentBinding {
    pub ids: Vec<String>,
    pub ticket: TicketId,
    /// Unbound files must come from this uploader; files already on `ticket` stay.
    pub uploader: String,
}
