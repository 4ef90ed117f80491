//! Reports (supervisors and admins): volume, bot, speed, the promise, satisfaction and
//! staffing, for any date range in the viewer's time zone, filtered by channel, domain,
//! team or agent. Every figure comes from the hourly rollups the rollup worker keeps
//! (`workers::rollups`), never from a scan of tickets: counts and sums are exact, medians
//! and p90s come from the merged DDSketches (1 % relative error). Each report is a list of
//! [`Table`]s, so every table can be exported as CSV ([`Table::to_csv`]).
//! See docs/REPORTS.md for the definitions.

mod forecast;
mod hours;
mod outcomes;
mod tables;
pub use hours::HourRange;
pub use tables::WEEKDAYS;

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ServiceError, ServiceResult};
use crate::validate::Checks;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use kefu_domain::AgentRole;
use kefu_domain::report::HOUR_MS;
use kefu_store::{HourWindow, RollupGroup, RollupQuery, RollupRow};
use serde::Serialize;

/// The reports (the last part of `/api/v1/reports/{name}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportName {
    Volume,
    Bot,
    Speed,
    Promise,
    Satisfaction,
    Staffing,
}

impl ReportName {
    pub const ALL: [ReportName; 6] = [
        Self::Volume,
        Self::Bot,
        Self::Speed,
        Self::Promise,
        Self::Satisfaction,
        Self::Staffing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Volume => "volume",
            Self::Bot => "bot",
            Self::Speed => "speed",
            Self::Promise => "promise",
            Self::Satisfaction => "satisfaction",
            Self::Staffing => "staffing",
        }
    }
}
/// The longest range a report covers, in days.
pub const MAX_DAYS: i32 = 3_700;

/// A report as the caller asked for it (raw text, validated by [`run`]).
#[derive(Debug, Clone, Default)]
pub struct ReportRequest<'a> {
    /// First local date, `YYYY-MM-DD`.
    pub from: Option<&'a str>,
    /// Last local date (inclusive), `YYYY-MM-DD`.
    pub to: Option<&'a str>,
    /// IANA time zone name; [`crate::types::DEFAULT_TIME_ZONE`] when absent.
    pub tz: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub domain: Option<&'a str>,
    pub team: Option<i64>,
    pub agent: Option<i64>,
    /// Local hours of the day, `9` or `9-17` (end excluded) or `22-6` (over midnight).
    pub hour: Option<&'a str>,
}

/// A validated request: the UTC hour buckets of the local date range and the filters.
#[derive(Debug, Clone)]
pub struct Scope {
    pub from: Date,
    pub to: Date,
    pub zone: TimeZone,
    pub zone_name: String,
    pub from_ms: i64,
    pub to_ms: i64,
    pub channel: Option<String>,
    pub domain: Option<String>,
    pub team: Option<i64>,
    pub agent: Option<i64>,
    /// Only these local hours of the day.
    pub hours: Option<HourRange>,
    /// The UTC hour buckets of `hours` (see `hours::windows`).
    pub hour_windows: Option<Vec<HourWindow>>,
}

impl Scope {
    /// The rollup query of this scope, grouped by `group`.
    pub(crate) fn query(&self, group: RollupGroup, sketches: bool) -> RollupQuery {
        RollupQuery {
            from_ms: self.from_ms,
            to_ms: self.to_ms,
            channel: self.channel.clone(),
            category: self.domain.clone(),
            team: self.team,
            agent: self.agent,
            group,
            hours: self.hour_windows.clone(),
            sketches,
        }
    }

    /// Whether a moment is in the scope's range (and hours).
    pub fn includes(&self, at: jiff::Timestamp) -> bool {
        let ms = at.as_millisecond();
        (self.from_ms..self.to_ms).contains(&ms)
            && self
                .hours
                .is_none_or(|h| h.contains(at.to_zoned(self.zone.clone()).hour()))
    }

    /// Days in the range.
    pub fn days(&self) -> i64 {
        i64::from((self.to - self.from).get_days()) + 1
    }
}

/// One value of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Int(i64),
    /// A rate or a duration in seconds; `null` where undefined (nothing to divide by).
    Num(Option<f64>),
    Text(String),
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Self::Int(v) => v.to_string(),
            Self::Num(Some(v)) => format!("{v}"),
            Self::Num(None) => String::new(),
            Self::Text(t) => t.clone(),
        }
    }
}

