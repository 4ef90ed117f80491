//! The hour-of-day filter of a report: a range of local hours in the report's zone (`9`,
//! `9-17`, `22-6`), and the UTC hour buckets it selects ([`windows`]).
//!
//! Rollup buckets are UTC hours, so a local hour is one bucket only where the zone's offset
//! is a whole number of hours; elsewhere (Asia/Kolkata, Australia/Adelaide) the filter is
//! refused rather than counting half-hours on the wrong side. Where the offset changes (DST)
//! the same local hours are other UTC hours: one window per stretch of constant offset.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_domain::report::HOUR_MS;
use kefu_store::HourWindow;

/// Local hours of the day: `start` included, `end` excluded (up to 24); `start > end` spans
/// midnight (`22-6` is 22:00 to 06:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourRange {
    pub start: u8,
    pub end: u8,
}

const FORMAT: &str = "must be a local hour 0-23 or a range START-END (start included, end \
                      excluded and up to 24; 22-6 spans midnight)";

impl HourRange {
    /// Reads `9`, `9-17` or `22-6`; the message names what is wrong.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let number = |s: &str| {
            let s = s.trim();
            (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u8>().ok())
                .flatten()
        };
        let raw = raw.trim();
        let (start, end) = match raw.split_once('-') {
            None => {
                let h = number(raw).ok_or(FORMAT)?;
                (h, h.saturating_add(1))
            }
            Some((a, b)) => (number(a).ok_or(FORMAT)?, number(b).ok_or(FORMAT)?),
        };
        if start > 23 {
            return Err(format!("{start} is not an hour of the day (0 to 23)"));
        }
        if end > 24 {
            return Err(format!("the end {end} is after 24"));
        }
        if start == end {
            return Err("the range is empty (its start equals its end)".into());
        }
        Ok(Self { start, end })
    }

    /// Whether local hour `hour` (0–23) is in the range.
    pub fn contains(self, hour: i8) -> bool {
        let Ok(h) = u8::try_from(hour) else {
            return false;
        };
        if self.start < self.end {
            (self.start..self.end).contains(&h)
        } else {
            h >= self.start || h < self.end
        }
    }

    /// The UTC hours of the day (bit `u` for `u`:00 UTC) whose local hour is in the range,
    /// at a whole-hour offset of `offset_hours`.
    fn utc_hours(self, offset_hours: i32) -> u32 {
        (0..24i32)
            .filter(|u| {
                let local = i8::try_from((u + offset_hours).rem_euclid(24)).unwrap_or(-1);
                self.contains(local)
            })
            .fold(0, |mask, u| mask | (1 << u))
    }
}

impl std::fmt::Display for HourRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// The windows of UTC hour buckets in `[from_ms, to_ms)` (whole UTC hours) whose local hour
/// in `zone` is in `range`; an error message when the zone's offset is not a whole number
/// of hours somewhere in the range.
pub fn windows(
    zone: &TimeZone,
    zone_name: &str,
    from_ms: i64,
    to_ms: i64,
    range: HourRange,
) -> Result<Vec<HourWindow>, String> {
    let mut out: Vec<(i32, HourWindow)> = Vec::new();
    let mut at = from_ms;
    while at < to_ms {
        let ts = Timestamp::from_millisecond(at).map_err(|e| e.to_string())?;
        let offset = zone.to_offset(ts);
        let seconds = offset.seconds();
        if seconds % 3600 != 0 {
            return Err(format!(
                "cannot be used in {zone_name}: its offset from UTC ({offset}) is not a whole \
                 number of hours, so the hourly rollups (UTC hours) do not match its local hours"
            ));
        }
        match out.last_mut() {
            Some((o, w)) if *o == seconds => w.to_ms = at + HOUR_MS,
            _ => out.push((
                seconds,
                HourWindow {
                    from_ms: at,
                    to_ms: at + HOUR_MS,
                    utc_hours: range.utc_hours(seconds / 3600),
                },
            )),
        }
        at += HOUR_MS;
    }
    Ok(out.into_iter().map(|(_, w)| w).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZone {
        crate::types::time_zone(name).unwrap()
    }

    fn ms(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn an_hour_a_range_and_a_range_over_midnight_are_read() {
        assert_eq!(HourRange::parse("9"), Ok(HourRange { start: 9, end: 10 }));
        assert_eq!(
            HourRange::parse(" 9-17 "),
            Ok(HourRange { start: 9, end: 17 })
        );
        assert_eq!(
            HourRange::parse("0-24"),
            Ok(HourRange { start: 0, end: 24 })
        );
        let night = HourRange::parse("22-6").unwrap();
        let hours: Vec<i8> = (0..24).filter(|h| night.contains(*h)).collect();
        assert_eq!(hours, [0, 1, 2, 3, 4, 5, 22, 23]);
        assert_eq!(night.to_string(), "22-6");
    }

    #[test]
    fn malformed_and_out_of_range_hours_are_refused() {
        for bad in ["", "x", "9-", "-5", "9-17-3", "9.5", "+9", "009"] {
            assert_eq!(HourRange::parse(bad), Err(FORMAT.to_owned()), "{bad}");
        }
        assert!(HourRange::parse("24").unwrap_err().contains("0 to 23"));
        assert!(HourRange::parse("23-25").unwrap_err().contains("after 24"));
        assert!(HourRange::parse("5-5").unwrap_err().contains("empty"));
    }

    #[test]
    fn shanghai_hours_are_utc_hours_eight_earlier() {
        let from = ms("2026-03-01T16:00:00Z");
        let w = windows(
            &zone("Asia/Shanghai"),
            "Asia/Shanghai",
            from,
            from + 2 * 24 * HOUR_MS,
            HourRange::parse("22-2").unwrap(),
        )
        .unwrap();
        // Local 22, 23, 0, 1 are 14, 15, 16, 17 UTC.
        assert_eq!(
            w,
            [HourWindow {
                from_ms: from,
                to_ms: from + 48 * HOUR_MS,
                utc_hours: 0b1111 << 14
            }]
        );
    }

    #[test]
    fn a_dst_change_starts_a_new_window() {
        // New York: UTC-5 until 2026-03-08 07:00 UTC, then UTC-4.
        let from = ms("2026-03-07T05:00:00Z");
        let change = ms("2026-03-08T07:00:00Z");
        let w = windows(
            &zone("America/New_York"),
            "America/New_York",
            from,
            ms("2026-03-10T04:00:00Z"),
            HourRange::parse("9").unwrap(),
        )
        .unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!((w[0].from_ms, w[0].to_ms), (from, change));
        assert_eq!(w[0].utc_hours, 1 << 14);
        assert_eq!(
            (w[1].from_ms, w[1].to_ms),
            (change, ms("2026-03-10T04:00:00Z"))
        );
        assert_eq!(w[1].utc_hours, 1 << 13);
    }

    #[test]
    fn zones_off_the_whole_hour_are_refused() {
        for name in ["Asia/Kolkata", "Australia/Adelaide", "Asia/Kathmandu"] {
            let from = ms("2026-03-01T00:00:00Z");
            let err = windows(
                &zone(name),
                name,
                from,
                from + 24 * HOUR_MS,
                HourRange::parse("9-17").unwrap(),
            )
            .unwrap_err();
            assert!(err.contains(name) && err.contains("whole"), "{err}");
        }
    }
}
