//! The promise, satisfaction and staffing reports.

use super::{Cell, Scope, Table, merged, overall, rate};
use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ServiceError, ServiceResult};
use crate::roster::{self, Demand};
use kefu_domain::report::{Counter, label};
use kefu_store::{RollupGroup, RollupRow};
use std::collections::HashMap;

/// Tickets listed as nearest to a breach.
const NEAREST: u32 = 20;
/// Erlang C defaults of the staffing report: handle time, answered within 60 s for 80 %,
/// 30 % shrinkage.
pub const AHT_SECONDS: f64 = 360.0;
pub const TARGET_SERVICE_LEVEL: f64 = 0.8;
pub const TARGET_ANSWER_SECONDS: f64 = 60.0;
pub const SHRINKAGE: f64 = 0.3;

/// SLA attainment per target and priority, warnings, breaches, the share answered within
/// 24 h, and the tickets nearest to a breach now.
pub(super) async fn promise(core: &Core, scope: &Scope) -> ServiceResult<Vec<Table>> {
    let all = overall(core, scope, false).await?;
    let mut summary = Table::new(
        "summary",
        &[
            "first_responses",
            "within_24h",
            "share_within_24h",
            "sla_warnings",
            "sla_breaches",
        ],
    );
    let (first, within) = (
        all.get(Counter::FirstResponses),
        all.get(Counter::Within24h),
    );
    summary.rows.push(vec![
        Cell::Int(first),
        Cell::Int(within),
        rate(within, first),
        Cell::Int(all.get(Counter::SlaWarnings)),
        Cell::Int(all.get(Counter::SlaBreaches)),
    ]);
    let mut per: std::collections::BTreeMap<String, [i64; 3]> = Default::default();
    if scope.agent.is_none() {
        for l in core
            .store
            .report_labels(&scope.query(RollupGroup::All, false))
            .await?
        {
            let slot = match l.metric.as_str() {
                label::SLA_DONE => 0,
                label::SLA_WARNING => 1,
                label::SLA_BREACH => 2,
                _ => continue,
            };
            per.entry(l.label).or_default()[slot] += l.n;
        }
    }
    let mut attainment = Table::new(
        "attainment",
        &[
            "target",
            "priority",
            "completed",
            "warnings",
            "breaches",
            "attainment",
        ],
    );
    for (key, [done, warned, breached]) in per {
        let (target, priority) = key.split_once('/').unwrap_or((key.as_str(), ""));
        attainment.rows.push(vec![
            Cell::Text(target.into()),
            Cell::Text(priority.into()),
            Cell::Int(done),
            Cell::Int(warned),
            Cell::Int(breached),
            rate((done - breached).max(0), done),
        ]);
    }
    let now = jiff::Timestamp::now();
    let mut nearest = Table::new(
        "nearest_to_breach",
        &["ticket_number", "target", "due_at", "minutes_left"],
    );
    for d in core.store.nearest_deadlines(NEAREST).await? {
        let left = (d.due_at.as_millisecond() - now.as_millisecond()).div_euclid(60_000);
        nearest.rows.push(vec![
            Cell::Text(d.number),
            Cell::Text(d.target),
            Cell::Text(d.due_at.to_string()),
            Cell::Int(left),
        ]);
    }
    Ok(vec![summary, attainment, nearest])
}

fn satisfaction_row(key: Cell, name: String, r: &RollupRow) -> Vec<Cell> {
    let answers = r.get(Counter::CsatAnswers);
    let responses = answers + r.get(Counter::HelpfulYes) + r.get(Counter::HelpfulNo);
    vec![
        key,
        Cell::Text(name),
        Cell::Int(r.get(Counter::SurveysSent)),
        Cell::Int(responses),
        rate(responses, r.get(Counter::SurveysSent)),
        Cell::Int(answers),
        rate(r.get(Counter::CsatSum), answers),
        Cell::Int(r.get(Counter::CsatLow)),
    ]
}

const SATISFACTION_COLUMNS: [&str; 8] = [
    "id",
    "name",
    "surveys_sent",
    "responses",
    "response_rate",
    "scores",
    "csat_average",
    "low_scores",
];

