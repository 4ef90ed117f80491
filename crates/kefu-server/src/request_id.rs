//! A request id for every request: in the `x-request-id` response header, in problem
//! documents (`instance`) and in logs.
//!
//! tower-http sets and propagates the header; [`in_scope`] (from [`crate::edge`]) makes the id the task-local that
//! [`current`] reads while the request is handled. An id sent by the client (or a proxy in
//! front) is kept when it is short and plain (`[A-Za-z0-9._-]`, at most 64 bytes), so one
//! id can follow a request through several systems; any other is replaced by our own.

use axum::http::{HeaderName, HeaderValue};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::request_id::{MakeRequestId, RequestId};

/// The header carrying the id, both ways.
pub static HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest id accepted from a client.
const MAX_CLIENT_ID: usize = 64;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Makes ids: a per-process random prefix and a counter, cheap and unique.
#[derive(Clone, Copy, Default)]
pub struct MakeKefuRequestId;

impl MakeRequestId for MakeKefuRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        static PREFIX: OnceLock<String> = OnceLock::new();
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let prefix = PREFIX.get_or_init(|| format!("{:08x}", rand::random::<u32>()));
        let id = format!("{prefix}-{:x}", COUNTER.fetch_add(1, Ordering::Relaxed));
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// Whether a client's id is kept as it is.
pub fn acceptable(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_CLIENT_ID
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Outside tower-http's `SetRequestIdLayer` (a `MapRequestLayer`): drops a client id we
/// do not keep, so one is made for the request instead.
pub fn screen<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    if request
        .headers()
        .get(&HEADER)
        .is_some_and(|v| !acceptable(v))
    {
        request.headers_mut().remove(&HEADER);
    }
    request
}

/// Runs `work` (the request) with `id` as the task-local [`current`] returns.
pub async fn in_scope<F: std::future::Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_short_client_ids_are_kept_and_others_replaced() {
        assert!(acceptable(&HeaderValue::from_static("req-1.a_B")));
        assert!(!acceptable(&HeaderValue::from_static("")));
        assert!(!acceptable(&HeaderValue::from_static("has space")));
        assert!(!acceptable(&HeaderValue::from_static("quote\"")));
        let long = "a".repeat(MAX_CLIENT_ID + 1);
        assert!(!acceptable(&HeaderValue::from_str(&long).unwrap()));
    }

    #[test]
    fn made_ids_are_unique() {
        let request = axum::http::Request::new(());
        let mut make = MakeKefuRequestId;
        let a = make.make_request_id(&request).unwrap();
        let b = make.make_request_id(&request).unwrap();
        assert_ne!(a.header_value(), b.header_value());
        assert!(acceptable(a.header_value()));
    }
}
