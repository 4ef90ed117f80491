//! Calendar configuration as written by supervisors (TOML or JSON): zone, weekly hours,
//! holidays; and its validation, which names the offending key.

use crate::shift::DEFAULT_TIME_ZONE;
use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

pub(super) const DAY_SECS: i32 = 86_400;
const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A local time of day, written `HH:MM` or `HH:MM:SS`, from `00:00` to `24:00` (the end
/// of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WallTime(i32);

impl WallTime {
    pub const MIDNIGHT: WallTime = WallTime(0);
    pub const END_OF_DAY: WallTime = WallTime(DAY_SECS);

    /// `hour:minute`, or `None` outside `00:00`–`24:00`.
    pub fn hm(hour: u8, minute: u8) -> Option<Self> {
        Self::hms(hour, minute, 0)
    }

    /// `hour:minute:second`, or `None` outside `00:00`–`24:00`.
    pub fn hms(hour: u8, minute: u8, second: u8) -> Option<Self> {
        if minute > 59 || second > 59 {
            return None;
        }
        let secs = i32::from(hour) * 3600 + i32::from(minute) * 60 + i32::from(second);
        (secs <= DAY_SECS).then_some(Self(secs))
    }

    /// Seconds since local midnight, 0 to 86,400.
    pub fn seconds(self) -> i32 {
        self.0
    }
}

/// Why a wall-clock time did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a time of day between 00:00 and 24:00 (HH:MM or HH:MM:SS)")]
pub struct WallTimeError(String);

impl FromStr for WallTime {
    type Err = WallTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || WallTimeError(s.to_owned());
        let part = |p: Option<&str>| -> Result<u8, WallTimeError> {
            match p {
                Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
                    p.parse().map_err(|_| bad())
                }
                _ => Err(bad()),
            }
        };
        let mut parts = s.split(':');
        let (h, m) = (part(parts.next())?, part(parts.next())?);
        let sec = match parts.next() {
            None => 0,
            p => part(p)?,
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        Self::hms(h, m, sec).ok_or_else(bad)
    }
}

impl fmt::Display for WallTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 / 60 % 60, self.0 % 60);
        if s == 0 {
            write!(f, "{h:02}:{m:02}")
        } else {
            write!(f, "{h:02}:{m:02}:{s:02}")
        }
    }
}

impl Serialize for WallTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for WallTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One interval of business hours on a day, in local wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenInterval {
    pub start: WallTime,
    pub end: WallTime,
}

impl OpenInterval {
    pub fn new(start: WallTime, end: WallTime) -> Self {
        Self { start, end }
    }
}

/// Business hours per weekday; a day left out has none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    #[serde(default)]
    pub mon: Vec<OpenInterval>,
    #[serde(default)]
    pub tue: Vec<OpenInterval>,
    #[serde(default)]
    pub wed: Vec<OpenInterval>,
    #[serde(default)]
    pub thu: Vec<OpenInterval>,
    #[serde(default)]
    pub fri: Vec<OpenInterval>,
    #[serde(default)]
    pub sat: Vec<OpenInterval>,
    #[serde(default)]
    pub sun: Vec<OpenInterval>,
}

impl WeeklyHours {
    /// The same intervals Monday to Friday, nothing at weekends.
    pub fn weekdays(intervals: &[OpenInterval]) -> Self {
        let v = intervals.to_vec();
        Self {
            mon: v.clone(),
            tue: v.clone(),
            wed: v.clone(),
            thu: v.clone(),
            fri: v,
            sat: Vec::new(),
            sun: Vec::new(),
        }
    }

    /// The days Monday first.
    pub fn days(&self) -> [&[OpenInterval]; 7] {
        [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ]
    }
}

/// A business calendar as configured (an SLA policy's or the whole site's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    #[serde(default = "default_zone_name")]
    pub time_zone: String,
    /// `None` (the default) means open around the clock.
    #[serde(default)]
    pub hours: Option<WeeklyHours>,
    #[serde(default)]
    pub holidays: Vec<Date>,
}

fn default_zone_name() -> String {
    DEFAULT_TIME_ZONE.to_owned()
}

impl Default for CalendarConfig {
    fn default() -> Self {
        Self {
            time_zone: default_zone_name(),
            hours: None,
            holidays: Vec::new(),
        }
    }
}

/// Why a calendar was rejected; [`CalendarError::field`] names the offending key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("time_zone: {0:?} is not a known IANA time zone")]
    UnknownTimeZone(String),
    #[error("{field}: the end must be after the start")]
    EndNotAfterStart { field: String },
    #[error("{field}: must not start before the previous interval ends")]
    Overlap { field: String },
    #[error("hours: there are no business hours on any day of the week")]
    NoHours,
    #[error("holidays[{index}]: {date} is listed twice")]
    DuplicateHoliday { index: usize, date: Date },
}

impl CalendarError {
    /// The configuration key at fault, e.g. `hours.mon[1].end`.
    pub fn field(&self) -> String {
        match self {
            Self::UnknownTimeZone(_) => "time_zone".to_owned(),
            Self::EndNotAfterStart { field } | Self::Overlap { field } => field.clone(),
            Self::NoHours => "hours".to_owned(),
            Self::DuplicateHoliday { index, .. } => format!("holidays[{index}]"),
        }
    }
}

pub(super) fn validate_week(hours: &WeeklyHours) -> Result<[Vec<(i32, i32)>; 7], CalendarError> {
    let mut week: [Vec<(i32, i32)>; 7] = Default::default();
    for ((day, intervals), out) in DAY_NAMES.iter().zip(hours.days()).zip(&mut week) {
        let mut previous_end = 0;
        for (i, iv) in intervals.iter().enumerate() {
            let (start, end) = (iv.start.seconds(), iv.end.seconds());
            if end <= start {
                return Err(CalendarError::EndNotAfterStart {
                    field: format!("hours.{day}[{i}].end"),
                });
            }
            if start < previous_end {
                return Err(CalendarError::Overlap {
                    field: format!("hours.{day}[{i}].start"),
                });
            }
            previous_end = end;
            out.push((start, end));
        }
    }
    if week.iter().all(Vec::is_empty) {
        return Err(CalendarError::NoHours);
    }
    Ok(week)
}