/// CSAT and response rate per agent, team and domain; low-score reviews and outcomes.
pub(super) async fn satisfaction(core: &Core, scope: &Scope) -> ServiceResult<Vec<Table>> {
    let agents: HashMap<String, String> = core
        .store
        .list_agents()
        .await?
        .into_iter()
        .map(|a| (a.id.0.to_string(), a.display_name))
        .collect();
    let teams: HashMap<String, String> = core
        .store
        .list_teams()
        .await?
        .into_iter()
        .map(|t| (t.id.0.to_string(), t.name))
        .collect();
    let mut out = Vec::new();
    let mut t = Table::new("by_agent", &SATISFACTION_COLUMNS);
    for r in core
        .store
        .report_totals(&scope.query(RollupGroup::Agent, false))
        .await?
    {
        let id: i64 = r.key.parse().map_err(ServiceError::internal)?;
        let name = agents.get(&r.key).cloned().unwrap_or_default();
        t.rows.push(satisfaction_row(Cell::Int(id), name, &r));
    }
    out.push(t);
    let mut domain_rows = None;
    if scope.agent.is_none() {
        let mut t = Table::new("by_team", &SATISFACTION_COLUMNS);
        for r in core
            .store
            .report_totals(&scope.query(RollupGroup::Team, false))
            .await?
        {
            let id: i64 = r.key.parse().map_err(ServiceError::internal)?;
            let name = teams.get(&r.key).cloned().unwrap_or_default();
            t.rows.push(satisfaction_row(Cell::Int(id), name, &r));
        }
        out.push(t);
        let catalogue = core.catalogue();
        let mut t = Table::new("by_domain", &SATISFACTION_COLUMNS);
        let rows = core
            .store
            .report_totals(&scope.query(RollupGroup::Category, false))
            .await?;
        for r in &rows {
            let name = catalogue
                .categories
                .iter()
                .find(|c| c.code.as_str() == r.key)
                .map(|c| c.name_zh.clone())
                .unwrap_or_default();
            t.rows
                .push(satisfaction_row(Cell::Text(r.key.clone()), name, r));
        }
        out.push(t);
        domain_rows = Some(rows);
    }
    // The domain rows partition the scope: their sum is the overall row, without a read.
    let all = match &domain_rows {
        Some(rows) => merged(rows)?,
        None => overall(core, scope, false).await?,
    };
    let mut reviews = Table::new("low_score_reviews", &["outcome", "count"]);
    reviews.rows.push(vec![
        Cell::Text("opened".into()),
        Cell::Int(all.get(Counter::ReviewsOpened)),
    ]);
    if scope.agent.is_none() {
        for l in core
            .store
            .report_labels(&scope.query(RollupGroup::All, false))
            .await?
            .into_iter()
            .filter(|l| l.metric == label::REVIEW_OUTCOME)
        {
            reviews.rows.push(vec![
                Cell::Text(format!("closed: {}", l.label)),
                Cell::Int(l.n),
            ]);
        }
    }
    out.push(reviews);
    Ok(out)
}

/// Average arrivals per local hour over the range against agents on duty on its last day,
/// with the Erlang C recommendation for each hour; then the simulator's forecast of
/// tomorrow on the current roster (`forecast.rs`).
pub(super) async fn staffing(
    core: &Core,
    caller: &Caller,
    scope: &Scope,
) -> ServiceResult<Vec<Table>> {
    let mut by_hour = [0i64; 24];
    for r in core
        .store
        .report_totals(&scope.query(RollupGroup::Hour, false))
        .await?
    {
        let ms: i64 = r.key.parse().map_err(ServiceError::internal)?;
        let local = jiff::Timestamp::from_millisecond(ms)
            .map_err(ServiceError::internal)?
            .to_zoned(scope.zone.clone());
        let h = usize::try_from(local.hour()).unwrap_or(0) % 24;
        by_hour[h] += r.get(Counter::Opened);
    }
    let mut arrivals = [0.0; 24];
    for (slot, n) in arrivals.iter_mut().zip(by_hour) {
        if let Cell::Num(Some(v)) = rate(n, scope.days()) {
            *slot = v;
        }
    }
    let demand = Demand {
        arrivals_per_hour: arrivals,
        aht_seconds: AHT_SECONDS,
        target_service_level: TARGET_SERVICE_LEVEL,
        target_answer_seconds: TARGET_ANSWER_SECONDS,
        shrinkage: SHRINKAGE,
    };
    let hours = roster::coverage(
        core,
        caller,
        scope.to,
        &scope.zone,
        scope.domain.as_deref(),
        Some(demand),
    )
    .await?;
    let mut t = Table::new(
        "by_hour",
        &[
            "hour",
            "arrivals_per_hour",
            "on_duty",
            "erlang_c_required",
            "gap",
        ],
    );
    for (h, arrivals) in hours.iter().zip(arrivals) {
        let required = h.demand.map_or(0, |d| d.required);
        t.rows.push(vec![
            Cell::Int(i64::from(h.hour)),
            Cell::Num(Some((arrivals * 100.0).round() / 100.0)),
            Cell::Int(i64::from(h.on_duty)),
            Cell::Int(i64::from(required)),
            Cell::Int(i64::from(h.on_duty) - i64::from(required)),
        ]);
    }
    let mut out = vec![t];
    out.extend(super::forecast::forecast(core, scope, &arrivals).await?);
    Ok(out)
}
