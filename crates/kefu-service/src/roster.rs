//! Rosters: each agent's recurring shifts (kefu-routing's `Shift`, local times in an IANA
//! zone, default Asia/Shanghai, crossing midnight, with breaks), who is on shift at an
//! instant, the handover when a shift ends, and the coverage view per local hour.
//!
//! An agent with no roster is always on shift: deployments that do not plan shifts keep
//! routing by presence alone. A roster with no shifts means never on shift.

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::routing;
use crate::validate::Checks;
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use kefu_domain::{Actor, AgentId, AgentPresence, AgentRole, TicketId};
use kefu_routing::shift::{Break, DEFAULT_TIME_ZONE, HourCoverage, HourGap, coverage_vs_demand};
use kefu_routing::{AgentSkills, Day, Roster, RosterConfig, RosterEntry, Shift, ShiftError};
use kefu_store::{AgentRoster, Handover, StoreError};
use std::collections::BTreeMap;

/// Shifts one agent may have.
pub const MAX_SHIFTS: usize = 28;
/// Breaks one shift may have.
pub const MAX_BREAKS: usize = 8;

/// A stored roster with its zone resolved and shifts decoded.
#[derive(Debug, Clone)]
pub struct AgentShifts {
    pub time_zone: TimeZone,
    pub time_zone_name: String,
    pub entry: RosterEntry,
}

impl AgentShifts {
    /// Decodes a stored roster; it was validated when stored, so a failure means the row
    /// was changed behind the API.
    pub fn decode(r: &AgentRoster) -> Result<Self, String> {
        let shifts: Vec<Shift> = serde_json::from_str(&r.shifts).map_err(|e| e.to_string())?;
        let time_zone = kefu_routing::shift::time_zone(&r.time_zone).map_err(|e| e.to_string())?;
        Ok(Self {
            time_zone,
            time_zone_name: r.time_zone.clone(),
            entry: RosterEntry {
                agent_id: r.agent_id,
                shifts,
            },
        })
    }

    pub fn covers(&self, now: Timestamp) -> bool {
        kefu_routing::is_on_shift(&self.entry, &self.time_zone, now)
    }
}

/// Whether an agent with this roster (or none) is on shift at `now`. A roster that cannot
/// be read counts as on shift (logged), so a bad row never silently stops routing.
pub fn on_shift(roster: Option<&AgentRoster>, now: Timestamp) -> bool {
    let Some(r) = roster else {
        return true;
    };
    match AgentShifts::decode(r) {
        Ok(s) => s.covers(now),
        Err(e) => {
            tracing::warn!(agent.id = %r.agent_id, error = %e, "stored roster is unreadable; treating the agent as on shift");
            true
        }
    }
}

/// One shift as the API gives it: `mon`…`sun`, `HH:MM` local times.
#[derive(Debug, Clone)]
pub struct ShiftInput<'a> {
    pub days: &'a [String],
    pub start: &'a str,
    pub end: &'a str,
    pub breaks: Vec<(&'a str, u16)>,
}

fn day(s: &str) -> Option<Day> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "mon" => Day::Mon,
        "tue" => Day::Tue,
        "wed" => Day::Wed,
        "thu" => Day::Thu,
        "fri" => Day::Fri,
        "sat" => Day::Sat,
        "sun" => Day::Sun,
        _ => return None,
    })
}

fn local_time(c: &mut Checks, field: &str, s: &str) -> Time {
    let parsed = s
        .trim()
        .parse::<Time>()
        .ok()
        .filter(|t| t.subsec_nanosecond() == 0);
    parsed.unwrap_or_else(|| {
        c.fail(field, "must be a local time HH:MM (00:00–23:59)");
        Time::midnight()
    })
}

