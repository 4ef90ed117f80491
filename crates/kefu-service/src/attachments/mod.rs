//! Attachments: files uploaded by staff, channels and customers, checked before they are
//! kept — the type sniffed from the bytes against an allow-list, a size limit per kind,
//! image metadata stripped, a voice message's length read (and its text, when a
//! speech-to-text backend is set). Messages refer to them by id; the first message that
//! uses one binds it to its ticket for good, and from then on whoever may see the ticket
//! gets a download link that expires ([`link`]).

mod binding;
pub mod link;
pub mod sniff;
pub mod storage;
pub mod strip;
pub mod sweep;
pub mod transcribe;
pub mod voice;

use crate::caller::{Caller, CustomerProof};
use crate::core::Core;
use crate::error::{ErrorCode, FieldError, ServiceError, ServiceResult};
pub use binding::{Target, bind, resolve, valid_id};
use jiff::Timestamp;
use kefu_domain::{AttachmentKind, Message, TicketId};
use kefu_store::{AttachmentRecord, NewAttachment};
use std::sync::Arc;
use std::time::Duration;
pub use storage::{BlobStore, DirectoryStore, StorageError};
pub use transcribe::{TranscribeError, Transcriber};

/// Limits and backends, from the `[attachments]` configuration.
#[derive(Debug, Clone)]
pub struct AttachmentSettings {
    /// Largest image accepted, in bytes.
    pub image_max_bytes: u64,
    /// Largest voice recording accepted, in bytes.
    pub voice_max_bytes: u64,
    /// How long a download link stays valid.
    pub link_ttl: Duration,
    /// How long an upload no message used is kept before [`sweep`] deletes it.
    pub unused_ttl: Duration,
    pub storage: Arc<dyn BlobStore>,
    pub transcriber: Option<Arc<dyn Transcriber>>,
}

impl Default for AttachmentSettings {
    /// 10 MiB images, 10 MiB voice, 15-minute links, unused uploads kept a day, files in
    /// the system's temporary directory (the binary always configures a directory of its
    /// own).
    fn default() -> Self {
        Self {
            image_max_bytes: 10 * 1024 * 1024,
            voice_max_bytes: 10 * 1024 * 1024,
            link_ttl: Duration::from_secs(15 * 60),
            unused_ttl: Duration::from_secs(24 * 3600),
            storage: Arc::new(DirectoryStore::new(
                std::env::temp_dir().join("kefu-attachments"),
            )),
            transcriber: None,
        }
    }
}

impl AttachmentSettings {
    /// The largest upload of any kind (the upload route's body limit follows it).
    pub fn max_bytes(&self) -> u64 {
        self.image_max_bytes.max(self.voice_max_bytes)
    }

    fn limit(&self, kind: AttachmentKind) -> u64 {
        match kind {
            AttachmentKind::Image => self.image_max_bytes,
            AttachmentKind::Voice => self.voice_max_bytes,
        }
    }
}

/// An upload as an entry point received it.
#[derive(Debug, Clone, Default)]
pub struct NewUpload {
    /// The client's file name (shown only; its extension is replaced by the real one).
    pub name: Option<String>,
    pub bytes: Vec<u8>,
    /// The slot the client fills (`image` or `voice`): a file of the other kind is refused.
    pub kind: Option<String>,
    /// The customer's ticket (needed with a lookup code): the file is bound to it at once.
    pub ticket: Option<String>,
}

/// A stored upload and a link for its uploader.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub record: AttachmentRecord,
    pub url: String,
    pub url_expires_at: Timestamp,
}

/// Who may attach an unbound file: the uploader's key. `None` for callers who cannot
/// upload without naming a ticket.
fn uploader_of(caller: &Caller) -> Option<String> {
    match caller {
        Caller::Staff(s) => Some(format!("agent:{}", s.agent_id.0)),
        Caller::Channel(k) | Caller::Customer(CustomerProof::Channel { key: k, .. }) => {
            Some(format!("key:{}", k.key_id.0))
        }
        Caller::System => Some("system".into()),
        Caller::Customer(CustomerProof::AppUser { app, external_id }) => {
            Some(format!("app:{app}:{external_id}"))
        }
        Caller::Customer(CustomerProof::LookupCode(_)) | Caller::Anonymous => None,
    }
}

