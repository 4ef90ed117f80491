//! Service errors: one catalogue of stable machine codes (`ticket_not_found`, …) with a
//! title and a detail for people, the invalid fields named. No HTTP here: the server maps
//! each code to a status in one place (`kefu-server/src/problem.rs`), the CLI prints it.

use kefu_store::{Conflict, StoreError};

/// Every error code kefu answers with. Stable: clients match on the string.
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
    WebsocketRequired,
    TicketNotFound,
    AgentNotFound,
    TeamNotFound,
    ApiKeyNotFound,
    IdempotencyKeyReused,
    IdempotencyKeyInProgress,
    IllegalTransition,
    TicketClosed,
    NotTicketOwner,
    BotNotHandling,
    ArticleNotFound,
    VersionNotFound,
    NotEscalated,
    Duplicate,
    RateLimited,
    AccountLocked,
    ServiceUnavailable,
    UnsupportedFileType,
    FileTooLarge,
    AttachmentNotFound,
    LinkInvalid,
    SurveyNotFound,
    SurveyAlreadyAnswered,
    SurveyTokenInvalid,
    ReviewNotFound,
    ReviewClosed,
    PolicyNotFound,
    CannedReplyNotFound,
    ChannelNotFound,
    SignatureInvalid,
    TimestampOutOfRange,
    PayloadUnrecognized,
    AppTokenInvalid,
    Internal,
}

impl ErrorCode {
    /// Every code, for the catalogue's own tests and documentation.
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
        Self::WebsocketRequired,
        Self::TicketNotFound,
        Self::AgentNotFound,
        Self::TeamNotFound,
        Self::ApiKeyNotFound,
        Self::IdempotencyKeyReused,
        Self::IdempotencyKeyInProgress,
        Self::IllegalTransition,
        Self::TicketClosed,
        Self::NotTicketOwner,
        Self::BotNotHandling,
        Self::ArticleNotFound,
        Self::VersionNotFound,
        Self::NotEscalated,
        Self::Duplicate,
        Self::RateLimited,
        Self::AccountLocked,
        Self::ServiceUnavailable,
        Self::UnsupportedFileType,
        Self::FileTooLarge,
        Self::AttachmentNotFound,
        Self::LinkInvalid,
        Self::SurveyNotFound,
        Self::SurveyAlreadyAnswered,
        Self::SurveyTokenInvalid,
        Self::ReviewNotFound,
        Self::ReviewClosed,
        Self::PolicyNotFound,
        Self::CannedReplyNotFound,
        Self::ChannelNotFound,
        Self::SignatureInvalid,
        Self::TimestampOutOfRange,
        Self::PayloadUnrecognized,
        Self::AppTokenInvalid,
        Self::Internal,
    ];

    /// The code's string and its title.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Self::MalformedJson => ("malformed_json", "The body is not valid JSON"),
            Self::UnsupportedMediaType => (
                "unsupported_media_type",
                "Send the body as application/json",
            ),
            Self::PayloadTooLarge => ("payload_too_large", "The body is too large"),
            Self::ValidationFailed => ("validation_failed", "Some fields are not valid"),
            Self::InvalidTicketNumber => ("invalid_ticket_number", "Not a valid ticket number"),
            Self::InvalidIdempotencyKey => (
                "invalid_idempotency_key",
                "The Idempotency-Key header is not valid",
            ),
            Self::Unauthenticated => ("unauthenticated", "Authentication is required"),
            Self::InvalidCredentials => ("invalid_credentials", "E-mail or password is wrong"),
            Self::Forbidden => ("forbidden", "Your role does not allow this"),
            Self::NotFound => ("not_found", "No such resource"),
            Self::MethodNotAllowed => ("method_not_allowed", "This method is not allowed here"),
            Self::WebsocketRequired => ("websocket_required", "This route speaks WebSocket only"),
            Self::TicketNotFound => ("ticket_not_found", "Ticket not found"),
            Self::AgentNotFound => ("agent_not_found", "Agent not found"),
            Self::TeamNotFound => ("team_not_found", "Team not found"),
            Self::ApiKeyNotFound => ("api_key_not_found", "API key not found"),
            Self::IdempotencyKeyReused => (
                "idempotency_key_reused",
                "The Idempotency-Key was used with a different request",
            ),
            Self::IdempotencyKeyInProgress => (
                "idempotency_key_in_progress",
                "A request with this Idempotency-Key is still running",
            ),
            Self::IllegalTransition => (
                "illegal_transition",
                "The ticket cannot move to that status",
            ),
            Self::TicketClosed => ("ticket_closed", "The ticket is closed"),
            Self::NotTicketOwner => ("not_ticket_owner", "The ticket is assigned to someone else"),
            Self::BotNotHandling => ("bot_not_handling", "The bot is not handling this ticket"),
            Self::ArticleNotFound => ("article_not_found", "Knowledge-base article not found"),
            Self::VersionNotFound => (
                "version_not_found",
                "Knowledge-base article version not found",
            ),
            Self::NotEscalated => ("not_escalated", "The ticket is not with a specialist team"),
            Self::Duplicate => ("duplicate", "That value is already taken"),
            Self::RateLimited => ("rate_limited", "Too many requests"),
            Self::AccountLocked => ("account_locked", "Too many failed logins"),
            Self::ServiceUnavailable => (
                "service_unavailable",
                "The service is temporarily unavailable",
            ),
            Self::UnsupportedFileType => (
                "unsupported_file_type",
                "The file is not an accepted image or voice format",
            ),
            Self::FileTooLarge => ("file_too_large", "The file is larger than allowed"),
            Self::AttachmentNotFound => ("attachment_not_found", "Attachment not found"),
            Self::LinkInvalid => ("link_invalid", "The download link is expired or not valid"),
            Self::SurveyNotFound => (
                "survey_not_found",
                "No satisfaction survey was sent for this ticket",
            ),
            Self::SurveyAlreadyAnswered => (
                "survey_already_answered",
                "The satisfaction survey was answered already",
            ),
            Self::SurveyTokenInvalid => (
                "survey_token_invalid",
                "The survey token is expired or not for this ticket",
            ),
            Self::ReviewNotFound => ("review_not_found", "Review not found"),
            Self::CannedReplyNotFound => ("canned_reply_not_found", "Canned reply not found"),
            Self::ReviewClosed => ("review_closed", "The review is closed"),
            Self::PolicyNotFound => ("policy_not_found", "Policy update not found"),
            Self::ChannelNotFound => ("channel_not_found", "No such channel is configured"),
            Self::SignatureInvalid => (
                "signature_invalid",
                "The webhook signature is missing or does not match",
            ),
            Self::TimestampOutOfRange => (
                "timestamp_out_of_range",
                "The webhook timestamp is missing, too old or in the future",
            ),
            Self::PayloadUnrecognized => (
                "payload_unrecognized",
                "The payload's shape is not one kefu knows",
            ),
            Self::AppTokenInvalid => (
                "app_token_invalid",
                "The app-user token is malformed, expired or wrongly signed",
            ),
            Self::Internal => ("internal", "Something went wrong on our side"),
        }
    }

    /// The stable snake_case string.
    pub fn as_str(self) -> &'static str {
        self.describe().0
    }

    /// A short title for people.
    pub fn title(self) -> &'static str {
        self.describe().1
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One invalid field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Dotted path of the field (`customer.external_id`).
    pub field: String,
    pub message: String,
}