/// One table of a report.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub name: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub(crate) fn new(name: &'static str, columns: &[&'static str]) -> Self {
        Self {
            name,
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// The table as CSV (RFC 4180, a header row first).
    pub fn to_csv(&self) -> ServiceResult<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.columns)
            .map_err(ServiceError::internal)?;
        for row in &self.rows {
            w.write_record(row.iter().map(Cell::csv))
                .map_err(ServiceError::internal)?;
        }
        let bytes = w.into_inner().map_err(ServiceError::internal)?;
        String::from_utf8(bytes).map_err(ServiceError::internal)
    }
}

/// A report: its scope and tables.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub name: &'static str,
    pub from: String,
    pub to: String,
    pub time_zone: String,
    /// The last event id folded into the rollups when the report was read.
    pub rollup_cursor: i64,
    pub tables: Vec<Table>,
}

/// Checks a request and turns its local dates into UTC hour buckets.
pub fn scope(core: &Core, req: &ReportRequest<'_>) -> ServiceResult<Scope> {
    let mut c = Checks::default();
    let zone_name = req
        .tz
        .map(str::trim)
        .unwrap_or(crate::types::DEFAULT_TIME_ZONE);
    let zone = crate::types::time_zone(zone_name).ok();
    if zone.is_none() {
        c.fail("tz", format!("{zone_name:?} is not a known IANA time zone"));
    }
    let mut date = |field: &str, raw: Option<&str>| match raw.map(str::trim) {
        None => {
            c.fail(field, "is required (a date YYYY-MM-DD)");
            None
        }
        Some(d) => match d.parse::<Date>() {
            Ok(v)
                if (jiff::civil::date(1970, 1, 2)..=jiff::civil::date(2200, 12, 30))
                    .contains(&v) =>
            {
                Some(v)
            }
            Ok(_) => {
                c.fail(field, "must be from 1970-01-02 to 2200-12-30");
                None
            }
            Err(_) => {
                c.fail(field, "must be a date YYYY-MM-DD");
                None
            }
        },
    };
    let from = date("from", req.from);
    let to = date("to", req.to);
    if let (Some(f), Some(t)) = (from, to) {
        let days = (t - f).get_days();
        if days < 0 {
            c.fail("to", "must not be before from");
        } else if days >= MAX_DAYS {
            c.fail("to", format!("the range is at most {MAX_DAYS} days"));
        }
    }
    let channel = req.channel.map(str::trim).map(str::to_owned);
    if let Some(ch) = &channel
        && ch.parse::<kefu_domain::Channel>().is_err()
    {
        c.fail("channel", "no channel with this name");
    }
    let domain = req.domain.map(str::trim).map(str::to_owned);
    if let Some(d) = &domain
        && !core.catalogue().has_category(d)
    {
        c.fail("domain", "no domain (category) with this code");
    }
    if req.team.is_some_and(|t| t < 1) {
        c.fail("team", "must be a team id");
    }
    if req.agent.is_some_and(|a| a < 1) {
        c.fail("agent", "must be an agent id");
    }
    let hours = match req.hour.map(HourRange::parse) {
        None => None,
        Some(Ok(h)) => Some(h),
        Some(Err(message)) => {
            c.fail("hour", message);
            None
        }
    };
    if req.agent.is_some() && (channel.is_some() || domain.is_some() || req.team.is_some()) {
        c.fail(
            "agent",
            "cannot be combined with channel, domain or team (per-agent rollups have no such dimension)",
        );
    }
    c.finish()?;
    let (Some(zone), Some(from), Some(to)) = (zone, from, to) else {
        return Err(ServiceError::field("from", "is required"));
    };
    let start = |d: Date| {
        d.to_zoned(zone.clone())
            .map(|z| z.timestamp().as_millisecond())
            .map_err(ServiceError::internal)
    };
    let from_ms = start(from)?;
    let end = to.tomorrow().map_err(ServiceError::internal)?;
    let to_ms = start(end)?;
    // Buckets are whole UTC hours: a zone with a part-hour offset reads the hours that
    // start inside its days (and cannot take an hour filter).
    let (from_ms, to_ms) = (ceil_hour(from_ms), ceil_hour(to_ms));
    let hour_windows = match hours {
        None => None,
        Some(h) => Some(
            hours::windows(&zone, zone_name, from_ms, to_ms, h)
                .map_err(|m| ServiceError::field("hour", m))?,
        ),
    };
    Ok(Scope {
        from,
        to,
        zone,
        zone_name: zone_name.to_owned(),
        from_ms,
        to_ms,
        channel,
        domain,
        team: req.team,
        agent: req.agent,
        hours,
        hour_windows,
    })
}