/// Checks and converts shifts; every bad field is named (`shifts[1].breaks[0].minutes`).
pub fn check_shifts(
    agent_id: AgentId,
    time_zone: Option<&str>,
    input: &[ShiftInput<'_>],
) -> ServiceResult<(String, Vec<Shift>)> {
    let mut c = Checks::default();
    let zone = time_zone
        .map(str::trim)
        .filter(|z| !z.is_empty())
        .unwrap_or(DEFAULT_TIME_ZONE)
        .to_owned();
    if input.len() > MAX_SHIFTS {
        c.fail("shifts", format!("must have at most {MAX_SHIFTS} shifts"));
    }
    let mut shifts = Vec::with_capacity(input.len());
    for (i, s) in input.iter().enumerate() {
        let field = |f: &str| format!("shifts[{i}].{f}");
        let mut days = Vec::with_capacity(s.days.len());
        for d in s.days {
            match day(d) {
                Some(d) if !days.contains(&d) => days.push(d),
                Some(_) => c.fail(&field("days"), format!("lists {d:?} twice")),
                None => c.fail(&field("days"), format!("{d:?} is not one of mon…sun")),
            }
        }
        let start = local_time(&mut c, &field("start"), s.start);
        let end = local_time(&mut c, &field("end"), s.end);
        if s.breaks.len() > MAX_BREAKS {
            c.fail(
                &field("breaks"),
                format!("must have at most {MAX_BREAKS} breaks"),
            );
        }
        let mut breaks = Vec::with_capacity(s.breaks.len());
        for (j, (b_start, minutes)) in s.breaks.iter().enumerate() {
            let start = local_time(&mut c, &field(&format!("breaks[{j}].start")), b_start);
            if !(1..=720).contains(minutes) {
                c.fail(
                    &field(&format!("breaks[{j}].minutes")),
                    "must be from 1 to 720",
                );
            }
            breaks.push(Break {
                start,
                minutes: *minutes,
            });
        }
        shifts.push(Shift {
            days,
            start,
            end,
            breaks,
        });
    }
    c.finish()?;
    // The engine's own rules: a known zone, days on every shift, breaks inside the shift.
    let config = RosterConfig {
        time_zone: zone.clone(),
        entries: vec![RosterEntry {
            agent_id,
            shifts: shifts.clone(),
        }],
    };
    Roster::new(config).map_err(|e| match e {
        ShiftError::UnknownTimeZone(z) => ServiceError::field(
            "time_zone",
            format!("{z:?} is not a known IANA time zone (e.g. Asia/Shanghai)"),
        ),
        ShiftError::NoDays { index, .. } => ServiceError::field(
            format!("shifts[{index}].days"),
            "must list at least one day",
        ),
        ShiftError::BreakOutsideShift { index, .. } => ServiceError::field(
            format!("shifts[{index}].breaks"),
            "every break must lie inside its shift",
        ),
    })?;
    Ok((zone, shifts))
}

fn agent_not_found(id: AgentId) -> impl FnOnce(StoreError) -> ServiceError {
    move |e| match e {
        StoreError::NotFound => {
            ServiceError::new(ErrorCode::AgentNotFound, format!("No agent {id}."))
        }
        other => other.into(),
    }
}

/// An agent's roster; `None` when they have none (always on shift). Unknown agents are
/// `agent_not_found`.
/// An agent's shifts (supervisors, or the agent themself).
pub async fn roster(
    state: &Core,
    caller: &Caller,
    id: AgentId,
) -> ServiceResult<Option<AgentShifts>> {
    let staff = caller.staff()?;
    if staff.agent_id != id {
        staff.require(AgentRole::Supervisor)?;
    }
    state.store.agent(id).await.map_err(agent_not_found(id))?;
    match state.store.roster(id).await? {
        Some(r) => Ok(Some(
            AgentShifts::decode(&r).map_err(ServiceError::internal)?,
        )),
        None => Ok(None),
    }
}

/// Replaces an agent's shifts. Applies at once: off shift now, their live chats go back to
/// the queue; on shift and online, they pull queued work.
pub async fn put_roster(
    state: &Core,
    caller: &Caller,
    id: AgentId,
    time_zone: Option<&str>,
    input: &[ShiftInput<'_>],
) -> ServiceResult<AgentShifts> {
    caller.require(AgentRole::Supervisor)?;
    let actor = caller.actor();
    let (zone, shifts) = check_shifts(id, time_zone, input)?;
    let now = Timestamp::now();
    let stored = state
        .store
        .set_roster(AgentRoster {
            agent_id: id,
            time_zone: zone,
            shifts: serde_json::to_string(&shifts).map_err(ServiceError::internal)?,
            updated_at: now,
        })
        .await
        .map_err(agent_not_found(id))?;
    let parsed = AgentShifts::decode(&stored).map_err(ServiceError::internal)?;
    let detail = serde_json::json!({ "time_zone": stored.time_zone, "shifts": input.len() });
    let row = crate::audit::entry(
        caller,
        "roster.changed",
        Some(format!("agent:{}", id.0)),
        detail,
    );
    crate::audit::record(state, row).await;
    if parsed.covers(now) {
        if state.store.agent_presence(id).await? == AgentPresence::Online {
            routing::fill(state, id).await?;
        }
    } else {
        hand_over(state, id, actor, HandOverReason::OffRoster, now).await?;
    }
    Ok(parsed)
}

/// Why an agent's live chats go back to the queue without a presence change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandOverReason {
    /// Their shift ended.
    ShiftEnded,
    /// A roster change put them off shift.
    OffRoster,
}

/// Returns the agent's live chats to the queue, with a note in the staff language, and
/// routes them again.
pub async fn hand_over(
    state: &Core,
    agent_id: AgentId,
    actor: Actor,
    why: HandOverReason,
    at: Timestamp,
) -> Result<Vec<TicketId>, StoreError> {
    let name = state.store.agent(agent_id).await?.display_name;
    let messages = state.settings.staff_messages();
    let note = match why {
        HandOverReason::ShiftEnded => (messages.chat_handed_back_at_shift_end)(&name),
        HandOverReason::OffRoster => (messages.chat_handed_back_off_roster)(&name),
    };
    let requeued = state
        .store
        .hand_over_chats(Handover {
            agent_id,
            note,
            actor,
            at,
        })
        .await?;
    for id in &requeued {
        let t = state.store.ticket(*id).await?;
        routing::settle(state, &t, None).await;
    }
    Ok(requeued)
}

/// Every stored roster that decodes, by agent (an unreadable one is left out).
pub(crate) async fn decoded_rosters(core: &Core) -> ServiceResult<BTreeMap<AgentId, AgentShifts>> {
    Ok(core
        .store
        .rosters()
        .await?
        .iter()
        .filter_map(|r| AgentShifts::decode(r).ok().map(|s| (r.agent_id, s)))
        .collect())
}

/// Demand to compare the roster with (Erlang C parameters).
#[derive(Debug, Clone, Copy)]
pub struct Demand {
    pub arrivals_per_hour: [f64; 24],
    pub aht_seconds: f64,
    pub target_service_level: f64,
    pub target_answer_seconds: f64,
    pub shrinkage: f64,
}

/// One local hour of the coverage view.
#[derive(Debug, Clone)]
pub struct CoverageHour {
    pub hour: i8,
    pub on_duty: u32,
    pub by_skill: BTreeMap<String, u32>,
    /// Per category compared (or `*` for all agents): on duty vs. needed.
    pub demand: Option<HourGap>,
}

/// Agents on duty in each local hour of `date` in `zone` (sampled at half past), in total
/// and per category skill that qualifies for routing; with `demand`, the agents needed
/// for it (Erlang C after shrinkage) next to those on duty in `category` (all when `None`).
pub async fn coverage(
    state: &Core,
    caller: &Caller,
    date: Date,
    zone: &TimeZone,
    category: Option<&str>,
    demand: Option<Demand>,
) -> ServiceResult<Vec<CoverageHour>> {
    caller.require(AgentRole::Supervisor)?;
    let policy = routing::policy(&state.catalogue());
    let rosters = decoded_rosters(state).await?;
    let agents = crate::admin::active_agents(state).await?;
    let mut rows = Vec::with_capacity(24);
    for hour in 0..24i8 {
        let mut row = HourCoverage {
            hour,
            on_duty: 0,
            by_skill: BTreeMap::new(),
        };
        let at = date
            .at(hour, 30, 0, 0)
            .to_zoned(zone.clone())
            .map(|z| z.timestamp())
            .map_err(ServiceError::internal)?;
        for a in &agents {
            if !rosters.get(&a.id).is_none_or(|r| r.covers(at)) {
                continue;
            }
            row.on_duty += 1;
            for s in AgentSkills::from_domain(&a.skills).categories {
                if policy.skill_qualifies(&s).is_ok() {
                    *row.by_skill.entry(s.category).or_default() += 1;
                }
            }
        }
        rows.push(row);
    }
    let gaps = match demand {
        Some(d) => {
            // The whole staff is compared under the key `*`.
            let key = category.unwrap_or("*");
            let compared: Vec<HourCoverage> = rows
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    if category.is_none() {
                        r.by_skill = BTreeMap::from([("*".to_owned(), r.on_duty)]);
                    }
                    r
                })
                .collect();
            let gaps = coverage_vs_demand(
                &compared,
                key,
                &d.arrivals_per_hour,
                d.aht_seconds,
                d.target_service_level,
                d.target_answer_seconds,
                d.shrinkage,
            )
            .map_err(|e| match e {
                kefu_routing::StaffingError::InvalidParameter { name, .. } => {
                    ServiceError::field(name, e.to_string())
                }
                kefu_routing::StaffingError::TooLarge { .. } => {
                    ServiceError::field("arrivals_per_hour", e.to_string())
                }
            })?;
            gaps.into_iter().map(Some).collect()
        }
        None => vec![None; 24],
    };
    Ok(rows
        .into_iter()
        .zip(gaps)
        .map(|(r, demand)| CoverageHour {
            hour: r.hour,
            on_duty: r.on_duty,
            by_skill: r.by_skill,
            demand,
        })
        .collect())
}
