//! Download links that expire: `?expires=<unix seconds>&sig=<hex>`, the signature an
//! HMAC-SHA256 over the attachment id and the expiry under a key every node derives from
//! the shared lookup secret. A link is minted only for a caller allowed to see the file,
//! so the link itself is the permission (an `<img src>` sends no bearer token).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The key links are signed with, derived from the database-held secret (one secret, a
/// purpose label per use).
pub fn link_key(secret: &[u8]) -> Vec<u8> {
    let mut mac = mac(secret);
    mac.update(b"kefu attachment links v1");
    mac.finalize().into_bytes().to_vec()
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    crate::credentials::keyed_hmac(key)
}

/// The hex signature of `id` valid until `expires` (unix seconds).
pub fn sign(key: &[u8], id: &str, expires: i64) -> String {
    let mut mac = mac(key);
    mac.update(id.as_bytes());
    mac.update(b"\n");
    mac.update(expires.to_string().as_bytes());
    crate::credentials::hex(&mac.finalize().into_bytes())
}

/// Whether `sig` signs `id` until `expires` and `expires` is not past `now` (unix seconds).
pub fn verify(key: &[u8], id: &str, expires: i64, sig: &str, now: i64) -> bool {
    expires >= now && crate::credentials::constant_time_eq(&sign(key, id, expires), sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_holds_until_it_expires_and_only_for_its_file() {
        let key = link_key(b"secret");
        let sig = sign(&key, "abc", 1_000);
        assert!(verify(&key, "abc", 1_000, &sig, 999));
        assert!(verify(&key, "abc", 1_000, &sig, 1_000));
        assert!(!verify(&key, "abc", 1_000, &sig, 1_001));
        assert!(!verify(&key, "abd", 1_000, &sig, 0));
        assert!(!verify(&key, "abc", 1_001, &sig, 0));
        assert!(!verify(&link_key(b"other"), "abc", 1_000, &sig, 0));
        assert!(!verify(&key, "abc", 1_000, "", 0));
    }
}