fn refused(code: ErrorCode, detail: String) -> ServiceError {
    ServiceError {
        errors: vec![FieldError {
            field: "file".into(),
            message: detail.clone(),
        }],
        ..ServiceError::new(code, detail)
    }
}

/// A size for people: whole KiB below 1 MiB, else MiB with one decimal.
fn mib(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!(
            "{}.{} MiB",
            bytes / (1024 * 1024),
            bytes % (1024 * 1024) * 10 / (1024 * 1024)
        )
    }
}

/// Who owns an upload while unbound, and the ticket it is bound to at once (a customer's).
async fn owner(
    core: &Core,
    caller: &Caller,
    ticket: Option<&str>,
) -> ServiceResult<(String, Option<TicketId>)> {
    match (ticket, caller) {
        (Some(number), Caller::Customer(_)) => {
            let number = crate::lookup::parse_number(number)?;
            let t = crate::lookup::find_own_ticket(core, caller, &number).await?;
            Ok((format!("ticket:{}", t.id.0), Some(t.id)))
        }
        (Some(_), _) => Err(ServiceError::field(
            "ticket",
            "only customers name a ticket; staff and channels attach files when they write",
        )),
        (None, Caller::Anonymous) => Err(ServiceError::new(
            ErrorCode::Unauthenticated,
            "Sign in, send a channel key, or send the ticket's lookup code with its number.",
        )),
        (None, c) => uploader_of(c).map(|u| (u, None)).ok_or_else(|| {
            ServiceError::field(
                "ticket",
                "is required with a lookup code: the ticket the file is for",
            )
        }),
    }
}

