//! The web chat's visitor: the signed `kefu_visitor` cookie (HttpOnly, SameSite=Lax, a
//! year) that names a customer identity kefu vouches for ([`kefu_service::visitor`] signs
//! and verifies it; this file only carries it), and the check the chat's JSON calls pass
//! before acting as that visitor.

use super::csrf::CsrfKey;
use super::lang::cookie;
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue, header};
use kefu_domain::CustomerRef;
use kefu_service::visitor::VisitorKey;

/// The cookie holding the signed visitor id.
pub const COOKIE: &str = "kefu_visitor";

/// The header the chat's script sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-kefu-csrf";

fn key(state: &AppState) -> VisitorKey {
    VisitorKey::derive(&state.lookup_secret)
}

/// The visitor the request's cookie names, if it verifies.
pub fn visitor(state: &AppState, headers: &HeaderMap) -> Option<CustomerRef> {
    cookie(headers, COOKIE).and_then(|v| key(state).verify(v))
}

/// The request's visitor, or a new one with the `Set-Cookie` value that keeps it.
pub fn visitor_or_new(state: &AppState, headers: &HeaderMap) -> (CustomerRef, Option<HeaderValue>) {
    if let Some(who) = visitor(state, headers) {
        return (who, None);
    }
    let (signed, who) = key(state).issue();
    let set = HeaderValue::from_str(&format!(
        "{COOKIE}={signed}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"
    ))
    .ok();
    (who, set)
}

/// Whether a script call (not a form) may act for the visitor: it carries a CSRF token this
/// deployment signed in [`CSRF_HEADER`] (a cross-site page cannot add a header without a
/// CORS preflight, which kefu never grants), and its `Origin`, when sent, is this site.
/// The cookie is not compared: the chat may run in a frame where its cookies are withheld.
pub fn script_call_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let token_ok = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| CsrfKey::derive(&state.lookup_secret).verifies(t));
    token_ok && same_origin(headers)
}

/// `Origin` absent, or naming the `Host` the request went to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_the_sites_own_origin_may_call() {
        assert!(same_origin(&headers(&[("host", "kefu.example")])));
        assert!(same_origin(&headers(&[
            ("host", "kefu.example"),
            ("origin", "https://kefu.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "kefu.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin(&headers(&[("origin", "null")])));
    }
}
