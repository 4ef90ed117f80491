//! What every request goes through once, outside the router: its request id in scope for
//! the logs (and in a span), the rate limits, `Cache-Control: no-store` under `/api/`, a timeout turned
//! into a problem, and the metrics.
//!
//! One middleware rather than one per concern, and around the router rather than on each
//! route: axum clones a route's whole layer stack for every request it serves, and each
//! `from_fn` layer clones everything inside it again, so eight layers per route cost a
//! sixth of the intake path's instructions (callgrind, 2026-11-30; docs/PERFORMANCE.md).

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use std::time::{Duration, Instant};
use tower_http::request_id::RequestId;
use tracing::Instrument;

/// The middleware (see the module header); `limit` is the request timeout it reports.
pub async fn handle(
    State((state, limit)): State<(AppState, Duration)>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let api = request.uri().path().starts_with("/api/");
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-")
        .to_owned();
    // Every line logged while serving carries the request id (and, in JSON, the method).
    let span = tracing::info_span!("request", request.id = %id, http.method = %method);
    let mut response = crate::request_id::in_scope(id, async move {
        // Inside the id's scope: a refusal's problem document names the request too.
        let response = match crate::rate_limit::refusal(&state.rate_limits, &request) {
            None => next.run(request).await,
            Some(refused) => refused,
        };
        crate::security::timeout_problem(limit, response)
    })
    .instrument(span)
    .await;
    if api {
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    crate::metrics::record(&method, &response, started);
    response
}
