//! Rosters (shifts per agent) and the coverage view: agents on duty per hour and skill
//! against the agents Erlang C says the demand needs.

use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::problem::{ApiError, ApiResult, ErrorCode, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use kefu_domain::AgentId;
use kefu_service::roster::{self, AgentShifts, Demand, ShiftInput};
use kefu_service::routing::DEFAULT_AHT_SECONDS;
use kefu_service::types::DEFAULT_TIME_ZONE;
use kefu_service::validate::Checks;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// A break inside a shift.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakBody {
    /// Local start time, `HH:MM`.
    #[schema(
        pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        example = "09:00"
    )]
    pub start: String,
    /// 1–720.
    #[schema(minimum = 1, maximum = 720)]
    pub minutes: u16,
}

/// A recurring shift in the roster's local time. It may cross midnight (`22:00`–`06:00`
/// started on Monday ends Tuesday morning); `start` equal to `end` is a 24-hour shift.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftBody {
    /// Days the shift starts on: `mon` … `sun`, each once.
    #[schema(value_type = Vec<crate::openapi::WeekdayName>, max_items = 7)]
    pub days: Vec<String>,
    /// Local start time, `HH:MM`.
    #[schema(
        pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        example = "09:00"
    )]
    pub start: String,
    /// Local end time, `HH:MM`.
    #[schema(
        pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        example = "17:00"
    )]
    pub end: String,
    #[serde(default)]
    #[schema(max_items = 8)]
    pub breaks: Vec<BreakBody>,
}

/// An agent's shifts, replacing any they had.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutRosterRequest {
    /// IANA time zone of the local times; default `Asia/Shanghai`.
    pub time_zone: Option<String>,
    /// Empty: never on shift. At most 28.
    #[schema(max_items = 28)]
    pub shifts: Vec<ShiftBody>,
}

/// An agent's roster. Without one (`rostered: false`) an agent is always on shift.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RosterView {
    pub agent_id: i64,
    pub rostered: bool,
    pub time_zone: String,
    pub shifts: Vec<ShiftBody>,
    /// Whether the roster has the agent working (not on a break) right now.
    pub on_shift_now: bool,
}

fn hhmm(t: Time) -> String {
    if t.second() == 0 {
        t.strftime("%H:%M").to_string()
    } else {
        t.strftime("%H:%M:%S").to_string()
    }
}

impl RosterView {
    fn of(id: AgentId, shifts: Option<&AgentShifts>, now: Timestamp) -> Self {
        let Some(s) = shifts else {
            return Self {
                agent_id: id.0,
                rostered: false,
                time_zone: DEFAULT_TIME_ZONE.into(),
                shifts: vec![],
                on_shift_now: true,
            };
        };
        Self {
            agent_id: id.0,
            rostered: true,
            time_zone: s.time_zone_name.clone(),
            shifts: s
                .entry
                .shifts
                .iter()
                .map(|sh| ShiftBody {
                    days: sh
                        .days
                        .iter()
                        .map(|d| format!("{d:?}").to_ascii_lowercase())
                        .collect(),
                    start: hhmm(sh.start),
                    end: hhmm(sh.end),
                    breaks: sh
                        .breaks
                        .iter()
                        .map(|b| BreakBody {
                            start: hhmm(b.start),
                            minutes: b.minutes,
                        })
                        .collect(),
                })
                .collect(),
            on_shift_now: s.covers(now),
        }
    }
}

fn agent_id(raw: &str) -> ApiResult<AgentId> {
    raw.parse()
        .map(AgentId)
        .map_err(|_| ApiError::new(ErrorCode::AgentNotFound, "Agent ids are integers."))
}

