//! `/api/v1/attachments`: upload a file (multipart), download one through a signed link.
//! The checks (type from the bytes, limits, metadata stripping, who may attach what) are
//! kefu-service's; this file reads the form and writes the headers that keep a download
//! from being rendered as anything but what it is.

use crate::extract::{ApiQuery, Authed};
use crate::problem::{ApiError, ApiResult, ErrorCode, Problem};
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_service::attachments::{self, NewUpload};
use kefu_service::{Caller, CustomerProof};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Room for the multipart framing and the small fields around the file.
const FORM_OVERHEAD_BYTES: u64 = 64 * 1024;

/// The upload form (`multipart/form-data`).
#[derive(Debug, ToSchema)]
#[expect(
    dead_code,
    reason = "documentation of the form; the handler reads it part by part"
)]
pub struct UploadForm {
    /// The file. Its type is judged from its bytes: images JPEG, PNG, WebP, GIF; voice
    /// AMR, MP3, M4A, OGG, WAV. The file name is shown only.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The slot being filled: a file of the other kind is refused.
    #[schema(value_type = Option<crate::openapi::AttachmentKindName>)]
    kind: Option<String>,
    /// With a lookup code: the ticket the file is for (bound to it at once).
    #[schema(pattern = "^[0-9]{6}-?[0-9]{4}-?[0-9]{4}-?[0-9]$")]
    ticket: Option<String>,
}

/// An uploaded file.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentResponse {
    /// Refer to the file on a message as `{"id": …}`.
    #[schema(pattern = "^[0-9a-f]{32}$")]
    pub id: String,
    #[schema(value_type = crate::openapi::AttachmentKindName)]
    pub kind: String,
    /// Sniffed from the bytes.
    pub content_type: String,
    /// After metadata was stripped.
    pub size_bytes: u64,
    /// The client's name with the real extension.
    pub name: String,
    /// A voice message's length.
    pub duration_ms: Option<u64>,
    /// A voice message's text, when speech-to-text is configured.
    pub transcript: Option<String>,
    /// A download link for the uploader, relative to the server.
    pub url: String,
    #[schema(value_type = String, format = DateTime)]
    pub url_expires_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

/// The caller of an upload: a customer with a lookup code, a channel key speaking for a
/// customer (`X-Customer-Id`), a channel key, or staff.
fn uploader(caller: Caller, headers: &HeaderMap) -> Caller {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    match (caller, header("x-lookup-code"), header("x-customer-id")) {
        (Caller::Anonymous, Some(code), _) => Caller::Customer(CustomerProof::LookupCode(code)),
        (Caller::Channel(key), _, Some(external_id)) => {
            Caller::Customer(CustomerProof::Channel { key, external_id })
        }
        (caller, _, _) => caller,
    }
}

fn too_large(max: u64) -> ApiError {
    ApiError(kefu_service::ServiceError {
        errors: vec![kefu_service::FieldError {
            field: "file".into(),
            message: format!("the upload is larger than {max} bytes"),
        }],
        ..kefu_service::ServiceError::new(
            ErrorCode::FileTooLarge,
            format!("The upload is larger than {max} bytes."),
        )
    })
}

