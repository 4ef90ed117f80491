//! The volume, bot and speed reports.

use super::{Cell, Scope, Table, mean_secs, merged, overall, quantile_secs, rate};
use crate::core::Core;
use crate::error::{ServiceError, ServiceResult};
use kefu_domain::report::{Counter, Timing, label};
use kefu_store::RollupGroup;
use std::collections::BTreeMap;

/// Most unanswered questions listed.
const TOP_UNANSWERED: usize = 20;
/// How many recent unanswered questions are read to rank them.
const UNANSWERED_SCAN: u32 = 5_000;

/// The codes of the `weekday` column, Monday first (pages name them in the reader's language).
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Tickets opened by channel and domain; arrivals per local hour of day, day of week and
/// date.
pub(super) async fn volume(core: &Core, scope: &Scope) -> ServiceResult<Vec<Table>> {
    let mut out = Vec::new();
    if scope.agent.is_none() {
        for (group, name, col) in [
            (RollupGroup::Channel, "by_channel", "channel"),
            (RollupGroup::Category, "by_domain", "domain"),
        ] {
            let mut t = Table::new(name, &[col, "opened"]);
            for r in core.store.report_totals(&scope.query(group, false)).await? {
                t.rows.push(vec![
                    Cell::Text(r.key.clone()),
                    Cell::Int(r.get(Counter::Opened)),
                ]);
            }
            out.push(t);
        }
    }
    let mut by_hour = [0i64; 24];
    let mut by_weekday = [0i64; 7];
    let mut by_date: BTreeMap<String, i64> = BTreeMap::new();
    for r in core
        .store
        .report_totals(&scope.query(RollupGroup::Hour, false))
        .await?
    {
        let n = r.get(Counter::Opened);
        if n == 0 {
            continue;
        }
        let ms: i64 = r.key.parse().map_err(ServiceError::internal)?;
        let local = jiff::Timestamp::from_millisecond(ms)
            .map_err(ServiceError::internal)?
            .to_zoned(scope.zone.clone());
        let hour = usize::try_from(local.hour()).unwrap_or(0);
        by_hour[hour % 24] += n;
        let weekday = usize::try_from(local.weekday().to_monday_zero_offset()).unwrap_or(0);
        by_weekday[weekday % 7] += n;
        *by_date.entry(local.date().to_string()).or_default() += n;
    }
    let days = scope.days();
    let mut t = Table::new("by_hour_of_day", &["hour", "opened", "per_day"]);
    for (h, n) in (0i64..).zip(by_hour) {
        t.rows.push(vec![Cell::Int(h), Cell::Int(n), rate(n, days)]);
    }
    out.push(t);
    let mut t = Table::new("by_day_of_week", &["weekday", "opened"]);
    for (d, n) in WEEKDAYS.iter().zip(by_weekday) {
        t.rows.push(vec![Cell::Text((*d).into()), Cell::Int(n)]);
    }
    out.push(t);
    let mut t = Table::new("by_date", &["date", "opened"]);
    for (d, n) in by_date {
        t.rows.push(vec![Cell::Text(d), Cell::Int(n)]);
    }
    out.push(t);
    Ok(out)
}