/// An agent's roster (supervisors, or the agent themself).
#[utoipa::path(get, path = "/api/v1/agents/{id}/roster", operation_id = "find_roster", tag = "routing",
    params(("id" = i64, Path, description = "The agent's id")),
    responses((status = 200, body = RosterView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn find_roster(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<RosterView>> {
    let id = agent_id(&id)?;
    let shifts = roster::roster(&state, &caller, id).await?;
    Ok(Json(RosterView::of(id, shifts.as_ref(), Timestamp::now())))
}

/// Replaces an agent's shifts (supervisors). Takes effect at once: off shift now, the
/// agent's live chats go back to the queue; on shift and online, they pull queued work.
#[utoipa::path(put, path = "/api/v1/agents/{id}/roster", operation_id = "put_roster", tag = "routing",
    params(("id" = i64, Path, description = "The agent's id")), request_body = PutRosterRequest,
    responses((status = 200, body = RosterView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn put_roster(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PutRosterRequest>,
) -> ApiResult<Json<RosterView>> {
    let id = agent_id(&id)?;
    let input: Vec<ShiftInput<'_>> = req
        .shifts
        .iter()
        .map(|s| ShiftInput {
            days: &s.days,
            start: &s.start,
            end: &s.end,
            breaks: s
                .breaks
                .iter()
                .map(|b| (b.start.as_str(), b.minutes))
                .collect(),
        })
        .collect();
    let stored = roster::put_roster(&state, &caller, id, req.time_zone.as_deref(), &input).await?;
    Ok(Json(RosterView::of(id, Some(&stored), Timestamp::now())))
}

/// The coverage view's parameters. Numbers are strings here so each bad one is named.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CoverageQuery {
    /// Local date, `YYYY-MM-DD`; default today in `time_zone`.
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<String>,
    /// IANA zone of the date and hours; default `Asia/Shanghai`.
    #[param(example = "Asia/Shanghai")]
    pub time_zone: Option<String>,
    /// Compare only agents skilled in this category (default: all agents).
    #[param(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub category: Option<String>,
    /// Expected arrivals (not negative): one number for every hour, or 24 comma-separated
    /// numbers. Without it only the on-duty counts are given.
    #[param(example = "120")]
    pub arrivals_per_hour: Option<String>,
    /// Average handle time in seconds, more than 0; default 600.
    #[param(value_type = Option<f64>, exclusive_minimum = 0)]
    pub aht_seconds: Option<String>,
    /// Share answered within `target_answer_seconds`, in (0, 1); default 0.8.
    #[param(value_type = Option<f64>, exclusive_minimum = 0, exclusive_maximum = 1)]
    pub target_service_level: Option<String>,
    /// Seconds, not negative; default 20.
    #[param(value_type = Option<f64>, minimum = 0)]
    pub target_answer_seconds: Option<String>,
    /// Share of paid time not on the phones, in [0, 1); default 0.
    #[param(value_type = Option<f64>, minimum = 0, exclusive_maximum = 1)]
    pub shrinkage: Option<String>,
}

/// Demand against duty in one local hour.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DemandView {
    /// Agents on duty skilled in the compared category (all on duty without one).
    pub on_duty: u32,
    /// Agents needed (Erlang C, after shrinkage); 0 without arrivals.
    pub required: u32,
    /// `on_duty - required`: negative means short-staffed.
    pub surplus: i64,
}

/// One local hour.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CoverageHourView {
    /// 0–23.
    #[schema(minimum = 0, maximum = 23)]
    pub hour: i8,
    /// Agents on duty (sampled at half past the hour).
    pub on_duty: u32,
    /// Agents on duty per category skill they may be routed.
    pub by_skill: BTreeMap<String, u32>,
    pub demand: Option<DemandView>,
}

/// The dates the coverage view answers for.
const COVERAGE_DATES: std::ops::RangeInclusive<Date> =
    jiff::civil::date(2000, 1, 1)..=jiff::civil::date(2100, 12, 31);

/// The coverage view of one local date.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CoverageView {
    pub date: String,
    pub time_zone: String,
    pub category: Option<String>,
    pub hours: Vec<CoverageHourView>,
}

fn number(c: &mut Checks, field: &str, raw: Option<&str>, default: f64) -> f64 {
    let Some(raw) = raw else {
        return default;
    };
    match raw.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => {
            c.fail(field, "must be a number");
            default
        }
    }
}

