//! In-app identity: the app's backend signs a token for its signed-in user, and the app
//! sends it (header `X-App-Token`) to act as that customer on the API and the live
//! channel — no lookup code, no channel key on the device.
//!
//! Token: `<hex of the JSON claims>.<hex of HMAC-SHA256 over the first part>` under the
//! app's secret (`[[channels.apps]]`), claims `{"app": "…", "sub": "<user id>",
//! "exp": <unix seconds>}`. Hex keeps it one line of code to make in any language.
//!
//! Refused (`app_token_invalid`, 401): a malformed token, an unknown app, a wrong
//! signature (compared in constant time), an expired one, or one whose `exp` is further
//! ahead than `app_token_max_ttl` (a token that never expires is not accepted).
//! The caller becomes [`CustomerProof::Verified`]: the in-app customer `sub`.

use super::signature::unhex;
use crate::caller::{Caller, CustomerProof};
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Longest token accepted.
pub const MAX_TOKEN_CHARS: usize = 4096;

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    pub app: String,
    /// The app's id for its user (the in-app customer's external id).
    pub sub: String,
    /// Expiry, unix seconds.
    pub exp: i64,
}

fn mac(secret: &[u8], payload: &str) -> Hmac<Sha256> {
    let mut mac = crate::credentials::keyed_hmac(secret);
    mac.update(payload.as_bytes());
    mac
}

/// Signs claims (what the app's backend does; tests and `kefu` tools use it too).
pub fn sign(secret: &[u8], claims: &Claims) -> String {
    let json = serde_json::to_vec(claims).unwrap_or_default();
    let payload = crate::credentials::hex(&json);
    let sig = crate::credentials::hex(&mac(secret, &payload).finalize().into_bytes());
    format!("{payload}.{sig}")
}

fn invalid(why: &str) -> ServiceError {
    tracing::info!(reason = why, "app-user token refused");
    ServiceError::new(
        ErrorCode::AppTokenInvalid,
        format!("The app-user token is not valid: {why}."),
    )
}

/// Checks a token at `now` (unix seconds) against the configured apps; its claims.
pub fn verify(settings: &super::ChannelSettings, token: &str, now: i64) -> ServiceResult<Claims> {
    let token = token.trim();
    if token.len() > MAX_TOKEN_CHARS {
        return Err(invalid("it is too long"));
    }
    let (payload, sig) = token
        .split_once('.')
        .ok_or_else(|| invalid("it is not <claims>.<signature>"))?;
    let claims: Claims = unhex(payload)
        .and_then(|json| serde_json::from_slice(&json).ok())
        .ok_or_else(|| invalid("its claims cannot be read"))?;
    let app = settings
        .apps
        .iter()
        .find(|a| a.app == claims.app)
        .ok_or_else(|| invalid("the app is unknown"))?;
    let sig = unhex(sig).ok_or_else(|| invalid("the signature is not hex"))?;
    mac(&app.secret, payload)
        .verify_slice(&sig)
        .map_err(|_| invalid("the signature does not match"))?;
    if claims.exp <= now {
        return Err(invalid("it has expired"));
    }
    let max = i64::try_from(settings.app_token_max_ttl.as_secs()).unwrap_or(i64::MAX);
    if claims.exp.saturating_sub(now) > max {
        return Err(invalid("it lives longer than allowed"));
    }
    if claims.sub.trim().is_empty() || claims.sub.chars().count() > 200 {
        return Err(invalid("its sub must be 1-200 characters"));
    }
    Ok(claims)
}

/// The caller an app-user token stands for.
pub fn caller(core: &crate::Core, token: &str) -> ServiceResult<Caller> {
    let claims = verify(
        &core.settings.channels,
        token,
        jiff::Timestamp::now().as_second(),
    )?;
    // The same proof as a web visitor's signed cookie: an identity kefu vouched for.
    Ok(Caller::Customer(CustomerProof::Verified(
        kefu_domain::CustomerRef {
            channel: kefu_domain::Channel::InApp,
            external_id: claims.sub,
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::{AppSecret, ChannelSettings};

    const NOW: i64 = 1_800_000_000;

    fn settings() -> ChannelSettings {
        ChannelSettings {
            apps: vec![AppSecret {
                app: "douyin".into(),
                secret: b"app-secret".to_vec(),
            }],
            ..ChannelSettings::default()
        }
    }

    fn claims(exp: i64) -> Claims {
        Claims {
            app: "douyin".into(),
            sub: "user-42".into(),
            exp,
        }
    }

    fn code(r: ServiceResult<Claims>) -> Option<ErrorCode> {
        r.err().map(|e| e.code)
    }

    #[test]
    fn a_signed_unexpired_token_names_its_user() {
        let token = sign(b"app-secret", &claims(NOW + 3600));
        assert_eq!(verify(&settings(), &token, NOW).unwrap().sub, "user-42");
    }

    #[test]
    fn a_wrong_signature_an_unknown_app_or_garbage_is_refused() {
        let bad = Some(ErrorCode::AppTokenInvalid);
        let other = sign(b"other", &claims(NOW + 60));
        assert_eq!(code(verify(&settings(), &other, NOW)), bad);
        let mut c = claims(NOW + 60);
        c.app = "kuaishou".into();
        assert_eq!(
            code(verify(&settings(), &sign(b"app-secret", &c), NOW)),
            bad
        );
        let good = sign(b"app-secret", &claims(NOW + 60));
        let (payload, _) = good.split_once('.').unwrap();
        let forged = sign(
            b"app-secret",
            &Claims {
                sub: "admin".into(),
                ..claims(NOW + 60)
            },
        );
        let (_, forged_sig) = forged.split_once('.').unwrap();
        assert_eq!(
            code(verify(&settings(), &format!("{payload}.{forged_sig}"), NOW)),
            bad
        );
        for junk in ["", ".", "zz.zz", "abc", &"a".repeat(5000)] {
            assert_eq!(code(verify(&settings(), junk, NOW)), bad, "{junk}");
        }
    }

    #[test]
    fn expired_or_too_long_lived_tokens_are_refused() {
        let bad = Some(ErrorCode::AppTokenInvalid);
        assert_eq!(
            code(verify(&settings(), &sign(b"app-secret", &claims(NOW)), NOW)),
            bad
        );
        let far = NOW + 365 * 24 * 3600;
        assert_eq!(
            code(verify(&settings(), &sign(b"app-secret", &claims(far)), NOW)),
            bad
        );
    }
}
