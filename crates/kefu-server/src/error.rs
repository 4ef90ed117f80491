//! API errors: one catalog of stable machine codes, rendered as RFC 9457 problem+json.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_store::{Conflict, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// Every error code the API can answer with. Stable: clients match on the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    MalformedJson,
    UnsupportedMediaType,
    PayloadTooLarge,
    ValidationFailed,
    InvalidTicketNumber,
    InvalidIdempotencyKey,
    Unauthenticated,
    InvalidCredentials,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    TicketNotFound,
    AgentNotFound,
    TeamNotFound,
    ApiKeyNotFound,
    IdempotencyKeyReused,
    IdempotencyKeyInProgress,
    IllegalTransition,
    TicketClosed,
    NotTicketOwner,
    NotEscalated,
    BotNotHandling,
    ArticleNotFound,
    Duplicate,
    ServiceUnavailable,
    Internal,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        Self::MalformedJson,
        Self::UnsupportedMediaType,
        Self::PayloadTooLarge,
        Self::ValidationFailed,
        Self::InvalidTicketNumber,
        Self::InvalidIdempotencyKey,
        Self::Unauthenticated,
        Self::InvalidCredentials,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::TicketNotFound,
        Self::AgentNotFound,
        Self::TeamNotFound,
        Self::ApiKeyNotFound,
        Self::IdempotencyKeyReused,
        Self::IdempotencyKeyInProgress,
        Self::IllegalTransition,
        Self::TicketClosed,
        Self::NotTicketOwner,
        Self::NotEscalated,
        Self::BotNotHandling,
        Self::ArticleNotFound,
        Self::Duplicate,
        Self::ServiceUnavailable,
        Self::Internal,
    ];

    /// The code's string, its HTTP status and its title — the whole catalog in one match.
    pub fn describe(self) -> (&'static str, StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            Self::MalformedJson => (
                "malformed_json",
                S::BAD_REQUEST,
                "The body is not valid JSON",
            ),
            Self::UnsupportedMediaType => (
                "unsupported_media_type",
                S::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as application/json",
            ),
            Self::PayloadTooLarge => (
                "payload_too_large",
                S::PAYLOAD_TOO_LARGE,
                "The body is too large",
            ),
            Self::ValidationFailed => (
                "validation_failed",
                S::UNPROCESSABLE_ENTITY,
                "Some fields are not valid",
            ),
            Self::InvalidTicketNumber => (
                "invalid_ticket_number",
                S::BAD_REQUEST,
                "Not a valid ticket number",
            ),
            Self::InvalidIdempotencyKey => (
                "invalid_idempotency_key",
                S::BAD_REQUEST,
                "The Idempotency-Key header is not valid",
            ),
            Self::Unauthenticated => (
                "unauthenticated",
                S::UNAUTHORIZED,
                "Authentication is required",
            ),
            Self::InvalidCredentials => (
                "invalid_credentials",
                S::UNAUTHORIZED,
                "E-mail or password is wrong",
            ),
            Self::Forbidden => ("forbidden", S::FORBIDDEN, "Your role does not allow this"),
            Self::NotFound => ("not_found", S::NOT_FOUND, "No such resource"),
            Self::MethodNotAllowed => (
                "method_not_allowed",
                S::METHOD_NOT_ALLOWED,
                "This method is not allowed here",
            ),
            Self::TicketNotFound => ("ticket_not_found", S::NOT_FOUND, "Ticket not found"),
            Self::AgentNotFound => ("agent_not_found", S::NOT_FOUND, "Agent not found"),
            Self::TeamNotFound => ("team_not_found", S::NOT_FOUND, "Team not found"),
            Self::ApiKeyNotFound => ("api_key_not_found", S::NOT_FOUND, "API key not found"),
            Self::IdempotencyKeyReused => (
                "idempotency_key_reused",
                S::CONFLICT,
                "The Idempotency-Key was used with a different request",
            ),
            Self::IdempotencyKeyInProgress => (
                "idempotency_key_in_progress",
                S::CONFLICT,
                "A request with this Idempotency-Key is still running",
            ),
            Self::IllegalTransition => (
                "illegal_transition",
                S::CONFLICT,
                "The ticket cannot move to that status",
            ),
            Self::TicketClosed => ("ticket_closed", S::CONFLICT, "The ticket is closed"),
            Self::NotTicketOwner => (
                "not_ticket_owner",
                S::FORBIDDEN,
                "The ticket is assigned to someone else",
            ),
            Self::BotNotHandling => (
                "bot_not_handling",
                S::CONFLICT,
                "The bot is not handling this ticket",
            ),
            Self::ArticleNotFound => (
                "article_not_found",
                S::NOT_FOUND,
                "Knowledge-base article not found",
            ),
            Self::NotEscalated => (
                "not_escalated",
                S::CONFLICT,
                "The ticket is not with a specialist team",
            ),
            Self::Duplicate => ("duplicate", S::CONFLICT, "That value is already taken"),
            Self::ServiceUnavailable => (
                "service_unavailable",
                S::SERVICE_UNAVAILABLE,
                "The service is temporarily unavailable",
            ),
            Self::Internal => (
                "internal",
                S::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side",
            ),
        }
    }

    pub fn as_str(self) -> &'static str {
        self.describe().0
    }

    pub fn status(self) -> StatusCode {
        self.describe().1
    }
}

