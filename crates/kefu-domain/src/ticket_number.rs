//! Ticket numbers: what a customer reads over the phone.
//!
//! Form: `YYMMDD` (UTC date of intake) + 8 serial digits + 1 Damm check digit = 15 digits,
//! shown grouped as `261124-3820-1957-4`. All digits, so it reads aloud in any language;
//! the date prefix sorts numbers by day; the Damm check digit rejects every single mistyped
//! digit and every swap of two adjacent digits. Uniqueness is the database's job (a unique
//! constraint; the writer picks another serial on conflict).

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

/// Digits in a ticket number, check digit included.
pub const TICKET_NUMBER_LEN: usize = 15;
/// Serials are below this bound (8 digits).
pub const SERIAL_BOUND: u32 = 100_000_000;

/// A valid ticket number (checked digits and date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketNumber([u8; TICKET_NUMBER_LEN]);

/// Why a text is not a ticket number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketNumberError {
    #[error("a ticket number has 15 digits, this has {0}")]
    Length(usize),
    #[error("a ticket number holds only digits (spaces and dashes are ignored)")]
    NotADigit,
    #[error("the check digit does not match: a digit is mistyped or two are swapped")]
    CheckCharacter,
    #[error("the date part is not a real date")]
    Date,
}

/// The quasigroup table of the Damm algorithm (order 10, weakly totally anti-symmetric).
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm check digit of a digit string (values 0–9).
pub fn damm_check(digits: &[u8]) -> u8 {
    digits.iter().fold(0u8, |interim, &d| {
        DAMM[usize::from(interim)][usize::from(d)]
    })
}

impl TicketNumber {
    /// Builds the number for an intake on `date` with a serial (taken modulo 10^8).
    pub fn new(date: Date, serial: u32) -> Self {
        let yy = u32::try_from(date.year().rem_euclid(100)).unwrap_or(0);
        let mm = u32::try_from(date.month()).unwrap_or(0);
        let dd = u32::try_from(date.day()).unwrap_or(0);
        let serial = serial % SERIAL_BOUND;
        let mut digits = [0u8; TICKET_NUMBER_LEN];
        write_digits(&mut digits[0..2], yy);
        write_digits(&mut digits[2..4], mm);
        write_digits(&mut digits[4..6], dd);
        write_digits(&mut digits[6..14], serial);
        digits[14] = damm_check(&digits[..14]);
        Self(digits)
    }

    /// The canonical 15-digit form, used for storage and URLs.
    pub fn as_string(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// The 8-digit serial within the day.
    pub fn serial(&self) -> u32 {
        self.0[6..14]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d))
    }

    /// The grouped form for people: `261124-3820-1957-4`.
    pub fn grouped(&self) -> String {
        let s = self.as_string();
        format!("{}-{}-{}-{}", &s[0..6], &s[6..10], &s[10..14], &s[14..15])
    }

    /// The intake date encoded in the number (years 2000–2099).
    pub fn date(&self) -> Option<Date> {
        let n = |r: std::ops::Range<usize>| {
            self.0[r]
                .iter()
                .fold(0i16, |acc, &d| acc * 10 + i16::from(d))
        };
        let (yy, mm, dd) = (n(0..2), n(2..4), n(4..6));
        Date::new(2000 + yy, i8::try_from(mm).ok()?, i8::try_from(dd).ok()?).ok()
    }
}

fn write_digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = u8::try_from(value % 10).unwrap_or(0);
        value /= 10;
    }
}

impl FromStr for TicketNumber {
    type Err = TicketNumberError;

    /// Accepts the canonical or grouped form; spaces and dashes are ignored and full-width
    /// digits (１２３) count as digits, since people copy numbers from Chinese text.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut digits = Vec::with_capacity(TICKET_NUMBER_LEN);
        for c in s.chars() {
            match c {
                ' ' | '-' | '\u{3000}' | '－' => {}
                '0'..='9' => digits.push(u8::try_from(u32::from(c) - u32::from('0')).unwrap_or(0)),
                '０'..='９' => {
                    digits.push(u8::try_from(u32::from(c) - u32::from('０')).unwrap_or(0))
                }
                _ => return Err(TicketNumberError::NotADigit),
            }
        }
        let array: [u8; TICKET_NUMBER_LEN] = digits
            .as_slice()
            .try_into()
            .map_err(|_| TicketNumberError::Length(digits.len()))?;
        if damm_check(&array) != 0 {
            return Err(TicketNumberError::CheckCharacter);
        }
        let number = Self(array);
        number.date().ok_or(TicketNumberError::Date)?;
        Ok(number)
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

impl Serialize for TicketNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_string())
    }
}