/// Why a use-case refused or failed.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct ServiceError {
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// The underlying cause, logged for internal errors and never shown.
    pub cause: Option<String>,
    /// For `rate_limited` and `account_locked`: when to try again.
    pub retry_after: Option<std::time::Duration>,
}

/// The result of every use-case.
pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: vec![],
            cause: None,
            retry_after: None,
        }
    }

    /// A validation failure naming one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let (field, message) = (field.into(), message.into());
        Self {
            detail: format!("{field}: {message}"),
            errors: vec![FieldError { field, message }],
            ..Self::new(ErrorCode::ValidationFailed, "")
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
            errors,
            ..Self::new(ErrorCode::ValidationFailed, detail)
        }
    }

    /// An unexpected failure: a generic detail for the caller, the cause for the log.
    pub fn internal(source: impl std::fmt::Display) -> Self {
        Self {
            cause: Some(source.to_string()),
            ..Self::new(
                ErrorCode::Internal,
                "An unexpected error occurred; it has been logged.",
            )
        }
    }

    /// The ticket is missing *or* the proof is wrong: the caller must not learn which.
    pub fn ticket_not_found() -> Self {
        Self::new(
            ErrorCode::TicketNotFound,
            "No ticket with that number matches your proof of ownership.",
        )
    }

    /// The caller's role does not allow this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, detail)
    }

    /// Too many attempts: try again after `wait`.
    pub fn rate_limited(
        code: ErrorCode,
        detail: impl Into<String>,
        wait: std::time::Duration,
    ) -> Self {
        Self {
            retry_after: Some(wait),
            ..Self::new(code, detail)
        }
    }

    /// Names the field a conflict is about.
    pub fn with_field(mut self, field: &str) -> Self {
        self.errors.push(FieldError {
            field: field.to_owned(),
            message: self.detail.clone(),
        });
        self
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::new(ErrorCode::NotFound, "The resource does not exist."),
            StoreError::Conflict(c) => match c {
                Conflict::IdempotencyKeyReused => Self::new(
                    ErrorCode::IdempotencyKeyReused,
                    "This Idempotency-Key was already used with a different request body.",
                ),
                Conflict::IdempotencyKeyInProgress => Self::new(
                    ErrorCode::IdempotencyKeyInProgress,
                    "The first request with this Idempotency-Key is still running; retry shortly.",
                ),
                Conflict::IllegalTransition(t) => {
                    Self::new(ErrorCode::IllegalTransition, t.to_string())
                }
                Conflict::Duplicate(what) => Self::new(
                    ErrorCode::Duplicate,
                    format!("The {what} is already taken."),
                ),
                Conflict::TicketClosed => Self::new(
                    ErrorCode::TicketClosed,
                    "This ticket is closed; please open a new one.",
                ),
                Conflict::AgentDeactivated => Self::field("agent_id", "the agent is deactivated"),
                Conflict::NotEscalated => Self::new(
                    ErrorCode::NotEscalated,
                    "The ticket is not with a specialist team.",
                ),
                Conflict::SurveyAnswered => Self::new(
                    ErrorCode::SurveyAlreadyAnswered,
                    "This survey was answered already; thank you.",
                ),
                Conflict::ReviewClosed => Self::new(
                    ErrorCode::ReviewClosed,
                    "This review is closed and changes no more.",
                ),
                Conflict::VersionNotFound => {
                    Self::field("version", "the article has no such version")
                        .with_code(ErrorCode::VersionNotFound)
                }
            },
            StoreError::Unavailable(msg) => Self {
                cause: Some(msg),
                ..Self::new(
                    ErrorCode::ServiceUnavailable,
                    "The database is unavailable; retry shortly.",
                )
            },
            StoreError::Backend(msg) => Self::internal(msg),
        }
    }
}

impl ServiceError {
    /// The same error under another code (keeps the detail and fields).
    pub fn with_code(mut self, code: ErrorCode) -> Self {
        self.code = code;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn error_codes_are_unique_and_snake_case() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
            assert!(!code.title().is_empty());
        }
    }
}
