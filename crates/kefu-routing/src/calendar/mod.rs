//! Business calendars: which instants count towards SLA targets, and business-time
//! arithmetic over them (`business_time_between`, `add_business_time`).
//!
//! A calendar is 24×7 unless it lists weekly business hours: per weekday, zero or more
//! ascending, non-overlapping intervals of local wall-clock time (`end` may be `24:00`) in
//! an IANA time zone (default Asia/Shanghai). Holidays are whole local dates with no
//! business time, in 24×7 calendars too. An interval spanning midnight is written as two
//! intervals, one on each day.
//!
//! Each interval runs from the first instant the zone's wall clock shows its start to the
//! first instant it shows its end. So on a spring-forward day a 00:00–06:00 interval lasts
//! five real hours and one lying wholly in the skipped hour lasts none; on a fall-back day
//! 00:00–06:00 lasts seven hours and one lying wholly in the repeated hour counts once.

mod config;

pub use config::{
    CalendarConfig, CalendarError, OpenInterval, WallTime, WallTimeError, WeeklyHours,
};

use crate::shift::DEFAULT_TIME_ZONE;
use config::{DAY_SECS, validate_week};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeSet;

const WHOLE_DAY: &[(i32, i32)] = &[(0, DAY_SECS)];

/// A validated calendar with its zone resolved. The default is 24×7 without holidays.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    time_zone: TimeZone,
    /// Monday first; `(start, end)` seconds since local midnight. `None` is 24×7.
    week: Option<[Vec<(i32, i32)>; 7]>,
    holidays: BTreeSet<Date>,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        Self::always()
    }
}

impl TryFrom<&CalendarConfig> for BusinessCalendar {
    type Error = CalendarError;

    fn try_from(config: &CalendarConfig) -> Result<Self, CalendarError> {
        Self::new(config)
    }
}

impl BusinessCalendar {
    /// Open around the clock, no holidays (in the default zone, which then matters not).
    pub fn always() -> Self {
        Self {
            time_zone: TimeZone::get(DEFAULT_TIME_ZONE).unwrap_or(TimeZone::UTC),
            week: None,
            holidays: BTreeSet::new(),
        }
    }

    /// Validates a configuration.
    pub fn new(config: &CalendarConfig) -> Result<Self, CalendarError> {
        let time_zone = TimeZone::get(&config.time_zone)
            .map_err(|_| CalendarError::UnknownTimeZone(config.time_zone.clone()))?;
        let week = config.hours.as_ref().map(validate_week).transpose()?;
        let mut holidays = BTreeSet::new();
        for (index, &date) in config.holidays.iter().enumerate() {
            if !holidays.insert(date) {
                return Err(CalendarError::DuplicateHoliday { index, date });
            }
        }
        Ok(Self {
            time_zone,
            week,
            holidays,
        })
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    /// Whether every instant is business time.
    pub fn is_always_open(&self) -> bool {
        self.week.is_none() && self.holidays.is_empty()
    }

    /// Whether `at` is business time.
    pub fn is_business_time(&self, at: Timestamp) -> bool {
        if self.is_always_open() {
            return true;
        }
        let date = self.local_date(at);
        [date.yesterday(), Ok(date), date.tomorrow()]
            .into_iter()
            .flatten()
            .any(|d| self.intervals_on(d).any(|(s, e)| s <= at && at < e))
    }

    fn local_date(&self, at: Timestamp) -> Date {
        self.time_zone.to_datetime(at).date()
    }

    /// Business intervals of a local date as instants, in order.
    fn intervals_on(
        &self,
        date: Date,
    ) -> impl DoubleEndedIterator<Item = (Timestamp, Timestamp)> + '_ {
        let day: &[(i32, i32)] = if self.holidays.contains(&date) {
            &[]
        } else {
            match &self.week {
                None => WHOLE_DAY,
                Some(week) => &week[weekday_index(date)],
            }
        };
        day.iter()
            .map(move |&(s, e)| (self.instant(date, s), self.instant(date, e)))
    }

