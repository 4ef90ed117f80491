//! CSRF protection for the pages' forms: a signed double-submit token. A page with a form
//! sets the `kefu_csrf` cookie (HttpOnly, SameSite=Strict) to `<nonce>.<signature>` and puts
//! the same token in a hidden `csrf` field; a POST is served only when the field equals the
//! cookie and the signature is this deployment's (an HMAC over the nonce with a key derived
//! from the lookup secret, so every node agrees). A site that can plant a cookie still cannot
//! make a token that verifies, and a cross-site form cannot read the cookie to copy it.

use super::lang::cookie;
use axum::http::{HeaderMap, HeaderValue};
use kefu_service::credentials::constant_time_eq;
use kefu_service::credentials::hex;
use kefu_service::credentials::hmac_sha256 as mac;

/// The cookie holding the token.
pub const COOKIE: &str = "kefu_csrf";

/// The key tokens are signed with, derived from the deployment's lookup secret.
pub struct CsrfKey(Vec<u8>);

impl CsrfKey {
    pub fn derive(secret: &[u8]) -> Self {
        Self(mac(secret, b"kefu web csrf v1"))
    }

    fn signature(&self, nonce: &str) -> String {
        hex(&mac(&self.0, nonce.as_bytes()))
    }

    /// A fresh token.
    pub fn issue(&self) -> String {
        let nonce: [u8; 16] = rand::random();
        let nonce = hex(&nonce);
        let signature = self.signature(&nonce);
        format!("{nonce}.{signature}")
    }

    /// Whether a token was signed with this key.
    pub fn verifies(&self, token: &str) -> bool {
        token.split_once('.').is_some_and(|(nonce, sig)| {
            nonce.len() == 32 && constant_time_eq(sig, &self.signature(nonce))
        })
    }

    /// The token for a page with a form: the request's cookie when it verifies, else a new
    /// one with the `Set-Cookie` value that stores it.
    pub fn token_for(&self, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
        if let Some(token) = cookie(headers, COOKIE).filter(|t| self.verifies(t)) {
            return (token.to_owned(), None);
        }
        let token = self.issue();
        let set = HeaderValue::from_str(&format!(
            "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
        ))
        .ok();
        (token, set)
    }

    /// Whether a POST carries a good token: the `csrf` field equals the cookie, which
    /// verifies.
    pub fn accepts(&self, headers: &HeaderMap, field: Option<&str>) -> bool {
        match (cookie(headers, COOKIE), field) {
            (Some(cookie), Some(field)) => self.verifies(cookie) && constant_time_eq(cookie, field),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cookie(token: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            HeaderValue::from_str(&format!("x=1; {COOKIE}={token}")).unwrap(),
        );
        h
    }

    #[test]
    fn a_matching_signed_token_is_accepted_and_anything_else_refused() {
        let key = CsrfKey::derive(b"secret");
        let token = key.issue();
        assert!(key.accepts(&with_cookie(&token), Some(&token)));
        assert!(!key.accepts(&with_cookie(&token), None), "no field");
        assert!(!key.accepts(&HeaderMap::new(), Some(&token)), "no cookie");
        let other = key.issue();
        assert!(
            !key.accepts(&with_cookie(&token), Some(&other)),
            "not the cookie's"
        );
        // A token the attacker made up, planted as cookie and field alike.
        let forged = format!("{}.{}", "a".repeat(32), "b".repeat(64));
        assert!(!key.accepts(&with_cookie(&forged), Some(&forged)));
        // Another deployment's token.
        let foreign = CsrfKey::derive(b"other").issue();
        assert!(!key.accepts(&with_cookie(&foreign), Some(&foreign)));
    }

    #[test]
    fn a_page_keeps_a_good_cookie_and_replaces_a_bad_one() {
        let key = CsrfKey::derive(b"secret");
        let token = key.issue();
        let (same, set) = key.token_for(&with_cookie(&token));
        assert_eq!(same, token);
        assert!(set.is_none());
        let (fresh, set) = key.token_for(&with_cookie("junk"));
        assert!(key.verifies(&fresh));
        let set = set.unwrap();
        let set = set.to_str().unwrap();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
    }
}