/// Uploads an image or a voice recording; the answer's `id` goes on a message.
#[utoipa::path(post, path = "/api/v1/attachments", operation_id = "upload_attachment", tag = "attachments",
    params(("X-Lookup-Code" = Option<String>, Header, description = "A customer's lookup code (then name the ticket in the form)", max_length = 64), ("X-Customer-Id" = Option<String>, Header, description = "With a channel's API key as bearer token: the channel's id for the customer", max_length = 200)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentResponse), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    Authed(caller): Authed,
    request: Request,
) -> ApiResult<(StatusCode, Json<AttachmentResponse>)> {
    let caller = uploader(caller, request.headers());
    let max = state.settings.attachments.max_bytes() + FORM_OVERHEAD_BYTES;
    if request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .is_some_and(|n| n > max)
    {
        return Err(too_large(max));
    }
    let (parts, body) = request.into_parts();
    // The route's body limit is lifted; this is the one for uploads.
    let bytes = axum::body::to_bytes(body, usize::try_from(max).unwrap_or(usize::MAX))
        .await
        .map_err(|_| too_large(max))?;
    let request = Request::from_parts(parts, Body::from(bytes));
    let mut form = axum::extract::Multipart::from_request(request, &state)
        .await
        .map_err(|e| {
            ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!("Send the file as multipart/form-data: {}", e.body_text()),
            )
        })?;
    let mut up = NewUpload::default();
    let mut seen_file = false;
    let bad_form = |e: axum::extract::multipart::MultipartError| {
        ApiError::field(
            "file",
            format!("the form cannot be read: {}", e.body_text()),
        )
    };
    while let Some(field) = form.next_field().await.map_err(bad_form)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if !seen_file => {
                seen_file = true;
                up.name = field.file_name().map(str::to_owned);
                up.bytes = field.bytes().await.map_err(bad_form)?.to_vec();
            }
            name @ ("kind" | "ticket") => {
                let text = field.text().await.map_err(bad_form)?;
                if text.chars().count() > 64 {
                    return Err(ApiError::field(name, "must have at most 64 characters"));
                }
                if name == "kind" {
                    up.kind = Some(text);
                } else {
                    up.ticket = Some(text);
                }
            }
            "file" => return Err(ApiError::field("file", "send one file per upload")),
            other => {
                return Err(ApiError::field(
                    other.chars().take(40).collect::<String>(),
                    "is not a field of this form (file, kind, ticket)",
                ));
            }
        }
    }
    if !seen_file {
        return Err(ApiError::field("file", "is required"));
    }
    let done = attachments::upload(&state, &caller, up).await?;
    let r = done.record;
    Ok((
        StatusCode::CREATED,
        Json(AttachmentResponse {
            id: r.id,
            kind: r.kind.as_str().to_owned(),
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            name: r.name,
            duration_ms: r.duration_ms,
            transcript: r.transcript,
            url: done.url,
            url_expires_at: done.url_expires_at,
            created_at: r.created_at,
        }),
    ))
}

/// The signature of a download link.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DownloadQuery {
    /// Unix seconds after which the link stops working.
    #[param(minimum = 0)]
    pub expires: Option<i64>,
    /// The link's signature.
    #[param(pattern = "^[0-9a-f]{64}$")]
    pub sig: Option<String>,
}

/// Downloads a file through the link a message or the upload gave (no token needed: the
/// link is the permission, and it expires).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", operation_id = "download_attachment", tag = "attachments",
    params(("id" = String, Path, description = "The attachment id", pattern = "^[0-9a-f]{32}$"), DownloadQuery),
    responses((status = 200, description = "The file, with the content type sniffed at upload", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn download_attachment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DownloadQuery>,
) -> ApiResult<Response> {
    let (expires, sig) = (q.expires.unwrap_or(0), q.sig.unwrap_or_default());
    let file = attachments::download(&state, &id, expires, &sig).await?;
    let r = &file.record;
    let headers = [
        (header::CONTENT_TYPE, header_value(&r.content_type)),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=300"),
        ),
        (
            header::CONTENT_DISPOSITION,
            header_value(&content_disposition(&r.name)),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; sandbox"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    Ok((headers, file.bytes).into_response())
}

fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

/// `attachment` (never rendered in place), an ASCII fallback name and the real name
/// percent-encoded (RFC 6266), so no quote, newline or path in a name reaches the header.
fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_break_out_of_the_disposition_header() {
        let d = content_disposition("语音\"\r\nX: y.amr");
        assert_eq!(
            d,
            "attachment; filename=\"_____X__y.amr\"; filename*=UTF-8''%E8%AF%AD%E9%9F%B3%22%0D%0AX%3A%20y.amr"
        );
    }
}
