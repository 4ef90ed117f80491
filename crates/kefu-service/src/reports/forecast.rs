//! The staffing report's forecast: tomorrow (in the viewer's zone) simulated with
//! kefu-routing's day simulator over the roster as it stands.
//!
//! Demand is the report range's own: the average arrivals per local hour of day, split
//! over the domains by their share of tickets opened in the range, and the bot's
//! containment in the range (bot-resolved over opened). Each active agent with a
//! qualifying domain skill is one agent of the run, with their chat capacity and their
//! roster's shifts (no roster: on duty around the clock, as routing treats them; a roster
//! with no shifts: not on duty, left out). Handle times are exponential with the report's
//! average handle time; customers do not give up (a ticket waits for its answer); the
//! first-response target of each domain is its normal-priority SLA target.

use super::outcomes::AHT_SECONDS;
use super::{Cell, Scope, Table, overall, rate};
use crate::core::Core;
use crate::error::{ServiceError, ServiceResult};
use jiff::civil::Date;
use kefu_domain::Priority;
use kefu_domain::report::Counter;
use kefu_routing::AgentSkills;
use kefu_routing::assign::ChannelKind;
use kefu_routing::simulate::{AgentGroup, CategoryScenario, Distribution, Scenario};
use kefu_store::RollupGroup;
use std::collections::BTreeMap;

/// Fixed seed: the same data and roster give the same forecast.
const SEED: u64 = 20_261_201;

/// The day the forecast is for: tomorrow in the report's zone.
pub(super) fn tomorrow(scope: &Scope, now: jiff::Timestamp) -> ServiceResult<Date> {
    now.to_zoned(scope.zone.clone())
        .date()
        .tomorrow()
        .map_err(ServiceError::internal)
}

/// The scenario of `day`: `arrivals` per local hour split by the domains' shares.
async fn scenario(
    core: &Core,
    scope: &Scope,
    day: Date,
    arrivals: &[f64; 24],
) -> ServiceResult<Option<Scenario>> {
    let catalogue = core.catalogue();
    let mut opened: BTreeMap<String, i64> = BTreeMap::new();
    if let Some(d) = &scope.domain {
        opened.insert(d.clone(), 1);
    } else if scope.agent.is_none() {
        for r in core
            .store
            .report_totals(&scope.query(RollupGroup::Category, false))
            .await?
        {
            opened.insert(r.key.clone(), r.get(Counter::Opened));
        }
    }
    let total: i64 = opened.values().sum();
    if total == 0 {
        // No split known: the whole demand on the catalogue's domains evenly.
        opened = catalogue
            .categories
            .iter()
            .map(|c| (c.code.as_str().to_owned(), 1))
            .collect();
    }
    let total: i64 = opened.values().sum();
    let categories: Vec<CategoryScenario> = opened
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(code, n)| {
            let share = match rate(*n, total) {
                Cell::Num(Some(s)) => s,
                _ => 0.0,
            };
            let target = crate::sla::targets(&catalogue, code, Priority::Normal);
            CategoryScenario {
                code: code.clone(),
                language: "zh".into(),
                channel: ChannelKind::Chat,
                priority: Priority::Normal,
                arrivals_per_hour: arrivals.iter().map(|a| a * share).collect(),
                handle_time: Distribution::Exponential {
                    mean_seconds: AHT_SECONDS,
                },
                patience: None,
                first_response_target_seconds: f64::from(target.first_response_minutes) * 60.0,
                bot_containment: None,
            }
        })
        .collect();
    if categories.is_empty() {
        return Ok(None);
    }
    let policy = crate::routing::policy(&catalogue);
    let rosters = crate::roster::decoded_rosters(core).await?;
    let mut agents = Vec::new();
    for a in crate::admin::active_agents(core).await? {
        if scope.agent.is_some_and(|id| id != a.id.0) {
            continue;
        }
        let skills = AgentSkills::from_domain(&a.skills);
        let qualified: Vec<String> = skills
            .categories
            .iter()
            .filter(|s| policy.skill_qualifies(s).is_ok())
            .map(|s| s.category.clone())
            .filter(|c| categories.iter().any(|s| &s.code == c))
            .collect();
        let shifts = match rosters.get(&a.id) {
            None => Vec::new(),
            Some(r) if r.entry.shifts.is_empty() => continue,
            Some(r) => r.entry.shifts.clone(),
        };
        if qualified.is_empty() || a.chat_capacity == 0 {
            continue;
        }
        let languages = if skills.languages.is_empty() {
            vec!["zh".to_owned()]
        } else {
            skills.languages
        };
        agents.push(AgentGroup {
            name: a.id.0.to_string(),
            count: 1,
            categories: qualified,
            languages,
            chat_capacity: a.chat_capacity,
            async_capacity: a.chat_capacity,
            shifts,
        });
    }
    if agents.is_empty() {
        return Ok(None);
    }
    let all = overall(core, scope, false).await?;
    let containment = match rate(all.get(Counter::BotResolved), all.get(Counter::Opened)) {
        Cell::Num(Some(c)) => c.clamp(0.0, 1.0),
        _ => 0.0,
    };
    Ok(Some(Scenario {
        seed: SEED,
        days: 1,
        start_date: day,
        time_zone: scope.zone_name.clone(),
        service_level_seconds: super::outcomes::TARGET_ANSWER_SECONDS,
        bot_containment: containment,
        policy,
        categories,
        agents,
    }))
}

/// The forecast tables: the day's totals and one row per domain. Both are empty when no
/// active agent with a qualifying skill is rostered (nothing to simulate).
pub(super) async fn forecast(
    core: &Core,
    scope: &Scope,
    arrivals: &[f64; 24],
) -> ServiceResult<Vec<Table>> {
    let day = tomorrow(scope, jiff::Timestamp::now())?;
    let mut summary = Table::new(
        "forecast",
        &[
            "date",
            "agents",
            "offered",
            "contained_by_bot",
            "answered",
            "abandoned",
            "unanswered_at_end",
            "service_level",
            "asa_s",
            "average_occupancy",
        ],
    );
    let mut by_domain = Table::new(
        "forecast_by_domain",
        &[
            "domain",
            "offered",
            "contained_by_bot",
            "answered",
            "service_level",
            "asa_s",
            "sla_attainment",
        ],
    );
    let Some(s) = scenario(core, scope, day, arrivals).await? else {
        return Ok(vec![summary, by_domain]);
    };
    let agents = i64::try_from(s.agents.len()).unwrap_or(i64::MAX);
    let r = kefu_routing::simulate::run(&s)
        .map_err(|e| ServiceError::internal(format!("forecast scenario: {e}")))?;
    let n = |v: u64| Cell::Int(i64::try_from(v).unwrap_or(i64::MAX));
    let round = |v: f64| Cell::Num(Some((v * 1000.0).round() / 1000.0));
    summary.rows.push(vec![
        Cell::Text(day.to_string()),
        Cell::Int(agents),
        n(r.offered),
        n(r.contained_by_bot),
        n(r.answered),
        n(r.abandoned),
        n(r.unanswered_at_end),
        round(r.service_level),
        round(r.asa_seconds),
        round(r.average_occupancy),
    ]);
    for c in &r.categories {
        by_domain.rows.push(vec![
            Cell::Text(c.code.clone()),
            n(c.offered),
            n(c.contained_by_bot),
            n(c.answered),
            round(c.service_level),
            round(c.asa_seconds),
            round(c.sla_attainment),
        ]);
    }
    Ok(vec![summary, by_domain])
}
