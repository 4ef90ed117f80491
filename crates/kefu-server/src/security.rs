//! Response hardening every route gets: browser security headers, `no-store` on the API,
//! a panic turned into a problem document, and the whole-request timeout as a problem
//! document too.

use crate::problem::{ApiError, ErrorCode};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::any::Any;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;

/// `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options:
/// DENY` — unless the handler set its own value (a page meant to be framed can).
pub fn header_layers() -> [SetResponseHeaderLayer<HeaderValue>; 3] {
    [
        SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ),
    ]
}

/// The status tower-http's `TimeoutLayer` answers with, for [`timeout_problem`] to find.
pub const TIMEOUT_MARKER: StatusCode = StatusCode::REQUEST_TIMEOUT;

/// Outside the `TimeoutLayer` ([`crate::edge`]): its bare answer becomes a 503
/// `service_unavailable` problem that says how long the limit is.
pub fn timeout_problem(limit: Duration, response: Response) -> Response {
    if response.status() != TIMEOUT_MARKER || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    tracing::warn!(timeout_s = limit.as_secs(), "request not answered in time");
    let mut problem = ApiError::new(
        ErrorCode::ServiceUnavailable,
        format!(
            "The request was not answered within {} s; retry shortly.",
            limit.as_secs()
        ),
    )
    .into_response();
    problem
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    problem
}

/// For `CatchPanicLayer`: a panic in a handler becomes a logged 500 problem, never a
/// dropped connection.
pub fn panic_problem(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a handler panicked".to_owned());
    ApiError::internal(format!("panic: {message}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt;
    use tower_http::catch_panic::CatchPanicLayer;

    #[tokio::test]
    async fn a_panicking_handler_answers_a_500_problem() {
        let app = Router::new()
            .route(
                "/boom",
                get(|| async {
                    let empty: Vec<String> = vec![];
                    empty[1].clone()
                }),
            )
            .layer(CatchPanicLayer::custom(panic_problem));
        let request = axum::http::Request::get("/boom")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["code"], "internal");
        assert!(!body.to_string().contains("index out of bounds"), "{body}");
    }
}