/// One invalid field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
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
    pub status: u16,
    pub detail: String,
    /// The request id, to find the request in the logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The stable machine-readable code.
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An error a handler returns.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// The underlying cause, logged for 5xx and never shown.
    pub source: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: vec![],
            source: None,
        }
    }

    /// A validation failure naming one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let (field, message) = (field.into(), message.into());
        Self {
            code: ErrorCode::ValidationFailed,
            detail: format!("{field}: {message}"),
            errors: vec![FieldError { field, message }],
            source: None,
        }
    }

    /// A validation failure naming several fields.
    pub fn fields(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            code: ErrorCode::ValidationFailed,
            detail,
            errors,
            source: None,
        }
    }

    pub fn internal(source: impl std::fmt::Display) -> Self {
        Self {
            code: ErrorCode::Internal,
            detail: "An unexpected error occurred; it has been logged.".into(),
            errors: vec![],
            source: Some(source.to_string()),
        }
    }

    /// The ticket is missing *or* the proof is wrong: the caller must not learn which.
    pub fn ticket_not_found() -> Self {
        Self::new(
            ErrorCode::TicketNotFound,
            "No ticket with that number matches your proof of ownership.",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::new(ErrorCode::NotFound, "The resource does not exist."),
            StoreError::Conflict(Conflict::IdempotencyKeyReused) => Self::new(
                ErrorCode::IdempotencyKeyReused,
                "This Idempotency-Key was already used with a different request body.",
            ),
            StoreError::Conflict(Conflict::IllegalTransition(t)) => {
                Self::new(ErrorCode::IllegalTransition, t.to_string())
            }
            StoreError::Conflict(Conflict::Duplicate(what)) => Self::new(
                ErrorCode::Duplicate,
                format!("The {what} is already taken."),
            ),
            StoreError::Conflict(Conflict::Rule(rule)) => Self::new(ErrorCode::TicketClosed, rule),
            StoreError::Unavailable(msg) if msg.contains("idempotency") => {
                Self::new(ErrorCode::IdempotencyKeyInProgress, msg)
            }
            StoreError::Unavailable(msg) => Self {
                code: ErrorCode::ServiceUnavailable,
                detail: "The database is unavailable; retry shortly.".into(),
                errors: vec![],
                source: Some(msg),
            },
            StoreError::Backend(msg) => Self::internal(msg),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (code, status, title) = self.code.describe();
        let instance = crate::request_id::current();
        if status.is_server_error() {
            tracing::error!(
                request.id = instance.as_deref().unwrap_or("-"),
                error.code = code,
                error.source = self.source.as_deref().unwrap_or("-"),
                "request failed"
            );
        }
        let problem = Problem {
            kind: format!("https://kefu.dev/problems/{code}"),
            title: title.into(),
            status: status.as_u16(),
            detail: self.detail,
            instance,
            code: code.into(),
            errors: self.errors,
        };
        let mut response = (status, axum::Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn error_codes_are_unique_snake_case_and_documented() {
        let mut seen = HashSet::new();
        let doc = include_str!("../../../docs/ERRORS.md");
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
            assert!(
                doc.contains(&format!("`{s}`")),
                "{s} missing from docs/ERRORS.md"
            );
            assert!(code.status().is_client_error() || code.status().is_server_error());
        }
    }
}
