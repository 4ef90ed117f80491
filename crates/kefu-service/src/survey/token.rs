//! Survey tokens: `<survey id>.<expiry, unix seconds>.<hex signature>`, the signature an
//! HMAC-SHA256 over the survey id, the ticket's id and the expiry under a key every node
//! derives from the shared lookup secret (as attachment links are signed). A token proves
//! the bearer was sent that ticket's survey, so it answers without the lookup code — once
//! (the store refuses a second answer) and for that ticket only.

use hmac::{Hmac, Mac};
use kefu_domain::TicketId;
use sha2::Sha256;

/// The key tokens are signed with (one secret, a purpose label per use).
pub fn token_key(secret: &[u8]) -> Vec<u8> {
    let mut mac = mac(secret);
    mac.update(b"kefu survey tokens v1");
    mac.finalize().into_bytes().to_vec()
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    crate::credentials::keyed_hmac(key)
}

fn signature(key: &[u8], survey: &str, ticket: TicketId, expires: i64) -> String {
    let mut mac = mac(key);
    mac.update(survey.as_bytes());
    mac.update(b"\n");
    mac.update(ticket.0.to_string().as_bytes());
    mac.update(b"\n");
    mac.update(expires.to_string().as_bytes());
    crate::credentials::hex(&mac.finalize().into_bytes())
}

/// The token answering `survey` on `ticket` until `expires` (unix seconds).
pub fn sign(key: &[u8], survey: &str, ticket: TicketId, expires: i64) -> String {
    format!(
        "{survey}.{expires}.{}",
        signature(key, survey, ticket, expires)
    )
}

/// Why a token does not answer a ticket's survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a survey token")]
    Malformed,
    /// Signed for another ticket, or tampered with.
    #[error("the token was not issued for this ticket")]
    WrongTicket,
    #[error("the token has expired")]
    Expired,
}

/// The survey id a token answers on `ticket`, if it verifies and has not expired at `now`
/// (unix seconds).
pub fn verify(key: &[u8], token: &str, ticket: TicketId, now: i64) -> Result<String, TokenError> {
    let mut parts = token.trim().splitn(3, '.');
    let (Some(survey), Some(expires), Some(sig)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let expires: i64 = expires.parse().map_err(|_| TokenError::Malformed)?;
    let valid_id = !survey.is_empty() && survey.len() <= 64;
    if !valid_id || !survey.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(TokenError::Malformed);
    }
    if !crate::credentials::constant_time_eq(&signature(key, survey, ticket, expires), sig) {
        return Err(TokenError::WrongTicket);
    }
    if expires < now {
        return Err(TokenError::Expired);
    }
    Ok(survey.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_answers_its_own_ticket_until_it_expires() {
        let key = token_key(b"secret");
        let t = sign(&key, "abc123", TicketId(7), 1_000);
        assert_eq!(verify(&key, &t, TicketId(7), 1_000), Ok("abc123".into()));
        assert_eq!(
            verify(&key, &t, TicketId(8), 0),
            Err(TokenError::WrongTicket)
        );
        assert_eq!(
            verify(&key, &t, TicketId(7), 1_001),
            Err(TokenError::Expired)
        );
        let other_key = token_key(b"other");
        assert_eq!(
            verify(&other_key, &t, TicketId(7), 0),
            Err(TokenError::WrongTicket)
        );
        let longer = t.replace(".1000.", ".2000.");
        assert_eq!(
            verify(&key, &longer, TicketId(7), 0),
            Err(TokenError::WrongTicket)
        );
        for junk in ["", "abc", "abc.x.y", "a/b.1.ff", ".1.ff"] {
            assert_eq!(
                verify(&key, junk, TicketId(7), 0),
                Err(TokenError::Malformed),
                "{junk}"
            );
        }
    }
}
