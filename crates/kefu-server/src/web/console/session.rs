//! The console's staff session: the login's `kefu_s_…` token in the `kefu_staff` cookie
//! (HttpOnly, SameSite=Lax, Path=/, Secure when `[auth] secure_cookies` is on), read back
//! into a [`Caller`] through the same check as the API's bearer token. The cookie is read
//! only by the console pages and by the live WebSocket, and only for requests whose
//! `Origin` (or, lacking it, `Referer`) is this site: the JSON API never takes it, so a
//! cross-site page cannot drive the API with the agent's session.

use super::super::lang::cookie;
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue, header};
use kefu_service::Caller;
use kefu_service::caller::authenticate;

/// The cookie holding the staff session token.
pub const COOKIE: &str = "kefu_staff";

/// The `Set-Cookie` value that stores a new session for `max_age_secs`.
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

/// The `Set-Cookie` value that removes the session.
pub fn cleared_cookie(secure: bool) -> HeaderValue {
    if secure {
        HeaderValue::from_static("kefu_staff=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure")
    } else {
        HeaderValue::from_static("kefu_staff=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
    }
}

/// The session token the request's cookie carries, if it looks like one.
pub fn token(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, COOKIE).filter(|t| t.starts_with("kefu_s_") && t.len() <= 200)
}

/// The `host[:port]` of an `http(s)://` address.
fn authority(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|a| !a.is_empty())
}

/// Whether the request comes from a page of this site: its `Origin` (else its `Referer`)
/// names the host the request was sent to. Browsers send `Origin: null` and no `Referer`
/// on a form post from a page served with `Referrer-Policy: no-referrer` (ours), so then
/// the browser's own `Sec-Fetch-Site: same-origin` (no page can set it) decides. Neither
/// header, or `Origin: null` without it, is not.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let Some(host) = get(header::HOST) else {
        return false;
    };
    let origin = get(header::ORIGIN).filter(|o| *o != "null");
    if origin.is_none()
        && get(header::HeaderName::from_static("sec-fetch-site"))
            .is_some_and(|s| s == "same-origin")
    {
        return true;
    }
    origin
        .or_else(|| get(header::REFERER))
        .and_then(authority)
        .is_some_and(|a| a.eq_ignore_ascii_case(host.trim()))
}

/// The staff member the session cookie stands for; `None` when there is no cookie or it is
/// expired, revoked, not a staff session, or for a deactivated account.
pub async fn staff_caller(state: &AppState, headers: &HeaderMap) -> Option<Caller> {
    let token = token(headers)?;
    match authenticate(&state.core, token).await {
        Ok(Some(p)) => match Caller::from(p) {
            c @ Caller::Staff(_) => Some(c),
            _ => None,
        },
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error.code = e.code.as_str(), "console session check failed");
            None
        }
    }
}

/// The session token a live WebSocket upgrade may use: the cookie's, when the upgrade
/// comes from a page of this site (browsers always send `Origin` on WebSocket requests,
/// so a page elsewhere cannot open the channel with the agent's cookie).
pub fn live_token(headers: &HeaderMap) -> Option<String> {
    token(headers)
        .filter(|_| same_origin(headers))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_this_sites_origin_or_referer_counts_as_same_origin() {
        let host = ("host", "kefu.example:8080");
        assert!(same_origin(&headers(&[
            host,
            ("origin", "https://kefu.example:8080")
        ])));
        assert!(same_origin(&headers(&[
            host,
            ("referer", "http://kefu.example:8080/console?x=1")
        ])));
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin(&headers(&[host, ("origin", "null")])));
        // A browser's form post under `Referrer-Policy: no-referrer`.
        let fetched_by = |site| headers(&[host, ("origin", "null"), ("sec-fetch-site", site)]);
        assert!(same_origin(&fetched_by("same-origin")));
        assert!(!same_origin(&fetched_by("same-site")));
        assert!(!same_origin(&fetched_by("cross-site")));
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "https://kefu.example:8080.evil.example")
        ])));
        assert!(!same_origin(&headers(&[host])), "no origin, no referer");
        // Origin wins over a matching Referer.
        assert!(!same_origin(&headers(&[
            host,
            ("origin", "https://evil.example"),
            ("referer", "https://kefu.example:8080/console")
        ])));
    }

    #[test]
    fn the_session_cookie_is_http_only_and_same_site_and_secure_on_request() {
        let c = session_cookie("kefu_s_abc", 60, false).unwrap();
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        let c = session_cookie("kefu_s_abc", 60, true).unwrap();
        assert!(c.to_str().unwrap().ends_with("; Secure"));
        assert!(cleared_cookie(true).to_str().unwrap().contains("Max-Age=0"));
    }

    #[test]
    fn the_live_channel_takes_the_cookie_only_from_this_site() {
        let cookie = ("cookie", "kefu_staff=kefu_s_token");
        let host = ("host", "kefu.example");
        assert_eq!(
            live_token(&headers(&[
                cookie,
                host,
                ("origin", "https://kefu.example")
            ]))
            .as_deref(),
            Some("kefu_s_token")
        );
        assert_eq!(
            live_token(&headers(&[
                cookie,
                host,
                ("origin", "https://evil.example")
            ])),
            None
        );
        assert_eq!(
            live_token(&headers(&[("cookie", "kefu_staff=other"), host])),
            None
        );
    }
}