/// Agents on duty per local hour and category skill (from the rosters; agents without one
/// count every hour), against the agents needed for the expected arrivals (supervisors).
#[utoipa::path(get, path = "/api/v1/coverage", operation_id = "find_coverage", tag = "routing",
    params(CoverageQuery),
    responses((status = 200, body = CoverageView), (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn find_coverage(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> ApiResult<Json<CoverageView>> {
    let mut c = Checks::default();
    let zone_name = q
        .time_zone
        .as_deref()
        .map(str::trim)
        .unwrap_or(DEFAULT_TIME_ZONE);
    let zone = kefu_service::types::time_zone(zone_name).ok();
    if zone.is_none() {
        c.fail(
            "time_zone",
            format!("{zone_name:?} is not a known IANA time zone"),
        );
    }
    let date = match (&q.date, &zone) {
        (Some(d), _) => match d.trim().parse::<Date>() {
            Ok(date) if COVERAGE_DATES.contains(&date) => Some(date),
            // The hours of a far date overflow the time arithmetic behind the view.
            Ok(_) => {
                c.fail("date", "must be from 2000-01-01 to 2100-12-31");
                None
            }
            Err(_) => {
                c.fail("date", "must be a date YYYY-MM-DD");
                None
            }
        },
        (None, Some(z)) => Some(Timestamp::now().to_zoned(z.clone()).date()),
        (None, None) => None,
    };
    if let Some(cat) = &q.category
        && !state.catalogue().has_category(cat)
    {
        c.fail("category", "no category with this code");
    }
    let arrivals = q.arrivals_per_hour.as_deref().map(|raw| {
        let values: Vec<Option<f64>> = raw
            .split(',')
            .map(|v| v.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect();
        match values.as_slice() {
            [Some(v)] => [*v; 24],
            _ if values.len() == 24 && values.iter().all(Option::is_some) => {
                let mut all = [0.0; 24];
                for (slot, v) in all.iter_mut().zip(values) {
                    *slot = v.unwrap_or(0.0);
                }
                all
            }
            _ => {
                c.fail(
                    "arrivals_per_hour",
                    "must be one number or 24 comma-separated numbers",
                );
                [0.0; 24]
            }
        }
    });
    if arrivals.is_some_and(|a| a.iter().any(|v| *v < 0.0)) {
        c.fail("arrivals_per_hour", "must not be negative");
    }
    let aht_seconds = number(
        &mut c,
        "aht_seconds",
        q.aht_seconds.as_deref(),
        DEFAULT_AHT_SECONDS,
    );
    let target_service_level = number(
        &mut c,
        "target_service_level",
        q.target_service_level.as_deref(),
        0.8,
    );
    let target_answer_seconds = number(
        &mut c,
        "target_answer_seconds",
        q.target_answer_seconds.as_deref(),
        20.0,
    );
    let shrinkage = number(&mut c, "shrinkage", q.shrinkage.as_deref(), 0.0);
    if aht_seconds <= 0.0 {
        c.fail("aht_seconds", "must be more than 0");
    }
    if target_service_level <= 0.0 || target_service_level >= 1.0 {
        c.fail(
            "target_service_level",
            "must be between 0 and 1 (exclusive)",
        );
    }
    if target_answer_seconds < 0.0 {
        c.fail("target_answer_seconds", "must not be negative");
    }
    if !(0.0..1.0).contains(&shrinkage) {
        c.fail("shrinkage", "must be from 0 up to (not including) 1");
    }
    c.finish()?;
    let (Some(zone), Some(date)) = (zone, date) else {
        return Err(ApiError::field("date", "must be a date YYYY-MM-DD"));
    };
    let demand = arrivals.map(|arrivals_per_hour| Demand {
        arrivals_per_hour,
        aht_seconds,
        target_service_level,
        target_answer_seconds,
        shrinkage,
    });
    let hours =
        roster::coverage(&state, &caller, date, &zone, q.category.as_deref(), demand).await?;
    Ok(Json(CoverageView {
        date: date.to_string(),
        time_zone: zone_name.to_owned(),
        category: q.category,
        hours: hours
            .into_iter()
            .map(|h| CoverageHourView {
                hour: h.hour,
                on_duty: h.on_duty,
                by_skill: h.by_skill,
                demand: h.demand.map(|g| DemandView {
                    on_duty: g.on_duty,
                    required: g.required,
                    surplus: i64::from(g.on_duty) - i64::from(g.required),
                }),
            })
            .collect(),
    }))
}
