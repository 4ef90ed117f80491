//! Shifts and rosters: who is on duty at an instant, and coverage per hour and skill.
//!
//! Shifts are written in local wall-clock time of the roster's IANA time zone (default
//! Asia/Shanghai), start on given weekdays and may cross midnight (`22:00`–`06:00` started
//! on Monday ends Tuesday morning); `start == end` is a full 24-hour shift. Breaks are
//! local times inside the shift. On days a zone changes its clocks, a shift follows the
//! wall clock: a 00:00–06:00 shift lasts 5 real hours on a spring-forward night.

use crate::assign::AgentState;
use crate::staffing::{StaffingError, required_agents};
use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use kefu_domain::AgentId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The zone rosters use unless configured otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

const DAY_SECS: i32 = 86_400;

/// Why a roster was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShiftError {
    #[error("time_zone {0:?} is not a known IANA time zone")]
    UnknownTimeZone(String),
    #[error("shift {index} of agent {agent} has no days")]
    NoDays { agent: AgentId, index: usize },
    #[error("a break of shift {index} of agent {agent} is not inside the shift")]
    BreakOutsideShift { agent: AgentId, index: usize },
}

/// A day of the week (`mon` … `sun` in configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    pub const ALL: [Day; 7] = [
        Self::Mon,
        Self::Tue,
        Self::Wed,
        Self::Thu,
        Self::Fri,
        Self::Sat,
        Self::Sun,
    ];

    pub fn of(w: Weekday) -> Self {
        match w {
            Weekday::Monday => Self::Mon,
            Weekday::Tuesday => Self::Tue,
            Weekday::Wednesday => Self::Wed,
            Weekday::Thursday => Self::Thu,
            Weekday::Friday => Self::Fri,
            Weekday::Saturday => Self::Sat,
            Weekday::Sunday => Self::Sun,
        }
    }
}

/// A break inside a shift, starting at a local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Break {
    pub start: Time,
    pub minutes: u16,
}

/// A recurring shift: local start and end times on the days it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub days: Vec<Day>,
    pub start: Time,
    pub end: Time,
    #[serde(default)]
    pub breaks: Vec<Break>,
}

fn secs(t: Time) -> i32 {
    i32::from(t.hour()) * 3600 + i32::from(t.minute()) * 60 + i32::from(t.second())
}

impl Shift {
    /// Every day, `start` to `end`.
    pub fn daily(start: Time, end: Time) -> Self {
        Self {
            days: Day::ALL.to_vec(),
            start,
            end,
            breaks: Vec::new(),
        }
    }

    /// Wall-clock length in seconds, in (0, 24 h].
    fn length(&self) -> i32 {
        let l = (secs(self.end) - secs(self.start)).rem_euclid(DAY_SECS);
        if l == 0 { DAY_SECS } else { l }
    }

    /// Seconds of wall-clock time since the start of the shift covering this local moment.
    fn offset(&self, date: Date, time: Time) -> Option<i32> {
        let (s, start, len) = (secs(time), secs(self.start), self.length());
        let today = Day::of(date.weekday());
        let yesterday = Day::of(date.weekday().previous());
        if self.days.contains(&today) && s >= start && s - start < len {
            return Some(s - start);
        }
        let from_yesterday = s + DAY_SECS - start;
        (self.days.contains(&yesterday) && from_yesterday < len).then_some(from_yesterday)
    }

    fn break_bounds(&self, b: &Break) -> (i32, i32) {
        let from = (secs(b.start) - secs(self.start)).rem_euclid(DAY_SECS);
        (from, from + i32::from(b.minutes) * 60)
    }

    /// Whether this shift has the agent working (not on a break) at `now` in `tz`.
    pub fn covers(&self, tz: &TimeZone, now: Timestamp) -> bool {
        let local = now.to_zoned(tz.clone()).datetime();
        let Some(offset) = self.offset(local.date(), local.time()) else {
            return false;
        };
        !self.breaks.iter().any(|b| {
            let (from, to) = self.break_bounds(b);
            (from..to).contains(&offset)
        })
    }
}

/// One agent's shifts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub agent_id: AgentId,
    pub shifts: Vec<Shift>,
}

/// A roster as configured: a zone name and entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterConfig {
    #[serde(default = "default_zone_name")]
    pub time_zone: String,
    #[serde(default)]
    pub entries: Vec<RosterEntry>,
}

fn default_zone_name() -> String {
    DEFAULT_TIME_ZONE.to_owned()
}

/// Looks up an IANA zone by name.
pub fn time_zone(name: &str) -> Result<TimeZone, ShiftError> {
    TimeZone::get(name).map_err(|_| ShiftError::UnknownTimeZone(name.to_owned()))
}

/// A validated roster with its zone resolved.
#[derive(Debug, Clone)]
pub struct Roster {
    pub time_zone: TimeZone,
    pub entries: Vec<RosterEntry>,
}

/// Whether any of the entry's shifts has the agent working at `now`.
pub fn is_on_shift(entry: &RosterEntry, tz: &TimeZone, now: Timestamp) -> bool {
    entry.shifts.iter().any(|s| s.covers(tz, now))
}

