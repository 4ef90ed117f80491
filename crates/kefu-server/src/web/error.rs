//! The friendly error page: what went wrong in the reader's language, the request id to
//! quote, and the status the error code maps to (the same map as the API's).

use super::lang::PageLang;
use super::render::{Extra, page};
use super::texts::Texts;
use axum::http::StatusCode;
use axum::response::Response;
use kefu_service::{ErrorCode, ServiceError};
use serde::Serialize;

/// What the error page shows.
#[derive(Serialize)]
pub struct ErrorView {
    pub message: &'static str,
    pub status: u16,
    pub request_id: Option<String>,
}

/// The error page for a status, with the reader's text for it.
pub fn error_page(lang: &PageLang, status: StatusCode) -> Response {
    let t = Texts::of(lang.lang);
    let message = match status {
        StatusCode::NOT_FOUND => t.error_not_found,
        StatusCode::FORBIDDEN => t.error_forbidden,
        StatusCode::TOO_MANY_REQUESTS => t.error_rate_limited,
        StatusCode::SERVICE_UNAVAILABLE => t.error_unavailable,
        _ => t.error_internal,
    };
    page(
        lang,
        status,
        "error.html",
        ErrorView {
            message,
            status: status.as_u16(),
            request_id: crate::request_id::current(),
        },
        Extra {
            private: true,
            ..Extra::default()
        },
    )
}

/// The error page for a service error; a server error is logged here, once.
pub fn service_error_page(lang: &PageLang, e: &ServiceError) -> Response {
    let status = crate::problem::status(e.code);
    if status.is_server_error() {
        tracing::error!(
            request.id = crate::request_id::current().as_deref().unwrap_or("-"),
            error.code = e.code.as_str(),
            error.cause = e.cause.as_deref().unwrap_or("-"),
            "page failed"
        );
    }
    let status = if e.code == ErrorCode::ArticleNotFound {
        StatusCode::NOT_FOUND
    } else {
        status
    };
    error_page(lang, status)
}