impl<'de> Deserialize<'de> for TicketNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date() -> impl Strategy<Value = Date> {
        (2000i16..2100, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
    }

    #[test]
    fn number_has_date_prefix_and_groups_for_reading() {
        let n = TicketNumber::new(Date::new(2026, 11, 24).unwrap(), 38_201_957);
        assert!(n.as_string().starts_with("26112438201957"));
        assert_eq!(n.as_string().len(), 15);
        assert_eq!(
            n.grouped(),
            format!("261124-3820-1957-{}", &n.as_string()[14..])
        );
        assert_eq!(n.date(), Some(Date::new(2026, 11, 24).unwrap()));
    }

    #[test]
    fn grouped_and_full_width_forms_parse_to_the_same_number() {
        let n = TicketNumber::new(Date::new(2026, 1, 2).unwrap(), 7);
        assert_eq!(n.grouped().parse::<TicketNumber>(), Ok(n));
        let wide: String = n
            .as_string()
            .chars()
            .map(|c| char::from_u32(u32::from(c) - u32::from('0') + u32::from('０')).unwrap())
            .collect();
        assert_eq!(wide.parse::<TicketNumber>(), Ok(n));
    }

    #[test]
    fn junk_is_rejected_with_a_reason() {
        assert_eq!(
            "12345".parse::<TicketNumber>(),
            Err(TicketNumberError::Length(5))
        );
        assert_eq!(
            "26112438201957a".parse::<TicketNumber>(),
            Err(TicketNumberError::NotADigit)
        );
        // Month 13, with a correct check digit: still not a number.
        let mut digits: Vec<u8> = b"26132438201957".iter().map(|b| b - b'0').collect();
        digits.push(damm_check(&digits));
        let s: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        assert_eq!(s.parse::<TicketNumber>(), Err(TicketNumberError::Date));
    }

    #[test]
    fn serde_uses_the_canonical_string() {
        let n = TicketNumber::new(Date::new(2030, 5, 6).unwrap(), 42);
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(json, format!("\"{}\"", n.as_string()));
        assert_eq!(serde_json::from_str::<TicketNumber>(&json).unwrap(), n);
    }

    proptest! {
        #[test]
        fn generated_numbers_keep_their_serial(d in date(), serial in 0u32..SERIAL_BOUND) {
            prop_assert_eq!(TicketNumber::new(d, serial).serial(), serial);
        }

        #[test]
        fn generated_numbers_round_trip(d in date(), serial in 0u32..SERIAL_BOUND) {
            let n = TicketNumber::new(d, serial);
            prop_assert_eq!(n.as_string().parse::<TicketNumber>(), Ok(n));
            prop_assert_eq!(n.date(), Some(d));
        }

        #[test]
        fn any_single_mistyped_digit_is_rejected(
            d in date(), serial in 0u32..SERIAL_BOUND, pos in 0usize..TICKET_NUMBER_LEN, delta in 1u8..10,
        ) {
            let mut s: Vec<u8> = TicketNumber::new(d, serial).as_string().into_bytes();
            s[pos] = b'0' + (s[pos] - b'0' + delta) % 10;
            let typo = String::from_utf8(s).unwrap();
            prop_assert!(typo.parse::<TicketNumber>().is_err());
        }

        #[test]
        fn any_swap_of_adjacent_different_digits_is_rejected(
            d in date(), serial in 0u32..SERIAL_BOUND, pos in 0usize..TICKET_NUMBER_LEN - 1,
        ) {
            let mut s: Vec<u8> = TicketNumber::new(d, serial).as_string().into_bytes();
            prop_assume!(s[pos] != s[pos + 1]);
            s.swap(pos, pos + 1);
            let swapped = String::from_utf8(s).unwrap();
            prop_assert!(swapped.parse::<TicketNumber>().is_err());
        }

        #[test]
        fn numbers_of_later_days_sort_later(a in date(), b in date(), sa in 0u32..SERIAL_BOUND, sb in 0u32..SERIAL_BOUND) {
            prop_assume!(a < b);
            prop_assert!(TicketNumber::new(a, sa).as_string() < TicketNumber::new(b, sb).as_string());
        }
    }
}