/// The accepted format of `bytes`, within its kind's size limit and of the kind asked for.
fn checked_format(
    settings: &AttachmentSettings,
    bytes: &[u8],
    wanted: Option<&str>,
) -> ServiceResult<sniff::Format> {
    let wanted = match wanted.map(str::trim) {
        None | Some("") => None,
        Some(k) => Some(
            k.parse::<AttachmentKind>()
                .map_err(|_| ServiceError::field("kind", "must be image or voice"))?,
        ),
    };
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size == 0 {
        return Err(ServiceError::field("file", "is empty"));
    }
    if size > settings.max_bytes() {
        return Err(refused(
            ErrorCode::FileTooLarge,
            format!("is larger than {}", mib(settings.max_bytes())),
        ));
    }
    let Some(format) = sniff::sniff(bytes) else {
        return Err(refused(
            ErrorCode::UnsupportedFileType,
            format!(
                "is not an accepted format (by its content, whatever its name): {}",
                sniff::accepted().collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    if let Some(w) = wanted.filter(|w| *w != format.kind) {
        return Err(refused(
            ErrorCode::UnsupportedFileType,
            format!(
                "is {}, not {w} (judged by its content)",
                format.content_type
            ),
        ));
    }
    let limit = settings.limit(format.kind);
    if size > limit {
        return Err(refused(
            ErrorCode::FileTooLarge,
            format!("is a {} file larger than {}", format.kind, mib(limit)),
        ));
    }
    Ok(format)
}

/// Checks, cleans and stores an upload.
pub async fn upload(core: &Core, caller: &Caller, up: NewUpload) -> ServiceResult<Uploaded> {
    let settings = &core.settings.attachments;
    let (uploader, ticket) = owner(core, caller, up.ticket.as_deref()).await?;
    let format = checked_format(settings, &up.bytes, up.kind.as_deref())?;
    let content_type = format.content_type;
    // Parsing is CPU work on untrusted bytes: off the async workers.
    let (bytes, duration_ms) = crate::bot::off_runtime(move || match format.kind {
        AttachmentKind::Image => strip::strip(content_type, up.bytes)
            .map(|b| (b, None))
            .map_err(|e| e.to_string()),
        AttachmentKind::Voice => voice::duration_ms(content_type, up.bytes.clone())
            .map(|ms| (up.bytes, Some(ms)))
            .map_err(|e| e.to_string()),
    })
    .await?
    .map_err(|e| ServiceError::field("file", e))?;
    let transcript = match (&settings.transcriber, format.kind) {
        (Some(t), AttachmentKind::Voice) => match t.transcribe(content_type, &bytes).await {
            Ok(text) => text,
            Err(e) => {
                tracing::warn!(error = %e, "voice transcription failed; stored without text");
                None
            }
        },
        _ => None,
    };
    let id = uuid::Uuid::new_v4().simple().to_string();
    let storage_key = format!("{}/{id}.{}", &id[..2], format.extension);
    let record = NewAttachment {
        id: id.clone(),
        kind: format.kind,
        content_type: content_type.to_owned(),
        size_bytes: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        name: file_name(up.name.as_deref(), format),
        storage_key: storage_key.clone(),
        uploader,
        ticket,
        duration_ms,
        transcript,
        at: Timestamp::now(),
    };
    settings
        .storage
        .put(&storage_key, bytes)
        .await
        .map_err(|e| unavailable("The file could not be stored; try again.", e))?;
    core.store.save_attachment(record).await?;
    let record = core
        .store
        .attachment(&id)
        .await?
        .ok_or_else(|| ServiceError::internal("a saved attachment cannot be read back"))?;
    let (url, url_expires_at) = signed_url(core, &id, Timestamp::now());
    Ok(Uploaded {
        record,
        url,
        url_expires_at,
    })
}

/// A display name: the client's last path part without control characters, at most 100
/// characters, with the extension of what the file really is.
fn file_name(client: Option<&str>, format: sniff::Format) -> String {
    let base = client
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let stem: String = stem
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/'))
        .take(100)
        .collect();
    let stem = match stem.trim() {
        "" => format.kind.as_str(),
        s => s,
    };
    format!("{stem}.{}", format.extension)
}

/// `/api/v1/attachments/<id>?expires=…&sig=…` valid for the configured time from `now`.
pub fn signed_url(core: &Core, id: &str, now: Timestamp) -> (String, Timestamp) {
    let ttl = jiff::SignedDuration::try_from(core.settings.attachments.link_ttl)
        .unwrap_or(jiff::SignedDuration::from_mins(15));
    let expires_at = now.checked_add(ttl).unwrap_or(now);
    let expires = expires_at.as_second();
    let sig = link::sign(&core.attachment_link_key, id, expires);
    (
        format!("/api/v1/attachments/{id}?expires={expires}&sig={sig}"),
        expires_at,
    )
}

/// Fills the download links of uploaded files on messages the caller was allowed to read.
pub fn sign_links(core: &Core, messages: &mut [Message]) {
    let now = Timestamp::now();
    for a in messages.iter_mut().flat_map(|m| m.attachments.iter_mut()) {
        if let Some(id) = &a.id {
            a.url = signed_url(core, id, now).0;
        }
    }
}

/// A file to send back: what it is and its bytes.
#[derive(Debug)]
pub struct Download {
    pub record: AttachmentRecord,
    pub bytes: Vec<u8>,
}

/// The file behind a signed link. The link is the permission: it was minted for someone
/// allowed to see the file; an expired or altered one is `link_invalid`.
pub async fn download(core: &Core, id: &str, expires: i64, sig: &str) -> ServiceResult<Download> {
    let now = Timestamp::now().as_second();
    if !link::verify(&core.attachment_link_key, id, expires, sig, now) {
        return Err(ServiceError::new(
            ErrorCode::LinkInvalid,
            "This download link has expired or is not valid; load the message again for a fresh one.",
        ));
    }
    let record = core.store.attachment(id).await?.ok_or_else(not_found)?;
    let bytes = core
        .settings
        .attachments
        .storage
        .get(&record.storage_key)
        .await
        .map_err(|e| match e {
            StorageError::NotFound => not_found(),
            other => unavailable("The file cannot be read now; try again.", other),
        })?;
    Ok(Download { record, bytes })
}

fn unavailable(detail: &str, cause: StorageError) -> ServiceError {
    ServiceError {
        cause: Some(cause.to_string()),
        ..ServiceError::new(ErrorCode::ServiceUnavailable, detail)
    }
}

fn not_found() -> ServiceError {
    ServiceError::new(
        ErrorCode::AttachmentNotFound,
        "There is no such attachment.",
    )
}
