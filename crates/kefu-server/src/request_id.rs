//! A request id for every request: in the `x-request-id` response header, in problem
//! documents (`instance`) and in logs.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};

tokio::task_local! {
    static REQUEST_ID: String;
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The id of the request being handled, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Middleware: assigns the id (a per-process random prefix and a counter, cheap and unique).
pub async fn assign(request: Request, next: Next) -> Response {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| format!("{:08x}", rand::random::<u32>()));
    let id = format!("{prefix}-{:x}", COUNTER.fetch_add(1, Ordering::Relaxed));
    let header = HeaderValue::from_str(&id).ok();
    let mut response = REQUEST_ID.scope(id, next.run(request)).await;
    if let Some(h) = header {
        response.headers_mut().insert("x-request-id", h);
    }
    response
}
