//! Signed webhooks: the platform sends `X-Kefu-Timestamp: <unix seconds>` and
//! `X-Kefu-Signature: sha256=<hex>` where the hex is HMAC-SHA256 over
//! `timestamp + "." + body` under the channel's secret (the scheme Stripe and Slack use).
//!
//! - The comparison is constant-time (`hmac`'s `verify_slice`).
//! - A timestamp more than [`MAX_AGE`] old, or more than the allowed skew in the future, is
//!   refused even with a good signature: a captured request cannot be replayed later.
//!   Within the window a replay is a duplicate delivery, which the platform's message id
//!   catches ([`super::inbound`]).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The oldest timestamp accepted.
pub const MAX_AGE_SECS: i64 = 5 * 60;
/// [`MAX_AGE_SECS`] as a name for docs.
pub const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(300);
/// How far in the future a timestamp may be by default (clock skew).
pub const DEFAULT_SKEW_SECS: i64 = 60;

/// Why a signed request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the timestamp header is missing or not a number of seconds")]
    BadTimestamp,
    #[error("the timestamp is more than 5 minutes old")]
    Expired,
    #[error("the timestamp is in the future")]
    FromTheFuture,
    #[error("the signature header is missing or not `sha256=<64 hex digits>`")]
    Malformed,
    #[error("the signature does not match")]
    Mismatch,
}

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = crate::credentials::keyed_hmac(secret);
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header value for `body` sent at `timestamp` (platforms and tests).
pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let bytes = mac(secret, timestamp, body).finalize().into_bytes();
    format!("sha256={}", crate::credentials::hex(&bytes))
}

/// Checks a webhook's timestamp (against `now`, unix seconds) and signature.
pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
    skew_secs: i64,
) -> Result<(), SignatureError> {
    let ts_text = timestamp.map(str::trim).unwrap_or_default();
    let ts: i64 = ts_text.parse().map_err(|_| SignatureError::BadTimestamp)?;
    if now.saturating_sub(ts) > MAX_AGE_SECS {
        return Err(SignatureError::Expired);
    }
    if ts.saturating_sub(now) > skew_secs {
        return Err(SignatureError::FromTheFuture);
    }
    let hex = signature
        .map(str::trim)
        .and_then(|s| s.strip_prefix("sha256="))
        .ok_or(SignatureError::Malformed)?;
    let expected = Some(hex)
        .filter(|h| h.len() == 64)
        .and_then(unhex)
        .ok_or(SignatureError::Malformed)?;
    mac(secret, ts_text, body)
        .verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// Hex digits (either case) → bytes; `None` for an odd length or a non-digit.
pub fn unhex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    let digit = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    hex.as_bytes()
        .chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"s3cret";
    const NOW: i64 = 1_800_000_000;

    fn check(ts: &str, sig: &str, body: &[u8]) -> Result<(), SignatureError> {
        verify(SECRET, Some(ts), Some(sig), body, NOW, DEFAULT_SKEW_SECS)
    }

    #[test]
    fn a_fresh_correct_signature_is_accepted() {
        let ts = NOW.to_string();
        let sig = sign(SECRET, &ts, b"{}");
        assert_eq!(check(&ts, &sig, b"{}"), Ok(()));
        let upper = sig.to_uppercase().replacen("SHA256=", "sha256=", 1);
        assert_eq!(check(&ts, &upper, b"{}"), Ok(()), "hex in either case");
    }

    #[test]
    fn another_body_secret_or_timestamp_does_not_match() {
        let ts = NOW.to_string();
        let sig = sign(SECRET, &ts, b"{}");
        assert_eq!(check(&ts, &sig, b"{ }"), Err(SignatureError::Mismatch));
        let other = sign(b"other", &ts, b"{}");
        assert_eq!(check(&ts, &other, b"{}"), Err(SignatureError::Mismatch));
        let earlier = (NOW - 1).to_string();
        assert_eq!(check(&earlier, &sig, b"{}"), Err(SignatureError::Mismatch));
    }

    #[test]
    fn timestamps_older_than_five_minutes_or_in_the_future_are_refused() {
        for (ts, want) in [
            (NOW - MAX_AGE_SECS, Ok(())),
            (NOW - MAX_AGE_SECS - 1, Err(SignatureError::Expired)),
            (NOW + DEFAULT_SKEW_SECS, Ok(())),
            (
                NOW + DEFAULT_SKEW_SECS + 1,
                Err(SignatureError::FromTheFuture),
            ),
        ] {
            let ts = ts.to_string();
            assert_eq!(check(&ts, &sign(SECRET, &ts, b"x"), b"x"), want, "{ts}");
        }
        let max = i64::MAX.to_string();
        assert_eq!(
            check(&max, "sha256=00", b"x"),
            Err(SignatureError::FromTheFuture)
        );
    }

    #[test]
    fn malformed_headers_are_named() {
        let ts = NOW.to_string();
        assert_eq!(
            verify(SECRET, None, Some("x"), b"", NOW, 60),
            Err(SignatureError::BadTimestamp)
        );
        assert_eq!(check("soon", "x", b""), Err(SignatureError::BadTimestamp));
        assert_eq!(check(&ts, "abc", b""), Err(SignatureError::Malformed));
        assert_eq!(check(&ts, "sha256=zz", b""), Err(SignatureError::Malformed));
        let not_hex = format!("sha256={}", "g".repeat(64));
        assert_eq!(check(&ts, &not_hex, b""), Err(SignatureError::Malformed));
        assert_eq!(
            verify(SECRET, Some(&ts), None, b"", NOW, 60),
            Err(SignatureError::Malformed)
        );
    }
}
