//! Credentials: random bearer tokens stored only as SHA-256 hashes, argon2 password hashes,
//! lookup codes derived from the ticket number, and a short-lived cache of who a token is.

use crate::caller::{ChannelKey, Staff};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use hmac::{Hmac, Mac};
use kefu_domain::TicketNumber;
use rand::Rng;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// Who a bearer token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A staff member (session or staff API key).
    Staff(Staff),
    /// A channel integration speaking for its customers.
    Channel(ChannelKey),
}

/// Crockford base32 alphabet: no I, L, O, U, so codes read aloud without confusion.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn base32(bytes: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        if out.len() == len {
            break;
        }
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 && out.len() < len {
            bits -= 5;
            out.push(char::from(
                ALPHABET[usize::try_from((acc >> bits) & 31).unwrap_or(0)],
            ));
        }
        acc &= (1 << bits) - 1;
    }
    out
}

/// A new random bearer token with a readable prefix (`kefu_s_` sessions, `kefu_k_` keys).
pub fn new_token(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::rng().random();
    format!("{prefix}{}", base32(&bytes, 51))
}

/// What is stored for a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Lower-case hex of `bytes` (a `format!` per byte was a twentieth of the intake path).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// An HMAC-SHA-256 keyed with `key`, to feed and then finish or verify: the one place that
/// builds one (signed cookies, links, tokens, webhooks).
pub fn keyed_hmac(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| {
        // HMAC accepts keys of any length; this branch cannot be reached.
        Hmac::<Sha256>::new_from_slice(b"kefu").unwrap_or_else(|_| unreachable!())
    })
}

/// HMAC-SHA-256 of `data` under `key` (signed cookies and tokens of the web pages).
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = keyed_hmac(key);
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// The customer's lookup code for a ticket: 8 Crockford characters from an HMAC of the
/// number under the deployment's secret — the same on every node and on a retried intake.
pub fn lookup_code(secret: &[u8], number: &TicketNumber) -> String {
    let mut mac = keyed_hmac(secret);
    mac.update(number.as_string().as_bytes());
    base32(&mac.finalize().into_bytes(), 8)
}

/// Normalizes what a customer typed as a lookup code (case, spaces, confusable letters).
pub fn normalize_lookup_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt_bytes: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a stored PHC hash.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A random password for generated accounts: 20 readable characters.
pub fn random_password() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    base32(&bytes, 20)
}

/// Remembers which principal a token hash stands for, for a few seconds, so a busy channel
/// does not cost a database read per request. Revocation on this node clears it at once;
/// other nodes follow within the TTL.
pub struct PrincipalCache {
    ttl: Duration,
    entries: RwLock<HashMap<String, (Principal, Instant)>>,
}

impl PrincipalCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: RwLock::new(HashMap::new()),
        }
    }

    pub fn get(&self, hash: &str) -> Option<Principal> {
        let entries = self.entries.read().ok()?;
        let (p, at) = entries.get(hash)?;
        (at.elapsed() < self.ttl).then(|| p.clone())
    }

    pub fn put(&self, hash: String, principal: Principal) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() > 100_000 {
                entries.clear();
            }
            entries.insert(hash, (principal, Instant::now()));
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Date;

    #[test]
    fn tokens_are_random_prefixed_and_hashed() {
        let a = new_token("kefu_k_");
        let b = new_token("kefu_k_");
        assert_ne!(a, b);
        assert!(a.starts_with("kefu_k_") && a.len() == 58);
        assert_eq!(token_hash(&a).len(), 64);
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn lookup_code_is_stable_per_number_and_secret() {
        let n = TicketNumber::new(Date::new(2026, 11, 24).unwrap(), 1);
        let m = TicketNumber::new(Date::new(2026, 11, 24).unwrap(), 2);
        assert_eq!(lookup_code(b"s1", &n), lookup_code(b"s1", &n));
        assert_ne!(lookup_code(b"s1", &n), lookup_code(b"s1", &m));
        assert_ne!(lookup_code(b"s1", &n), lookup_code(b"s2", &n));
        assert_eq!(lookup_code(b"s1", &n).len(), 8);
        assert_eq!(base32(&[0xff; 64], 8), "ZZZZZZZZ");
        assert_eq!(base32(&[0; 5], 8), "00000000");
    }

    #[test]
    fn typed_lookup_codes_are_normalized() {
        assert_eq!(normalize_lookup_code("ab-cd oil"), "ABCD011");
    }

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let h = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
