//! `GET /console/rosters`: every active agent's recurring shifts on a week grid (Mon–Sun,
//! local times of the roster's zone), each agent's shifts as editable text, and the
//! coverage view — agents on duty in each local hour of today, in total and per domain
//! skill (kefu-service `roster::coverage`). `POST /console/rosters/{id}` replaces an
//! agent's shifts (`roster::put_roster`, which checks every field and applies at once).
//!
//! The text form is one shift a line: its days, `HH:MM-HH:MM`, and any breaks as
//! `+HH:MM/minutes`, e.g. `mon tue wed thu fri 09:00-18:00 +12:00/60`. A blank text
//! means never on shift.

use super::super::console::enter;
use super::super::texts::console::ConsoleTexts;
use super::{page, posted, redirect};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use jiff::Timestamp;
use jiff::civil::Time;
use kefu_domain::AgentId;
use kefu_service::ServiceError;
use kefu_service::roster::{self, AgentShifts, ShiftInput};
use kefu_service::types::{DEFAULT_TIME_ZONE, time_zone};
use serde::{Deserialize, Serialize};

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[derive(Serialize)]
struct AgentRow {
    id: i64,
    name: String,
    role: &'static str,
    rostered: bool,
    on_shift_now: bool,
    time_zone: String,
    /// Per day (Mon first): the shifts starting that day, as `HH:MM–HH:MM`.
    week: Vec<Vec<String>>,
    text: String,
}

#[derive(Serialize)]
struct CoverageRow {
    label: String,
    hours: Vec<u32>,
}

#[derive(Serialize)]
struct RostersPage {
    agents: Vec<AgentRow>,
    date: String,
    coverage: Vec<CoverageRow>,
    csrf: String,
}

fn hhmm(t: Time) -> String {
    t.strftime("%H:%M").to_string()
}

/// A day as the form writes it (`mon` … `sun`; the domain's `Day` debug name).
fn day_name(d: &impl std::fmt::Debug) -> String {
    format!("{d:?}").to_ascii_lowercase()
}

/// A roster's shifts in the form's text (one shift a line).
fn as_text(s: &AgentShifts) -> String {
    s.entry
        .shifts
        .iter()
        .map(|sh| {
            let mut line: Vec<String> = sh.days.iter().map(day_name).collect();
            line.push(format!("{}-{}", hhmm(sh.start), hhmm(sh.end)));
            for b in &sh.breaks {
                line.push(format!("+{}/{}", hhmm(b.start), b.minutes));
            }
            line.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn week(s: &AgentShifts) -> Vec<Vec<String>> {
    DAYS.iter()
        .map(|d| {
            s.entry
                .shifts
                .iter()
                .filter(|sh| sh.days.iter().any(|x| day_name(x) == *d))
                .map(|sh| format!("{}–{}", hhmm(sh.start), hhmm(sh.end)))
                .collect()
        })
        .collect()
}

/// `GET /console/rosters` (supervisors and admins).
pub async fn show_rosters(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(zone) = time_zone(DEFAULT_TIME_ZONE) else {
        return console.service_error(&ServiceError::internal("the default time zone"));
    };
    let now = Timestamp::now();
    let date = now.to_zoned(zone.clone()).date();
    let hours = match roster::coverage(&state, &console.caller, date, &zone, None, None).await {
        Ok(h) => h,
        Err(e) => return console.service_error(&e),
    };
    let agents = match kefu_service::admin::list_agents(&state, &console.caller).await {
        Ok(a) => a,
        Err(e) => return console.service_error(&e),
    };
    let mut rows = Vec::new();
    for a in agents.into_iter().filter(|a| a.active) {
        let shifts = match roster::roster(&state, &console.caller, a.id).await {
            Ok(s) => s,
            Err(e) => return console.service_error(&e),
        };
        rows.push(AgentRow {
            id: a.id.0,
            name: a.display_name,
            role: ConsoleTexts::of(console.lang.lang).role_names.of(a.role),
            rostered: shifts.is_some(),
            on_shift_now: shifts.as_ref().is_none_or(|s| s.covers(now)),
            time_zone: shifts
                .as_ref()
                .map_or(DEFAULT_TIME_ZONE.to_owned(), |s| s.time_zone_name.clone()),
            week: shifts.as_ref().map(week).unwrap_or_default(),
            text: shifts.as_ref().map(as_text).unwrap_or_default(),
        });
    }
    let mut coverage = vec![CoverageRow {
        label: "*".into(),
        hours: hours.iter().map(|h| h.on_duty).collect(),
    }];
    let categories: std::collections::BTreeSet<&String> =
        hours.iter().flat_map(|h| h.by_skill.keys()).collect();
    for c in categories {
        coverage.push(CoverageRow {
            label: c.clone(),
            hours: hours
                .iter()
                .map(|h| h.by_skill.get(c).copied().unwrap_or(0))
                .collect(),
        });
    }
    page(
        &console,
        "rosters",
        "console/rosters.html",
        RostersPage {
            agents: rows,
            date: date.to_string(),
            coverage,
            csrf: console.csrf.clone(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RosterForm {
    time_zone: String,
    shifts: String,
}

/// One line of the form's text: days, times and breaks as strings for kefu-service to
/// check (a token that is none of them goes through as a day, which then fails by name).
#[derive(Debug, Default, PartialEq)]
struct Line {
    days: Vec<String>,
    start: String,
    end: String,
    breaks: Vec<(String, u16)>,
}

fn parse_line(line: &str) -> Line {
    let mut out = Line::default();
    for token in line.split([' ', ',', '\t']).filter(|t| !t.is_empty()) {
        if let Some(b) = token.strip_prefix('+') {
            let (at, minutes) = b.split_once('/').unwrap_or((b, ""));
            // A bad minute count becomes 0, which kefu-service refuses by its field name.
            out.breaks
                .push((at.to_owned(), minutes.parse().unwrap_or_default()));
        } else if let Some((start, end)) = token.split_once('-') {
            out.start = start.to_owned();
            out.end = end.to_owned();
        } else {
            out.days.push(token.to_owned());
        }
    }
    out
}

/// `POST /console/rosters/{id}`: replaces the agent's shifts.
pub async fn put_roster(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, RosterForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let lines: Vec<Line> = f
        .shifts
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(parse_line)
        .collect();
    let input: Vec<ShiftInput<'_>> = lines
        .iter()
        .map(|l| ShiftInput {
            days: &l.days,
            start: &l.start,
            end: &l.end,
            breaks: l.breaks.iter().map(|(s, m)| (s.as_str(), *m)).collect(),
        })
        .collect();
    let zone = Some(f.time_zone.as_str()).filter(|z| !z.trim().is_empty());
    let done = roster::put_roster(&state, &console.caller, AgentId(id), zone, &input).await;
    redirect(&console, done, |_| format!("/console/rosters#agent-{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shift_line_gives_its_days_times_and_breaks() {
        assert_eq!(
            parse_line("mon, tue  wed 09:00-18:00 +12:00/60"),
            Line {
                days: vec!["mon".into(), "tue".into(), "wed".into()],
                start: "09:00".into(),
                end: "18:00".into(),
                breaks: vec![("12:00".into(), 60)],
            }
        );
        let odd = parse_line("sun 22:00-06:00 +02:00/x");
        assert_eq!(odd.breaks, vec![("02:00".to_owned(), 0)]);
    }
}