    /// The first instant the wall clock shows `secs` past midnight of `date` (or later).
    fn instant(&self, date: Date, secs: i32) -> Timestamp {
        let dt = if secs >= DAY_SECS {
            date.tomorrow().map(|d| d.to_datetime(Time::midnight()))
        } else {
            let part = |n: i32| i8::try_from(n).unwrap_or(0);
            Time::new(part(secs / 3600), part(secs / 60 % 60), part(secs % 60), 0)
                .map(|t| date.to_datetime(t))
        };
        match dt {
            Ok(dt) => first_instant_at_or_after(&self.time_zone, dt),
            Err(_) => Timestamp::MAX,
        }
    }
}

fn weekday_index(date: Date) -> usize {
    usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0)
}

/// The earliest instant whose local wall-clock reading is `dt` or later: the first of the
/// two in a fall-back fold, the transition itself in a spring-forward gap.
fn first_instant_at_or_after(tz: &TimeZone, dt: DateTime) -> Timestamp {
    let out_of_range = if dt.year() < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    };
    let ts = match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt),
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt),
        AmbiguousOffset::Gap { before, after } => {
            // `dt` read with the later offset is an instant just before the gap opens.
            let transition = after
                .to_timestamp(dt)
                .ok()
                .and_then(|early| tz.following(early).next())
                .map(|t| t.timestamp());
            match transition {
                Some(t) => Ok(t),
                None => before.to_timestamp(dt),
            }
        }
    };
    ts.unwrap_or(out_of_range)
}

fn saturating_add(at: Timestamp, d: SignedDuration) -> Timestamp {
    at.checked_add(d).unwrap_or(if d.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

fn overlap(a: (Timestamp, Timestamp), b: (Timestamp, Timestamp)) -> SignedDuration {
    let (s, e) = (a.0.max(b.0), a.1.min(b.1));
    if e > s {
        e.duration_since(s)
    } else {
        SignedDuration::ZERO
    }
}

/// Business time from `from` to `to`; negative when `to` is before `from`.
pub fn business_time_between(
    calendar: &BusinessCalendar,
    from: Timestamp,
    to: Timestamp,
) -> SignedDuration {
    if to < from {
        return -business_time_between(calendar, to, from);
    }
    if calendar.is_always_open() {
        return to.duration_since(from);
    }
    let span = (from, to);
    let first = calendar.local_date(from).yesterday().unwrap_or(Date::MIN);
    if calendar.week.is_none() {
        // Around the clock: everything but the holidays in range.
        let last = calendar.local_date(to).tomorrow().unwrap_or(Date::MAX);
        let closed: SignedDuration = calendar
            .holidays
            .range(first..=last)
            .map(|&h| {
                overlap(
                    span,
                    (calendar.instant(h, 0), calendar.instant(h, DAY_SECS)),
                )
            })
            .sum();
        return to.duration_since(from) - closed;
    }
    let mut total = SignedDuration::ZERO;
    let mut day = first;
    while calendar.instant(day, 0) < to {
        total += calendar
            .intervals_on(day)
            .map(|iv| overlap(span, iv))
            .sum::<SignedDuration>();
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    total
}

/// The earliest instant at which `duration` of business time has passed since `start`
/// (for a negative duration: the latest instant that much business time before `start`).
/// Saturates at the ends of the representable range.
pub fn add_business_time(
    calendar: &BusinessCalendar,
    start: Timestamp,
    duration: SignedDuration,
) -> Timestamp {
    if duration.is_zero() || calendar.is_always_open() {
        return saturating_add(start, duration);
    }
    let mut remaining = duration.abs();
    if duration.is_negative() {
        let mut day = calendar.local_date(start).tomorrow().unwrap_or(Date::MAX);
        loop {
            for (s, e) in calendar.intervals_on(day).rev() {
                let e = e.min(start);
                if e > s {
                    let available = e.duration_since(s);
                    if remaining <= available {
                        return e - remaining;
                    }
                    remaining -= available;
                }
            }
            match day.yesterday() {
                Ok(d) => day = d,
                Err(_) => return Timestamp::MIN,
            }
        }
    }
    let mut day = calendar.local_date(start).yesterday().unwrap_or(Date::MIN);
    loop {
        for (s, e) in calendar.intervals_on(day) {
            let s = s.max(start);
            if e > s {
                let available = e.duration_since(s);
                if remaining <= available {
                    return s + remaining;
                }
                remaining -= available;
            }
        }
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => return Timestamp::MAX,
        }
    }
}

#[cfg(test)]
mod tests;