/// Containment, hand-over rate and reasons, helpful rate, top unanswered questions.
pub(super) async fn bot(core: &Core, scope: &Scope) -> ServiceResult<Vec<Table>> {
    let all = overall(core, scope, false).await?;
    let handed = all.get(Counter::HandedOff);
    let (yes, no) = (all.get(Counter::HelpfulYes), all.get(Counter::HelpfulNo));
    let mut summary = Table::new(
        "summary",
        &[
            "opened",
            "handed_off",
            "handover_rate",
            "resolved",
            "bot_resolved",
            "containment_rate",
            "helpful_yes",
            "helpful_no",
            "helpful_rate",
        ],
    );
    summary.rows.push(vec![
        Cell::Int(all.get(Counter::Opened)),
        Cell::Int(handed),
        rate(handed, all.get(Counter::Opened)),
        Cell::Int(all.get(Counter::Resolved)),
        Cell::Int(all.get(Counter::BotResolved)),
        rate(all.get(Counter::BotResolved), all.get(Counter::Resolved)),
        Cell::Int(yes),
        Cell::Int(no),
        rate(yes, yes + no),
    ]);
    let mut reasons = Table::new("handover_reasons", &["reason", "count", "share"]);
    if scope.agent.is_none() {
        for l in core
            .store
            .report_labels(&scope.query(RollupGroup::All, false))
            .await?
            .into_iter()
            .filter(|l| l.metric == label::HANDOFF_REASON)
        {
            reasons
                .rows
                .push(vec![Cell::Text(l.label), Cell::Int(l.n), rate(l.n, handed)]);
        }
    }
    let mut questions: BTreeMap<String, (i64, String)> = BTreeMap::new();
    for u in core.store.unanswered(UNANSWERED_SCAN).await? {
        if !scope.includes(u.at) {
            continue;
        }
        let key = u.question.query.trim().to_lowercase();
        let entry = questions
            .entry(key)
            .or_insert((0, u.question.reason.clone()));
        entry.0 += 1;
    }
    let mut ranked: Vec<(String, (i64, String))> = questions.into_iter().collect();
    ranked.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    let mut top = Table::new("top_unanswered", &["question", "count", "reason"]);
    for (q, (n, reason)) in ranked.into_iter().take(TOP_UNANSWERED) {
        top.rows
            .push(vec![Cell::Text(q), Cell::Int(n), Cell::Text(reason)]);
    }
    Ok(vec![summary, reasons, top])
}

/// Row of a timing: count, mean, median and p90 in seconds.
fn timing_cells(row: &kefu_store::RollupRow, t: Timing) -> Vec<Cell> {
    let totals = row.timing(t);
    vec![
        Cell::Int(totals.count),
        mean_secs(totals.sum_ms, totals.count),
        quantile_secs(row, t, 0.5),
        quantile_secs(row, t, 0.9),
    ]
}

/// First, next and resolution times, queue wait and time with specialists: median and p90.
/// The sketches of a year are the cost of this report: without an agent filter the domain
/// rows are read once and the overall row is their merge.
pub(super) async fn speed(core: &Core, scope: &Scope) -> ServiceResult<Vec<Table>> {
    let by_domain = match scope.agent {
        None => Some(
            core.store
                .report_totals(&scope.query(RollupGroup::Category, true))
                .await?,
        ),
        Some(_) => None,
    };
    let all = match &by_domain {
        Some(rows) => merged(rows)?,
        None => overall(core, scope, true).await?,
    };
    let mut timings = Table::new(
        "timings",
        &["metric", "count", "mean_s", "median_s", "p90_s"],
    );
    for t in Timing::ALL {
        let mut row = vec![Cell::Text(t.name().into())];
        row.extend(timing_cells(&all, t));
        timings.rows.push(row);
    }
    let mut out = vec![timings];
    if let Some(rows) = by_domain {
        let mut t = Table::new(
            "by_domain",
            &[
                "domain",
                "first_responses",
                "first_response_median_s",
                "first_response_p90_s",
                "resolutions",
                "resolution_median_s",
                "resolution_p90_s",
            ],
        );
        for r in &rows {
            t.rows.push(vec![
                Cell::Text(r.key.clone()),
                Cell::Int(r.timing(Timing::FirstResponse).count),
                quantile_secs(r, Timing::FirstResponse, 0.5),
                quantile_secs(r, Timing::FirstResponse, 0.9),
                Cell::Int(r.timing(Timing::Resolution).count),
                quantile_secs(r, Timing::Resolution, 0.5),
                quantile_secs(r, Timing::Resolution, 0.9),
            ]);
        }
        out.push(t);
    }
    Ok(out)
}