impl Roster {
    pub fn new(config: RosterConfig) -> Result<Self, ShiftError> {
        let tz = time_zone(&config.time_zone)?;
        for e in &config.entries {
            for (index, s) in e.shifts.iter().enumerate() {
                if s.days.is_empty() {
                    return Err(ShiftError::NoDays {
                        agent: e.agent_id,
                        index,
                    });
                }
                if s.breaks.iter().any(|b| s.break_bounds(b).1 > s.length()) {
                    return Err(ShiftError::BreakOutsideShift {
                        agent: e.agent_id,
                        index,
                    });
                }
            }
        }
        Ok(Self {
            time_zone: tz,
            entries: config.entries,
        })
    }

    /// Whether the agent is working at `now`; agents without an entry are not.
    pub fn is_on_shift(&self, agent: AgentId, now: Timestamp) -> bool {
        self.entries
            .iter()
            .filter(|e| e.agent_id == agent)
            .any(|e| is_on_shift(e, &self.time_zone, now))
    }

    /// Agents on duty in each local hour of `date` (sampled at half past), in total and per
    /// domain skill of the given agents.
    pub fn coverage(&self, agents: &[AgentState], date: Date) -> Vec<HourCoverage> {
        (0..24i8)
            .map(|hour| {
                let mut row = HourCoverage {
                    hour,
                    on_duty: 0,
                    by_skill: BTreeMap::new(),
                };
                let at = date
                    .at(hour, 30, 0, 0)
                    .to_zoned(self.time_zone.clone())
                    .map(|z| z.timestamp());
                let Ok(at) = at else {
                    return row;
                };
                for a in agents.iter().filter(|a| self.is_on_shift(a.id, at)) {
                    row.on_duty += 1;
                    for c in &a.skills.categories {
                        *row.by_skill.entry(c.category.clone()).or_default() += 1;
                    }
                }
                row
            })
            .collect()
    }
}

/// Agents on duty in one local hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourCoverage {
    pub hour: i8,
    pub on_duty: u32,
    pub by_skill: BTreeMap<String, u32>,
}

/// Coverage against demand for one skill in one hour.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HourGap {
    pub hour: i8,
    pub on_duty: u32,
    /// Agents needed (Erlang C, after shrinkage); 0 when no demand.
    pub required: u32,
}

