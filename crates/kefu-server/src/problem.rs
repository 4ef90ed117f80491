//! API errors as RFC 9457 problem+json: the service's stable codes, each given its HTTP
//! status here and nowhere else.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
pub use kefu_service::{ErrorCode, FieldError, ServiceError};
use serde::Serialize;
use utoipa::ToSchema;

/// The HTTP status of each code — the whole map in one match.
pub fn status(code: ErrorCode) -> StatusCode {
    use StatusCode as S;
    match code {
        ErrorCode::MalformedJson => S::BAD_REQUEST,
        ErrorCode::UnsupportedMediaType => S::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::PayloadTooLarge => S::PAYLOAD_TOO_LARGE,
        ErrorCode::ValidationFailed => S::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidTicketNumber => S::BAD_REQUEST,
        ErrorCode::InvalidIdempotencyKey => S::BAD_REQUEST,
        ErrorCode::Unauthenticated => S::UNAUTHORIZED,
        ErrorCode::InvalidCredentials => S::UNAUTHORIZED,
        ErrorCode::Forbidden => S::FORBIDDEN,
        ErrorCode::NotFound => S::NOT_FOUND,
        ErrorCode::MethodNotAllowed => S::METHOD_NOT_ALLOWED,
        ErrorCode::WebsocketRequired => S::UPGRADE_REQUIRED,
        ErrorCode::TicketNotFound => S::NOT_FOUND,
        ErrorCode::AgentNotFound => S::NOT_FOUND,
        ErrorCode::TeamNotFound => S::NOT_FOUND,
        ErrorCode::ApiKeyNotFound => S::NOT_FOUND,
        ErrorCode::IdempotencyKeyReused => S::CONFLICT,
        ErrorCode::IdempotencyKeyInProgress => S::CONFLICT,
        ErrorCode::IllegalTransition => S::CONFLICT,
        ErrorCode::TicketClosed => S::CONFLICT,
        ErrorCode::NotTicketOwner => S::FORBIDDEN,
        ErrorCode::BotNotHandling => S::CONFLICT,
        ErrorCode::ArticleNotFound => S::NOT_FOUND,
        ErrorCode::VersionNotFound => S::NOT_FOUND,
        ErrorCode::NotEscalated => S::CONFLICT,
        ErrorCode::Duplicate => S::CONFLICT,
        ErrorCode::RateLimited => S::TOO_MANY_REQUESTS,
        ErrorCode::AccountLocked => S::TOO_MANY_REQUESTS,
        ErrorCode::ServiceUnavailable => S::SERVICE_UNAVAILABLE,
        ErrorCode::UnsupportedFileType => S::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::FileTooLarge => S::PAYLOAD_TOO_LARGE,
        ErrorCode::AttachmentNotFound => S::NOT_FOUND,
        ErrorCode::LinkInvalid => S::FORBIDDEN,
        ErrorCode::SurveyNotFound => S::NOT_FOUND,
        ErrorCode::SurveyAlreadyAnswered => S::CONFLICT,
        ErrorCode::SurveyTokenInvalid => S::FORBIDDEN,
        ErrorCode::ReviewNotFound => S::NOT_FOUND,
        ErrorCode::PolicyNotFound => S::NOT_FOUND,
        ErrorCode::CannedReplyNotFound => S::NOT_FOUND,
        ErrorCode::ReviewClosed => S::CONFLICT,
        ErrorCode::ChannelNotFound => S::NOT_FOUND,
        ErrorCode::SignatureInvalid => S::UNAUTHORIZED,
        ErrorCode::TimestampOutOfRange => S::UNAUTHORIZED,
        ErrorCode::PayloadUnrecognized => S::UNPROCESSABLE_ENTITY,
        ErrorCode::AppTokenInvalid => S::UNAUTHORIZED,
        ErrorCode::Internal => S::INTERNAL_SERVER_ERROR,
        // A code added to the service without a status here is a server error until mapped.
        _ => S::INTERNAL_SERVER_ERROR,
    }
}

/// One invalid field, as documented in the OpenAPI schema.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FieldError)]
pub struct FieldErrorDoc {
    /// Dotted path of the field (`customer.external_id`).
    pub field: String,
    pub message: String,
}

/// An RFC 9457 problem document, plus kefu's stable `code`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    pub detail: String,
    /// The request id, to find the request in the logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The stable machine-readable code.
    #[schema(value_type = crate::openapi::ErrorCodeName)]
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldErrorDoc>)]
    pub errors: Vec<FieldError>,
}

/// An error a handler returns: a service error on its way to becoming a problem document.
#[derive(Debug)]
pub struct ApiError(pub ServiceError);

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self(ServiceError::new(code, detail))
    }

    /// A validation failure naming one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(ServiceError::field(field, message))
    }

    pub fn internal(source: impl std::fmt::Display) -> Self {
        Self(ServiceError::internal(source))
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status(e.code);
        let instance = crate::request_id::current();
        if status.is_server_error() {
            tracing::error!(
                request.id = instance.as_deref().unwrap_or("-"),
                error.code = e.code.as_str(),
                error.cause = e.cause.as_deref().unwrap_or("-"),
                "request failed"
            );
        }
        let problem = Problem {
            kind: format!("https://kefu.dev/problems/{}", e.code.as_str()),
            title: e.code.title().into(),
            status: status.as_u16(),
            detail: e.detail,
            instance,
            code: e.code.as_str().into(),
            errors: e.errors,
        };
        let mut response = (status, axum::Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(wait) = e.retry_after {
            let secs = wait.as_secs().max(1).to_string();
            if let Ok(v) = HeaderValue::from_str(&secs) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The catalogue page is read from disk, the codes from the service: a code added to
    /// the service but not to docs/ERRORS.md (or not given a status here) fails.
    #[test]
    fn every_code_has_a_status_and_is_documented() {
        let doc =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ERRORS.md"))
                .expect("docs/ERRORS.md");
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                doc.contains(&format!("`{s}`")),
                "{s} missing from docs/ERRORS.md"
            );
            let st = status(*code);
            assert!(st.is_client_error() || st.is_server_error(), "{s}");
            assert!(
                *code == ErrorCode::Internal || st != StatusCode::INTERNAL_SERVER_ERROR,
                "{s} has no status of its own"
            );
        }
    }
}
