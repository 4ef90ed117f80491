//! Masking of personal data in log text: mainland mobile numbers keep their first three and
//! last four digits (`13812345678` → `138****5678`), e-mail addresses their first letter and
//! domain (`wang@example.com` → `w***@example.com`). Applied to every log line, so a
//! customer's message or address that reaches a log never shows whole.

use std::borrow::Cow;

/// `text` with phone numbers and e-mail addresses masked; borrowed when there is none.
pub fn mask_personal(text: &str) -> Cow<'_, str> {
    let emails = mask_emails(text);
    match mask_phones(&emails) {
        Cow::Borrowed(_) => emails,
        Cow::Owned(s) => Cow::Owned(s),
    }
}

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

fn mask_emails(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    for (at, _) in text.match_indices('@') {
        let start = (0..at).rev().take_while(|&i| is_local(b[i])).last();
        let end = (at + 1..b.len())
            .take_while(|&i| is_domain(b[i]))
            .last()
            .map_or(at + 1, |i| i + 1);
        let domain = &text[at + 1..end];
        let Some(start) = start else { continue };
        if start < copied || !domain.contains('.') || domain.starts_with('.') {
            continue;
        }
        // The bytes scanned are ASCII, so these are character boundaries.
        out.push_str(&text[copied..=start]);
        out.push_str("***");
        copied = at;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Masks runs of exactly 11 digits that read as a mainland mobile number (`1[3-9]…`),
/// also after a `86` country code; other numbers (ticket numbers, times) stay.
fn mask_phones(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let phone = match i - start {
            11 => start,
            13 if &b[start..start + 2] == b"86" => start + 2,
            _ => continue,
        };
        if b[phone] != b'1' || !(b'3'..=b'9').contains(&b[phone + 1]) {
            continue;
        }
        out.push_str(&text[copied..phone + 3]);
        out.push_str("****");
        copied = i - 4;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_keep_three_and_four_digits() {
        assert_eq!(mask_personal("13812345678"), "138****5678");
        assert_eq!(
            mask_personal("客户电话13812345678，回电"),
            "客户电话138****5678，回电"
        );
        assert_eq!(mask_personal("+8613812345678"), "+86138****5678");
        assert_eq!(
            mask_personal("a 15900001111 b 17700002222"),
            "a 159****1111 b 177****2222"
        );
    }

    #[test]
    fn other_numbers_stay() {
        for s in [
            "261124382019574",
            "261124-3820-1957-4",
            "12345678901",
            "1381234567",
            "duration_ms=1733011200000",
        ] {
            assert!(matches!(mask_personal(s), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn email_addresses_keep_their_first_letter_and_domain() {
        assert_eq!(mask_personal("wang@example.com"), "w***@example.com");
        assert_eq!(
            mask_personal("from=\"li.na+kefu@mail.example.cn\" to 王 <x@y.org>"),
            "from=\"l***@mail.example.cn\" to 王 <x***@y.org>"
        );
        assert_eq!(mask_personal("13812345678@qq.com"), "1***@qq.com");
        assert!(matches!(mask_personal("@everyone a@b"), Cow::Borrowed(_)));
    }
}