/// Compares coverage of `skill` with the agents needed for its hourly arrivals.
pub fn coverage_vs_demand(
    coverage: &[HourCoverage],
    skill: &str,
    arrivals_per_hour: &[f64; 24],
    aht_seconds: f64,
    target_service_level: f64,
    target_answer_seconds: f64,
    shrinkage: f64,
) -> Result<Vec<HourGap>, StaffingError> {
    coverage
        .iter()
        .zip(arrivals_per_hour)
        .map(|(row, &arrivals)| {
            let required = if arrivals == 0.0 {
                0
            } else {
                required_agents(
                    arrivals,
                    aht_seconds,
                    target_service_level,
                    target_answer_seconds,
                    shrinkage,
                )?
                .scheduled_agents
            };
            Ok(HourGap {
                hour: row.hour,
                on_duty: row.by_skill.get(skill).copied().unwrap_or(0),
                required,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::tests::agent;
    use jiff::ToSpan;
    use jiff::civil::{date, time};

    fn at(tz: &str, y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
        date(y, m, d)
            .at(h, min, 0, 0)
            .to_zoned(time_zone(tz).unwrap())
            .unwrap()
            .timestamp()
    }

    fn minutes_on_shift(shift: &Shift, tz: &str, day: Date) -> i64 {
        let zone = time_zone(tz).unwrap();
        let from = day.to_zoned(zone.clone()).unwrap().timestamp();
        let to = day
            .tomorrow()
            .unwrap()
            .to_zoned(zone.clone())
            .unwrap()
            .timestamp();
        let mut t = from;
        let mut n = 0;
        while t < to {
            if shift.covers(&zone, t) {
                n += 1;
            }
            t = t.checked_add(1.minute()).unwrap();
        }
        n
    }

    #[test]
    fn night_shift_crosses_midnight_into_the_next_day() {
        let tz = time_zone(DEFAULT_TIME_ZONE).unwrap();
        let night = Shift {
            days: vec![Day::Mon],
            start: time(22, 0, 0, 0),
            end: time(6, 0, 0, 0),
            breaks: vec![],
        };
        // 2025-03-03 is a Monday.
        let s = |d, h, m| night.covers(&tz, at(DEFAULT_TIME_ZONE, 2025, 3, d, h, m));
        assert!(!s(3, 21, 59));
        assert!(s(3, 22, 0));
        assert!(s(3, 23, 59));
        assert!(s(4, 0, 0));
        assert!(s(4, 5, 59));
        assert!(!s(4, 6, 0));
        // Tuesday night is not rostered.
        assert!(!s(4, 23, 0));
        assert!(!s(5, 1, 0));
    }

    #[test]
    fn off_shift_weekday_and_breaks_are_not_on_duty() {
        let tz = time_zone(DEFAULT_TIME_ZONE).unwrap();
        let day = Shift {
            days: vec![Day::Mon, Day::Tue],
            start: time(9, 0, 0, 0),
            end: time(18, 0, 0, 0),
            breaks: vec![Break {
                start: time(12, 0, 0, 0),
                minutes: 60,
            }],
        };
        let s = |d, h, m| day.covers(&tz, at(DEFAULT_TIME_ZONE, 2025, 3, d, h, m));
        assert!(s(3, 9, 0));
        assert!(!s(3, 12, 30));
        assert!(s(3, 13, 0));
        assert!(!s(3, 18, 0));
        assert!(!s(5, 10, 0)); // Wednesday
    }

    #[test]
    fn shanghai_has_no_dst_so_every_day_is_the_same_length() {
        let shift = Shift::daily(time(0, 0, 0, 0), time(6, 0, 0, 0));
        for (m, d) in [(3, 9), (11, 2), (6, 1)] {
            assert_eq!(
                minutes_on_shift(&shift, DEFAULT_TIME_ZONE, date(2025, m, d)),
                360
            );
        }
    }

    #[test]
    fn new_york_shifts_follow_the_wall_clock_across_dst_changes() {
        let tz = "America/New_York";
        let shift = Shift::daily(time(0, 0, 0, 0), time(6, 0, 0, 0));
        // Spring forward on 2025-03-09: 02:00 → 03:00, the shift lasts 5 hours.
        assert_eq!(minutes_on_shift(&shift, tz, date(2025, 3, 9)), 300);
        // Fall back on 2025-11-02: 01:00–02:00 happens twice, the shift lasts 7 hours.
        assert_eq!(minutes_on_shift(&shift, tz, date(2025, 11, 2)), 420);
        assert_eq!(minutes_on_shift(&shift, tz, date(2025, 11, 3)), 360);
        // A night shift across the spring-forward night.
        let night = Shift::daily(time(22, 0, 0, 0), time(6, 0, 0, 0));
        let zone = time_zone(tz).unwrap();
        assert!(night.covers(&zone, at(tz, 2025, 3, 9, 3, 30)));
        assert!(!night.covers(&zone, at(tz, 2025, 3, 9, 6, 0)));
    }

    #[test]
    fn full_day_shift_is_always_on_duty() {
        let tz = time_zone("UTC").unwrap();
        let always = Shift::daily(time(0, 0, 0, 0), time(0, 0, 0, 0));
        assert!(always.covers(&tz, at("UTC", 2025, 1, 1, 0, 0)));
        assert!(always.covers(&tz, at("UTC", 2025, 1, 1, 23, 59)));
    }

    #[test]
    fn roster_rejects_unknown_zones_and_bad_shifts() {
        let bad_zone = RosterConfig {
            time_zone: "Mars/Olympus".into(),
            entries: vec![],
        };
        assert!(matches!(
            Roster::new(bad_zone),
            Err(ShiftError::UnknownTimeZone(_))
        ));
        let mut shift = Shift::daily(time(9, 0, 0, 0), time(17, 0, 0, 0));
        shift.breaks.push(Break {
            start: time(16, 30, 0, 0),
            minutes: 60,
        });
        let cfg = RosterConfig {
            time_zone: DEFAULT_TIME_ZONE.into(),
            entries: vec![RosterEntry {
                agent_id: AgentId(1),
                shifts: vec![shift],
            }],
        };
        assert!(matches!(
            Roster::new(cfg),
            Err(ShiftError::BreakOutsideShift { .. })
        ));
    }

    #[test]
    fn coverage_counts_agents_per_hour_and_skill() {
        let cfg: RosterConfig = serde_json::from_value(serde_json::json!({
            "entries": [
                {"agent_id": 1, "shifts": [{"days": ["mon"], "start": "08:00", "end": "16:00"}]},
                {"agent_id": 2, "shifts": [{"days": ["sun"], "start": "22:00", "end": "06:00"}]},
            ]
        }))
        .unwrap();
        let roster = Roster::new(cfg).unwrap();
        assert_eq!(roster.time_zone.iana_name(), Some(DEFAULT_TIME_ZONE));
        let mut a2 = agent(2);
        a2.skills.categories[0].category = "general".into();
        let cov = roster.coverage(&[agent(1), a2], date(2025, 3, 3));
        assert_eq!(cov.len(), 24);
        assert_eq!(cov[3].on_duty, 1);
        assert_eq!(cov[3].by_skill.get("general"), Some(&1));
        assert_eq!(cov[7].on_duty, 0);
        assert_eq!(cov[8].by_skill.get("account"), Some(&1));
        assert_eq!(cov[16].on_duty, 0);
        let mut demand = [0.0; 24];
        demand[8] = 200.0;
        let gaps = coverage_vs_demand(&cov, "account", &demand, 180.0, 0.8, 20.0, 0.0).unwrap();
        assert_eq!(gaps[8].required, 14);
        assert_eq!(gaps[8].on_duty, 1);
        assert_eq!(gaps[3].required, 0);
    }
}