fn ceil_hour(ms: i64) -> i64 {
    -((-ms).div_euclid(HOUR_MS) * HOUR_MS)
}

/// Runs a report for supervisors and admins.
pub async fn run(
    core: &Core,
    caller: &Caller,
    name: ReportName,
    req: &ReportRequest<'_>,
) -> ServiceResult<Report> {
    caller.require(AgentRole::Supervisor)?;
    let scope = scope(core, req)?;
    let rollup_cursor = core.store.report_cursor().await?;
    let tables = match name {
        ReportName::Volume => tables::volume(core, &scope).await?,
        ReportName::Bot => tables::bot(core, &scope).await?,
        ReportName::Speed => tables::speed(core, &scope).await?,
        ReportName::Promise => outcomes::promise(core, &scope).await?,
        ReportName::Satisfaction => outcomes::satisfaction(core, &scope).await?,
        ReportName::Staffing => outcomes::staffing(core, caller, &scope).await?,
    };
    Ok(Report {
        name: name.as_str(),
        from: scope.from.to_string(),
        to: scope.to.to_string(),
        time_zone: scope.zone_name,
        rollup_cursor,
        tables,
    })
}

/// `num / den`, `None` when `den` is 0.
#[expect(
    clippy::cast_precision_loss,
    reason = "report counts are far below 2^52"
)]
pub(crate) fn rate(num: i64, den: i64) -> Cell {
    Cell::Num((den != 0).then(|| num as f64 / den as f64))
}

/// A sum of milliseconds over a count, in seconds.
#[expect(clippy::cast_precision_loss, reason = "report sums are far below 2^52")]
pub(crate) fn mean_secs(sum_ms: i64, count: i64) -> Cell {
    Cell::Num((count != 0).then(|| sum_ms as f64 / count as f64 / 1000.0))
}

/// A quantile of a row's timing, in seconds.
pub(crate) fn quantile_secs(row: &RollupRow, t: kefu_domain::report::Timing, q: f64) -> Cell {
    Cell::Num(
        row.timing(t)
            .sketch
            .as_ref()
            .and_then(|s| s.quantile(q))
            .map(|ms| (ms / 1000.0 * 10.0).round() / 10.0),
    )
}

/// The totals of the whole scope (one row, zero when nothing matched).
pub(crate) async fn overall(
    core: &Core,
    scope: &Scope,
    sketches: bool,
) -> ServiceResult<RollupRow> {
    let rows = core
        .store
        .report_totals(&scope.query(RollupGroup::All, sketches))
        .await?;
    Ok(rows
        .into_iter()
        .next()
        .unwrap_or_else(|| RollupRow::empty(String::new())))
}

/// The totals of the whole scope from rows that partition it (e.g. one per domain): the
/// same row [`overall`] reads, without reading (and decoding the sketches of) the buckets a
/// second time.
pub(crate) fn merged(rows: &[RollupRow]) -> ServiceResult<RollupRow> {
    let mut all = RollupRow::empty(String::new());
    for r in rows {
        all.absorb(r)?;
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_round_up_to_the_next_bucket() {
        assert_eq!(ceil_hour(0), 0);
        assert_eq!(ceil_hour(1), HOUR_MS);
        assert_eq!(ceil_hour(HOUR_MS * 5 + 30 * 60_000), HOUR_MS * 6);
    }

    #[test]
    fn csv_quotes_text_and_leaves_undefined_numbers_empty() {
        let mut t = Table::new("x", &["name", "rate"]);
        t.rows.push(vec![Cell::Text("a,b".into()), Cell::Num(None)]);
        t.rows.push(vec![Cell::Int(3), Cell::Num(Some(0.5))]);
        assert_eq!(t.to_csv().unwrap(), "name,rate\n\"a,b\",\n3,0.5\n");
    }
}
